"""Domain events as their producers publish them (contract-valid `data`), for the fan-out tests."""

from __future__ import annotations

from typing import Any

AT = "2026-01-12T15:40:00+00:00"


def conversation_created(session: str = "conv_abc123", customer: str = "user_12345") -> dict[str, Any]:
    return {
        "session_id": session,
        "customer_id": customer,
        "channel": "web",
        "dialect": "kb_platform",
        "tier": "AI_REP",
        "created_at": AT,
    }


def session_escalated(session: str = "conv_abc123", customer: str = "user_12345") -> dict[str, Any]:
    return {
        "session_id": session,
        "customer_id": customer,
        "from_tier": "AI_REP",
        "to_tier": "AI_MANAGER",
        "reason": "IRATE_CUSTOMER",
        "reasons": ["IRATE_CUSTOMER"],
        "support_reason": None,
        "priority": "high",
        "ticket_id": "tkt_1",
        "trigger": "policy",
        "notes": None,
        "escalated_at": AT,
    }


def session_resolved(session: str = "conv_abc123") -> dict[str, Any]:
    return {
        "session_id": session,
        "customer_id": "user_12345",
        "tier": "AI_MANAGER",
        "resolution_type": "resolved",
        "follow_up_required": False,
        "message_count": 6,
        "duration_s": 310.5,
        "escalated": True,
        "resolved_at": AT,
    }


def session_closed(session: str = "sess_1", customer: str = "cust_1") -> dict[str, Any]:
    return {
        "session_id": session,
        "customer_id": customer,
        "tier": "AI_REP",
        "message_count": 4,
        "duration_minutes": 12,
        "escalated": False,
        "closed_at": AT,
    }


def session_abandoned(session: str = "sess_1") -> dict[str, Any]:
    return {
        "session_id": session,
        "customer_id": "cust_1",
        "tier": "AI_REP",
        "message_count": 2,
        "idle_s": 1800.0,
        "escalated": False,
        "abandoned_at": AT,
    }


def message_received(session: str = "conv_abc123") -> dict[str, Any]:
    return {
        "session_id": session,
        "customer_id": "user_12345",
        "message_id": "msg_9",
        "channel": "web",
        "tier": "AI_REP",
        "length": 42,
        "sentiment_label": "negative",
        "sentiment_score": -0.6,
        "cs_level": "FRUSTRATED",
        "sentiment_available": True,
        "pii_detected": [],
        "received_at": AT,
    }


def escalation_created(session: str = "sess_1") -> dict[str, Any]:
    return {
        "ticket_id": "ESC-1",
        "session_id": session,
        "customer_id": "cust_1",
        "priority": "high",
        "reason": "complex_issue",
        "status": "open",
        "created_at": AT,
        "estimated_response_time": "2 hours",
        "source": "manual",
        "reasons": [],
    }


def feedback_submitted(session: str = "conv_abc123") -> dict[str, Any]:
    return {"session_id": session, "rating": 4, "comment": "quick and clear", "submitted_at": AT}
