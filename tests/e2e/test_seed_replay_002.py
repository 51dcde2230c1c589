"""Replays every seed 002 (tiered AI customer service) example under the /cs prefix: JWT login, config, a session's
life (start, read, list, message, escalate, resolve), the documented error codes."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Stack
from tests.e2e.seed_examples import (
    WEBHOOK_PAYLOAD,
    Between,
    Each,
    OneOf,
    Opt,
    WebhookSink,
    built,
    check,
    client,
    iso,
    login,
    rate_limited,
    recent_period,
    register_webhook,
    tiered_error,
    unregister_webhook,
)

pytestmark = pytest.mark.e2e

CS = "/cs"
COMPANY = "default"  # the admin's tenant: seed 002's companyId
CUSTOMER = "0b6f7a8e-5d1c-4c59-9a43-2f1de6c0b1aa"
TIERS = OneOf("AI_REP", "AI_MANAGER", "HUMAN_AGENT")
STATUSES = OneOf("ACTIVE", "WAITING_CUSTOMER", "ESCALATED", "RESOLVED", "ABANDONED")
SENTIMENTS = OneOf("HAPPY", "SATISFIED", "NEUTRAL", "FRUSTRATED", "ANGRY", "IRATE")
CHANNELS = OneOf("voice", "chat", "email", "sms")
CATEGORIES = OneOf(
    "BILLING", "SHIPPING", "PRODUCT_QUALITY", "SUBSCRIPTION", "REFUND", "TECHNICAL", "ACCOUNT", "GENERAL_INQUIRY",
    "COMPLAINT", "CANCELLATION",
)  # fmt: skip
REASONS = OneOf(
    "IRATE_CUSTOMER", "REFUND_REQUEST", "COMPLEX_ISSUE", "REPEAT_CONTACT", "HIGH_VALUE_CUSTOMER", "LEGAL_MENTION",
    "SOCIAL_MEDIA_THREAT", "REFUND_OVER_THRESHOLD", "CUSTOMER_REQUEST", "POLICY_EXCEPTION", "ESCALATED_COMPLAINT",
    "TECHNICAL_LIMITATION",
)  # fmt: skip
AI_ROLES = OneOf("ai_rep", "ai_manager")
AI_METADATA = {
    "aiGenerated": True,
    "model": str,
    "tokens": {"input": int, "output": int},
    "latencyMs": int,
}
ESCALATION = {"fromTier": TIERS, "toTier": TIERS, "reason": REASONS, "timestamp": iso}
SESSION = {
    "id": str,
    "companyId": COMPANY,
    "customerId": str,
    "channel": CHANNELS,
    "currentTier": TIERS,
    "status": STATUSES,
    "issueCategory": Opt(CATEGORIES),
    "issueSummary": Opt(str),
    "customerSentiment": SENTIMENTS,
    "sentimentHistory": Each({"sentiment": SENTIMENTS, "score": Between(0, 1), "timestamp": iso}),
    "escalationHistory": Each(ESCALATION),
    "context": {"customer": {"id": str}},
    "createdAt": iso,
    "updatedAt": iso,
}


@pytest.fixture(scope="module")
def api(stack: Stack) -> Iterator[httpx.Client]:
    """Seed 002 documents JWT bearer authentication: log in first."""
    with client(stack, login(stack)) as http:
        yield http


def _ok(resp: httpx.Response, status: int = 200) -> Any:
    assert resp.status_code == status, resp.text[:2000]
    rate_limited(resp)
    return resp.json()


def test_get_then_update_config(api: httpx.Client) -> None:
    config = _ok(api.get(f"{CS}/config", params={"companyId": COMPANY}))
    capabilities = {
        "canProcessRefunds": bool,
        "maxRefundAmount": float,
        "canModifySubscription": bool,
        "canApplyCredits": bool,
        "maxCreditAmount": float,
    }
    spec = {
        "companyId": COMPANY,
        "enabled": bool,
        "tiers": {
            "aiRep": {
                "enabled": bool,
                "capabilities": capabilities,
                "responseGuidelines": {"tone": str, "maxResponseLength": int},
            },
            "aiManager": {"enabled": bool, "capabilities": capabilities},
            "humanAgent": {"enabled": bool, "escalationPhone": str, "notifyOnEscalation": bool},
        },
        "irateProtocol": {
            "enabled": bool,
            "detectionThreshold": Between(0, 1),
            "triggerKeywords": Each(str),
            "autoEscalate": {"enabled": bool, "afterAttempts": int, "targetTier": TIERS},
        },
    }
    check(config, spec)
    assert (
        config["tiers"]["aiManager"]["capabilities"]["maxRefundAmount"]
        >= (config["tiers"]["aiRep"]["capabilities"]["maxRefundAmount"])
    )

    wanted = config["tiers"]["aiRep"]["capabilities"]["maxCreditAmount"] + 5
    update = {"companyId": COMPANY, "enabled": True, "tiers": {"aiRep": {"capabilities": {"maxCreditAmount": wanted}}}}
    _ok(api.put(f"{CS}/config", json=update))
    after = _ok(api.get(f"{CS}/config", params={"companyId": COMPANY}))
    check(after, spec)
    assert after["tiers"]["aiRep"]["capabilities"]["maxCreditAmount"] == wanted
    # A partial update leaves everything else as it was.
    after["tiers"]["aiRep"]["capabilities"]["maxCreditAmount"] = config["tiers"]["aiRep"]["capabilities"][
        "maxCreditAmount"
    ]
    assert after == config


def test_session_lifecycle(api: httpx.Client) -> None:
    started = _ok(
        api.post(
            f"{CS}/sessions",
            json={
                "companyId": COMPANY,
                "customerId": CUSTOMER,
                "channel": "chat",
                "initialMessage": "I need help with my order",
                "issueCategory": "SHIPPING",
                "metadata": {"source": "website"},
            },
        ),
        201,
    )
    start_spec = {
        "id": str,
        "companyId": COMPANY,
        "customerId": CUSTOMER,
        "channel": "chat",
        "currentTier": "AI_REP",
        "status": "ACTIVE",
        "customerSentiment": SENTIMENTS,
        "messages": list,
        "createdAt": iso,
    }
    check(started, start_spec)
    session_id = started["id"]

    read = _ok(api.get(f"{CS}/sessions/{session_id}"))
    check(read, SESSION | {"id": session_id, "customerId": CUSTOMER, "issueCategory": "SHIPPING"})
    check(read["messages"], Each({"id": str, "role": str, "content": str, "timestamp": iso}))

    listed = _ok(api.get(f"{CS}/sessions", params={"companyId": COMPANY, "customerId": CUSTOMER}))
    check(listed, {"sessions": Each(SESSION, min_len=1), "total": int, "limit": 50, "offset": 0})
    assert session_id in [s["id"] for s in listed["sessions"]]
    assert all(s["customerId"] == CUSTOMER for s in listed["sessions"])

    sent = _ok(api.post(f"{CS}/sessions/{session_id}/messages", json={"message": "When will my order arrive?"}), 201)
    check(
        sent,
        {
            "customerMessage": {
                "id": str,
                "role": "customer",
                "content": "When will my order arrive?",
                "timestamp": iso,
                "sentiment": SENTIMENTS,
            },
            "aiResponse": {
                "id": str,
                "role": AI_ROLES,
                "content": str,
                "timestamp": iso,
                "metadata": AI_METADATA | {"actionsTaken": Each(str), "suggestedActions": Each(str)},
            },
            "sessionUpdate": {"customerSentiment": SENTIMENTS, "issueSummary": str},
        },
    )
    assert sent["aiResponse"]["content"].strip()
    assert sent["customerMessage"]["id"] != sent["aiResponse"]["id"]

    history = _ok(api.get(f"{CS}/sessions/{session_id}"))
    contents = [m["content"] for m in history["messages"]]
    assert "When will my order arrive?" in contents and sent["aiResponse"]["content"] in contents
    replies = [m for m in history["messages"] if m["role"] != "customer"]
    check(replies, Each({"metadata": AI_METADATA}, min_len=1))
    assert history["updatedAt"] >= history["createdAt"]

    escalated = _ok(
        api.post(
            f"{CS}/sessions/{session_id}/escalate",
            json={
                "reason": "CUSTOMER_REQUEST",
                "targetTier": "AI_MANAGER",
                "notes": "Customer specifically asked to speak with a manager",
            },
        )
    )
    entry = ESCALATION | {"fromTier": "AI_REP", "toTier": "AI_MANAGER", "reason": "CUSTOMER_REQUEST"}
    session_spec = {"id": session_id, "currentTier": "AI_MANAGER", "status": "ESCALATED"}
    check(escalated, {"success": True, "session": session_spec | {"escalationHistory": Each(entry, min_len=1)}})
    assert escalated["session"]["escalationHistory"][-1]["notes"] == (
        "Customer specifically asked to speak with a manager"
    )
    by_tier = _ok(api.get(f"{CS}/sessions", params={"companyId": COMPANY, "tier": "AI_MANAGER", "status": "ESCALATED"}))
    assert session_id in [s["id"] for s in by_tier["sessions"]]

    resolution = {
        "resolutionType": "ISSUE_RESOLVED",
        "summary": "Customer's shipping inquiry resolved - provided tracking update",
        "actionsTaken": ["Provided tracking information", "Confirmed delivery date"],
        "followUpRequired": False,
    }
    resolved = _ok(api.post(f"{CS}/sessions/{session_id}/resolve", json=resolution))
    documented = {
        "type": "ISSUE_RESOLVED",
        "summary": resolution["summary"],
        "actionsTaken": resolution["actionsTaken"],
        "followUpRequired": False,
    }
    check(
        resolved,
        {"success": True, "session": {"id": session_id, "status": "RESOLVED", "resolution": dict, "resolvedAt": iso}},
    )
    assert resolved["session"]["resolution"] == documented

    # CS_003: a resolved session takes no second resolution.
    again = api.post(f"{CS}/sessions/{session_id}/resolve", json=resolution)
    tiered_error(again, 400, "CS_003")


def test_initial_message_opens_the_conversation(api: httpx.Client) -> None:
    """initialMessage is "Customer's first message": it is in the session's history, answered like any message."""
    start = {
        "companyId": COMPANY,
        "customerId": CUSTOMER,
        "channel": "chat",
        "initialMessage": "I need help with my order",
    }
    session_id = _ok(api.post(f"{CS}/sessions", json=start), 201)["id"]
    messages = _ok(api.get(f"{CS}/sessions/{session_id}"))["messages"]
    assert messages, "initialMessage is missing from the session's messages"
    check(messages[0], {"id": str, "role": "customer", "content": "I need help with my order", "timestamp": iso})


