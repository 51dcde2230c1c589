"""Escalation tickets (seed 001 /api/escalation): request validation, ids, the open → assigned → resolved
→ closed lifecycle, the estimated-response-time formula, and the documented response shapes. Pure."""

from __future__ import annotations

import math
from enum import StrEnum
from typing import Any

from libs.errors import Conflict, Invalid

from .domain import EscalationDecision, Priority, Reason, SupportReason, TurnFacts, parse_enum


class TicketStatus(StrEnum):
    OPEN = "open"
    ASSIGNED = "assigned"
    RESOLVED = "resolved"
    CLOSED = "closed"


# Forward along the documented chain, plus the two moves a help desk needs: releasing an assigned
# ticket back to the queue and reopening a resolved one. Closed is terminal.
TRANSITIONS: dict[TicketStatus, frozenset[TicketStatus]] = {
    TicketStatus.OPEN: frozenset({TicketStatus.ASSIGNED}),
    TicketStatus.ASSIGNED: frozenset({TicketStatus.RESOLVED, TicketStatus.OPEN}),
    TicketStatus.RESOLVED: frozenset({TicketStatus.CLOSED, TicketStatus.ASSIGNED}),
    TicketStatus.CLOSED: frozenset(),
}

# estimated_response_time = BASE_MINUTES[priority] + MINUTES_PER_TICKET_AHEAD × (open tickets of the
# tenant at least as urgent), rounded up to 5 minutes and written as minutes, hours or days.
BASE_MINUTES = {Priority.URGENT: 15, Priority.HIGH: 60, Priority.MEDIUM: 240, Priority.LOW: 1440}
MINUTES_PER_TICKET_AHEAD = 10

ALLOWED_REASONS = tuple(r.value for r in SupportReason) + tuple(r.value for r in Reason)
_CREATE_FIELDS = frozenset(
    {"session_id", "reason", "priority", "customer_sentiment", "query_complexity", "additional_context"}
)
_UPDATE_FIELDS = frozenset({"status", "assigned_agent", "resolution_notes", "customer_satisfaction"})


def format_ticket_id(year: int, sequence: int) -> str:
    return f"TKT-{year}-{sequence:06d}"


def estimate_response_minutes(priority: Priority, tickets_ahead: int) -> int:
    minutes = BASE_MINUTES[priority] + MINUTES_PER_TICKET_AHEAD * max(0, tickets_ahead)
    return 5 * math.ceil(minutes / 5)


def format_timeframe(minutes: int) -> str:
    """'15 minutes', '1 hour', '5 hours', '2 days' (rounded up: a promise, not an average)."""
    if minutes < 60:
        return f"{minutes} minutes"
    if minutes < 48 * 60:
        hours = math.ceil(minutes / 60)
        return "1 hour" if hours == 1 else f"{hours} hours"
    return f"{math.ceil(minutes / 1440)} days"


def _text(body: dict[str, Any], key: str, max_len: int, *, required: bool = False) -> str | None:
    value = body.get(key)
    if value is None:
        if required:
            raise Invalid(f"Missing required field: {key}", {"field": key})
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > max_len:
        raise Invalid(f"{key} must be a non-empty string of at most {max_len} characters", {"field": key})
    return value


def _score(body: dict[str, Any], key: str, low: float, high: float) -> float | None:
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise Invalid(f"{key} must be a number in [{low}, {high}]", {"field": key, "min": low, "max": high})
    return float(value)


def _reject_unknown(body: Any, allowed: frozenset[str]) -> None:
    if not isinstance(body, dict):
        raise Invalid("request body must be a JSON object", {"field": "body"})
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise Invalid(f"unknown field: {unknown[0]}", {"field": unknown[0]})


def validate_create(body: Any) -> dict[str, Any]:
    """A POST /api/escalation body -> clean fields; wrong or missing fields raise Invalid naming them."""
    _reject_unknown(body, _CREATE_FIELDS)
    session_id = _text(body, "session_id", 200, required=True)
    if body.get("reason") is None:
        raise Invalid("Missing required field: reason", {"field": "reason"})
    if body["reason"] not in ALLOWED_REASONS:
        raise Invalid("reason is not a known escalation reason", {"field": "reason", "allowed": list(ALLOWED_REASONS)})
    if body.get("priority") is None:
        raise Invalid("Missing required field: priority", {"field": "priority"})
    priority = parse_enum(Priority, body["priority"], "priority")
    return {
        "session_id": session_id,
        "reason": body["reason"],
        "priority": priority,
        "customer_sentiment": _score(body, "customer_sentiment", -1.0, 1.0),
        "query_complexity": _score(body, "query_complexity", 0.0, 1.0),
        "additional_context": _text(body, "additional_context", 10_000),
    }