def test_error_codes(api: httpx.Client) -> None:
    missing = tiered_error(api.get(f"{CS}/sessions/sess_{uuid.uuid4().hex[:12]}"), 404, "CS_002")
    assert "sessionId" in missing["error"]["details"]
    tiered_error(api.get(f"{CS}/sessions/bad id!"), 400, "CS_001")
    tiered_error(api.get(f"{CS}/sessions"), 400, "CS_005")
    started = _ok(
        api.post(f"{CS}/sessions", json={"companyId": COMPANY, "customerId": "c-err", "channel": "email"}), 201
    )
    target = api.post(
        f"{CS}/sessions/{started['id']}/escalate", json={"reason": "COMPLEX_ISSUE", "targetTier": "AI_REP"}
    )
    tiered_error(target, 400, "CS_004")
    blank = api.post(f"{CS}/sessions/{started['id']}/messages", json={"message": "   "})
    tiered_error(blank, 400, "CS_008")
    other = api.get(f"{CS}/config", params={"companyId": "another-company"})
    tiered_error(other, 403, "CS_009")


# -- documented, not built yet ----------------------------------------------------------------------------------
def test_analytics(api: httpx.Client) -> None:
    params = {
        "companyId": COMPANY,
        "startDate": f"{recent_period()[0]}T00:00:00Z",
        "endDate": f"{recent_period()[1]}T00:00:00Z",
        "groupBy": "day",
    }
    report = _ok(built(api.get(f"{CS}/analytics", params=params), "tiered_cs"))
    per_tier = {"tier": TIERS, "sessions": int, "resolved": int, "resolutionRate": Between(0, 100), "avgTime": float}
    spec = {
        "period": {"start": iso, "end": iso},
        "overview": {
            "totalSessions": int,
            "resolvedSessions": int,
            "resolutionRate": Between(0, 100),
            "avgResolutionTime": float,
            "avgMessagesPerSession": float,
            "customerSatisfactionAvg": Opt(float),
        },
        "byTier": Each(per_tier),
        "byChannel": Each({"channel": CHANNELS, "sessions": int, "resolved": int, "avgTime": float}),
        "escalations": {
            "total": int,
            "byReason": dict,
            "avgEscalationTime": float,
            "escalationRate": Between(0, 100),
        },
        "sentiment": {"distribution": dict, "irateIncidents": int, "sentimentImprovement": float},
    }
    check(report, spec)
    assert report["overview"]["totalSessions"] >= 2  # the sessions started above
    assert report["overview"]["resolvedSessions"] >= 1
    assert report["escalations"]["byReason"].get("CUSTOMER_REQUEST", 0) >= 1


def test_webhooks(api: httpx.Client) -> None:
    with WebhookSink().running() as sink:
        events = ["session.created", "session.escalated", "session.resolved", "session.abandoned"]
        hook_id, _ = register_webhook(api, "tiered_cs", sink.url, events)
        started = _ok(
            api.post(f"{CS}/sessions", json={"companyId": COMPANY, "customerId": "c-hook", "channel": "sms"}), 201
        )
        escalate = {"reason": "IRATE_CUSTOMER", "targetTier": "AI_MANAGER"}
        _ok(api.post(f"{CS}/sessions/{started['id']}/escalate", json=escalate))
        _, payload = sink.wait_for("session.escalated")
        check(payload, WEBHOOK_PAYLOAD)
        data = {"sessionId": started["id"], "companyId": COMPANY, "customerId": "c-hook", "fromTier": "AI_REP"}
        check(payload["data"], data | {"toTier": "AI_MANAGER", "reason": "IRATE_CUSTOMER"})
        check(sink.wait_for("session.created")[1], WEBHOOK_PAYLOAD)
        unregister_webhook(api, hook_id)