def plan_update(ticket: dict[str, Any], body: Any, now: str) -> dict[str, Any]:
    """The $set changes a PUT /api/escalation/{id} body makes to a stored ticket.

    Invalid (400) for a malformed field; Conflict (409) for a transition the lifecycle forbids, with
    details {field, current, requested, allowed}. Assigning an agent to an open ticket assigns it."""
    _reject_unknown(body, _UPDATE_FIELDS)
    if not body:
        raise Invalid("nothing to update", {"field": "body", "allowed": sorted(_UPDATE_FIELDS)})
    current = TicketStatus(ticket["status"])
    agent = _text(body, "assigned_agent", 200)
    notes = _text(body, "resolution_notes", 10_000)
    satisfaction = body.get("customer_satisfaction")
    if satisfaction is not None and (
        isinstance(satisfaction, bool) or not isinstance(satisfaction, int) or not 1 <= satisfaction <= 5
    ):
        raise Invalid("customer_satisfaction must be an integer from 1 to 5", {"field": "customer_satisfaction"})
    if body.get("status") is not None:
        target = parse_enum(TicketStatus, body["status"], "status")
    else:
        target = TicketStatus.ASSIGNED if agent and current is TicketStatus.OPEN else current
    changes: dict[str, Any] = {"updated_at": now}
    changes.update(_transition(current, target, agent or ticket.get("assigned_agent"), now))
    if agent is not None:
        if current is TicketStatus.CLOSED:
            raise Conflict("a closed ticket cannot be reassigned", {"field": "assigned_agent", "current": "closed"})
        changes["assigned_agent"] = agent
    if notes is not None:
        changes["resolution_notes"] = notes
    if satisfaction is not None:
        changes["customer_satisfaction"] = satisfaction
    return changes


def _transition(current: TicketStatus, target: TicketStatus, agent: str | None, now: str) -> dict[str, Any]:
    if target is current:
        return {}
    if target not in TRANSITIONS[current]:
        allowed = sorted(s.value for s in TRANSITIONS[current])
        raise Conflict(
            f"ticket cannot move from {current.value} to {target.value}",
            {"field": "status", "current": current.value, "requested": target.value, "allowed": allowed},
        )
    if target is TicketStatus.ASSIGNED and not agent:
        raise Invalid("assigning a ticket needs assigned_agent", {"field": "assigned_agent"})
    changes: dict[str, Any] = {"status": target.value}
    if target is TicketStatus.OPEN:
        changes["assigned_agent"] = None  # released back to the queue
    else:
        changes[f"{target.value}_at"] = now
    return changes


def ticket_view(doc: dict[str, Any]) -> dict[str, Any]:
    """GET /api/escalation/{ticket_id} body."""
    return {
        "ticket_id": doc["ticket_id"],
        "session_id": doc["session_id"],
        "customer_id": doc.get("customer_id"),
        "reason": doc["reason"],
        "priority": doc["priority"],
        "status": doc["status"],
        "created_at": doc["created_at"],
        "updated_at": doc["updated_at"],
        "assigned_agent": doc.get("assigned_agent"),
        "resolution_notes": doc.get("resolution_notes"),
        "customer_satisfaction": doc.get("customer_satisfaction"),
    }


def created_view(doc: dict[str, Any]) -> dict[str, Any]:
    """POST /api/escalation body; assigned_agent (documented optional) only once an agent is assigned."""
    out = {
        "ticket_id": doc["ticket_id"],
        "session_id": doc["session_id"],
        "priority": doc["priority"],
        "status": doc["status"],
        "created_at": doc["created_at"],
        "estimated_response_time": doc["estimated_response_time"],
    }
    if doc.get("assigned_agent"):
        out["assigned_agent"] = doc["assigned_agent"]
    return out


def event_data(doc: dict[str, Any]) -> dict[str, Any]:
    """The `data` of the seed 001 escalation.created webhook."""
    keys = ("ticket_id", "session_id", "customer_id", "priority", "reason")
    return {key: doc.get(key) for key in keys}


def request_from_decision(decision: EscalationDecision, session_id: str, facts: TurnFacts) -> dict[str, Any]:
    """A POST /api/escalation body for an automatic escalation (seed 001 reason words, no customer text)."""
    body: dict[str, Any] = {
        "session_id": session_id,
        "reason": (decision.support_reason or SupportReason.MANUAL_REQUEST).value,
        "priority": decision.priority.value,
        "additional_context": decision.explanation or None,
    }
    if facts.sentiment_score is not None:
        body["customer_sentiment"] = facts.sentiment_score
    if facts.complexity_score is not None:
        body["query_complexity"] = facts.complexity_score
    return body
