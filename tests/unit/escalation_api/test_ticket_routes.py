"""Seed 001 /api/escalation through the gateway and the escalation service: documented shapes, the ticket
lifecycle, bad input in the support-agent envelope, tenant isolation and the escalation.* events."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.escalation_api.conftest import KEY_AUTH, Platform

CREATED_KEYS = {"ticket_id", "session_id", "priority", "status", "created_at", "estimated_response_time"}
TICKET_KEYS = {
    "ticket_id", "session_id", "customer_id", "reason", "priority", "status", "created_at", "updated_at",
    "assigned_agent", "resolution_notes", "customer_satisfaction",
}  # fmt: skip
ERROR_KEYS = {"error", "error_type", "message", "details", "timestamp", "request_id"}
SEED_BODY = {
    "session_id": "sess-42",
    "reason": "negative_sentiment",
    "priority": "high",
    "customer_sentiment": -0.8,
    "query_complexity": 0.4,
    "additional_context": "Second failed delivery",
}


@pytest.fixture
async def platform(platform: Platform) -> Platform:
    """The platform with the sessions these tests open tickets for."""
    await platform.open_session("sess-42", "cust-42")
    await platform.open_session("s2", "cust-2")
    return platform


async def _create(platform: Platform, **overrides: Any) -> dict[str, Any]:
    resp = await platform.client.post("/api/escalation", json={**SEED_BODY, **overrides}, headers=KEY_AUTH)
    assert resp.status_code == 200, resp.text
    return dict(resp.json())


async def _put(platform: Platform, ticket_id: str, body: dict[str, Any]) -> Any:
    return await platform.client.put(f"/api/escalation/{ticket_id}", json=body, headers=KEY_AUTH)


def _assert_error(resp: Any, status: int, error_type: str, *, mentions: str | None = None) -> None:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert set(body) == ERROR_KEYS and body["error"] is True and body["error_type"] == error_type
    assert body["request_id"] == resp.headers["X-Request-ID"]
    if mentions is not None:
        assert mentions in body["message"] + (body["details"] or "")


async def test_create_answers_the_documented_shape(platform: Platform) -> None:
    created = await _create(platform)
    assert set(created) == CREATED_KEYS  # assigned_agent is documented optional: absent until assigned
    assert created["ticket_id"].startswith("TKT-") and created["session_id"] == "sess-42"
    assert (created["priority"], created["status"]) == ("high", "open")
    assert created["estimated_response_time"] == "1 hour"  # high = 60 min, nobody ahead
    # The SDK example's minimal body (no optional fields) works too, and a queue ahead lengthens the estimate.
    minimal = await platform.client.post(
        "/api/escalation", json={"session_id": "s2", "reason": "manual_request", "priority": "high"}, headers=KEY_AUTH
    )
    assert minimal.status_code == 200 and minimal.json()["estimated_response_time"] == "2 hours"  # 70 min


async def test_get_answers_every_documented_field(platform: Platform) -> None:
    created = await _create(platform)
    resp = await platform.client.get(f"/api/escalation/{created['ticket_id']}", headers=KEY_AUTH)
    assert resp.status_code == 200
    ticket = resp.json()
    assert set(ticket) == TICKET_KEYS
    assert {k: ticket[k] for k in ("ticket_id", "session_id", "reason", "priority", "status")} == {
        "ticket_id": created["ticket_id"],
        "session_id": "sess-42",
        "reason": "negative_sentiment",
        "priority": "high",
        "status": "open",
    }
    assert ticket["customer_id"] == "cust-42"  # the session's customer
    assert ticket["created_at"] == ticket["updated_at"] == created["created_at"]
    assert ticket["assigned_agent"] is ticket["resolution_notes"] is ticket["customer_satisfaction"] is None


async def test_lifecycle_open_assigned_resolved_closed(platform: Platform) -> None:
    ticket_id = (await _create(platform))["ticket_id"]
    resp = await _put(platform, ticket_id, {"assigned_agent": "agent-7"})  # assigning an open ticket assigns it
    assert resp.status_code == 200 and set(resp.json()) == TICKET_KEYS
    assert (resp.json()["status"], resp.json()["assigned_agent"]) == ("assigned", "agent-7")
    resp = await _put(
        platform, ticket_id, {"status": "resolved", "resolution_notes": "Reshipped", "customer_satisfaction": 4}
    )
    assert resp.status_code == 200
    assert (resp.json()["status"], resp.json()["resolution_notes"], resp.json()["customer_satisfaction"]) == (
        "resolved", "Reshipped", 4,
    )  # fmt: skip
    assert resp.json()["updated_at"] >= resp.json()["created_at"]
    assert (await _put(platform, ticket_id, {"status": "closed"})).json()["status"] == "closed"
    got = await platform.client.get(f"/api/escalation/{ticket_id}", headers=KEY_AUTH)
    assert got.json()["status"] == "closed" and got.json()["assigned_agent"] == "agent-7"


@pytest.mark.parametrize(
    ("path", "body", "mentions"),
    [
        (("open",), {"status": "closed"}, "open to closed"),
        (("open",), {"status": "resolved"}, "open to resolved"),
        (("open", "assigned", "resolved", "closed"), {"status": "open"}, "closed to open"),
        (("open", "assigned", "resolved", "closed"), {"assigned_agent": "agent-9"}, "closed"),
    ],
    ids=["open-to-closed", "open-to-resolved", "reopen-closed", "reassign-closed"],
)
async def test_forbidden_transitions_are_400_validation_errors(
    platform: Platform, path: tuple[str, ...], body: dict[str, Any], mentions: str
) -> None:
    """The service refuses with Conflict; seed 001 lists VALIDATION_ERROR as 400 and documents no 409."""
    ticket_id = (await _create(platform))["ticket_id"]
    steps = {
        "assigned": {"assigned_agent": "agent-7"},
        "resolved": {"status": "resolved"},
        "closed": {"status": "closed"},
    }
    for status in path[1:]:
        assert (await _put(platform, ticket_id, steps[status])).status_code == 200
    resp = await _put(platform, ticket_id, body)
    _assert_error(resp, 400, "VALIDATION_ERROR", mentions=mentions)
    got = await platform.client.get(f"/api/escalation/{ticket_id}", headers=KEY_AUTH)
    assert got.json()["status"] == path[-1]  # nothing changed


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"reason": "bored"}, "reason"),
        ({"priority": "critical"}, "priority"),
        ({"priority": None}, "priority"),
        ({"session_id": ""}, "session_id"),
        ({"customer_sentiment": 3}, "customer_sentiment"),
        ({"query_complexity": "high"}, "query_complexity"),
        ({"surprise": 1}, "surprise"),
    ],
    ids=["reason", "priority", "priority-missing", "session", "sentiment-range", "complexity-type", "unknown"],
)
async def test_bad_create_is_400_naming_the_field(platform: Platform, body: dict[str, Any], field: str) -> None:
    payload = {k: v for k, v in {**SEED_BODY, **body}.items() if v is not None}
    resp = await platform.client.post("/api/escalation", json=payload, headers=KEY_AUTH)
    _assert_error(resp, 400, "VALIDATION_ERROR", mentions=field)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "archived"}, "status"),
        ({"customer_satisfaction": 6}, "customer_satisfaction"),
        ({"customer_satisfaction": "5"}, "customer_satisfaction"),
        ({"assigned_agent": ""}, "assigned_agent"),
        ({}, "body"),
        ({"priority": "low"}, "priority"),
    ],
    ids=["status", "satisfaction-range", "satisfaction-type", "agent-empty", "empty", "unknown"],
)
async def test_bad_update_is_400_naming_the_field(platform: Platform, body: dict[str, Any], field: str) -> None:
    ticket_id = (await _create(platform))["ticket_id"]
    _assert_error(await _put(platform, ticket_id, body), 400, "VALIDATION_ERROR", mentions=field)


async def test_unknown_ticket_is_404_and_other_tenants_see_nothing(platform: Platform) -> None:
    resp = await platform.client.get("/api/escalation/TKT-2026-999999", headers=KEY_AUTH)
    _assert_error(resp, 404, "NOT_FOUND_ERROR", mentions="TKT-2026-999999")
    _assert_error(await _put(platform, "TKT-2026-999999", {"status": "assigned"}), 404, "NOT_FOUND_ERROR")
    ticket_id = (await _create(platform))["ticket_id"]
    outsider = await platform.user("agent", tenant_id="other-co")
    assert (await platform.client.get(f"/api/escalation/{ticket_id}", headers=outsider)).status_code == 404
    resp = await platform.client.put(f"/api/escalation/{ticket_id}", json={"status": "assigned"}, headers=outsider)
    assert resp.status_code == 404


async def test_auth_and_roles(platform: Platform) -> None:
    _assert_error(await platform.client.post("/api/escalation", json=SEED_BODY), 401, "AUTHENTICATION_ERROR")
    reviewer = await platform.user("reviewer")
    resp = await platform.client.post("/api/escalation", json=SEED_BODY, headers=reviewer)
    _assert_error(resp, 403, "AUTHORIZATION_ERROR")
    agent = await platform.user("agent")
    assert (await platform.client.post("/api/escalation", json=SEED_BODY, headers=agent)).status_code == 200


async def test_created_and_updated_events_carry_the_webhook_data(platform: Platform) -> None:
    created = await _create(platform)
    (event,) = platform.events_of("escalation.EscalationCreated.v1")
    # Seed 001 escalation.created webhook data: ticket_id, session_id, customer_id, priority, reason.
    assert {k: event.get(k) for k in ("ticket_id", "session_id", "customer_id", "priority", "reason")} == {
        "ticket_id": created["ticket_id"],
        "session_id": "sess-42",
        "customer_id": "cust-42",
        "priority": "high",
        "reason": "negative_sentiment",
    }
    assert event["source"] == "manual" and "additional_context" not in event
    await _put(platform, created["ticket_id"], {"assigned_agent": "agent-7"})
    await _put(platform, created["ticket_id"], {"status": "resolved", "resolution_notes": "Reshipped"})
    updates = platform.events_of("escalation.EscalationUpdated.v1")
    assert [(u["previous_status"], u["status"], u["changed"]) for u in updates] == [
        ("open", "assigned", ["status", "assigned_agent"]),
        ("assigned", "resolved", ["status", "resolution_notes"]),
    ]
    assert all("resolution_notes" not in u for u in updates)  # free text stays out of events
    envelopes = [e for e in platform.events() if e.type.startswith("escalation.Escalation")]
    assert {e.subject for e in envelopes} == {"sess-42"} and {e.tenantid for e in envelopes} == {"default"}


async def test_ticket_names_the_sessions_customer(platform: Platform) -> None:
    """Seed 001's flow: POST /api/session, then POST /api/escalation for it; the ticket carries that customer."""
    await platform.open_session("sess_abc123", "cust_xyz789")
    body = {"session_id": "sess_abc123", "reason": "manual_request", "priority": "high"}
    created = await platform.client.post("/api/escalation", json=body, headers=KEY_AUTH)
    assert created.status_code == 200, created.text
    ticket = (await platform.client.get(f"/api/escalation/{created.json()['ticket_id']}", headers=KEY_AUTH)).json()
    assert (ticket["session_id"], ticket["customer_id"]) == ("sess_abc123", "cust_xyz789")
    (event,) = [e for e in platform.events_of("escalation.EscalationCreated.v1") if e["session_id"] == "sess_abc123"]
    assert event["customer_id"] == "cust_xyz789"


async def test_ticket_for_an_unknown_session_is_404_and_opens_nothing(platform: Platform) -> None:
    body = {"session_id": "sess_never_opened", "reason": "manual_request", "priority": "low"}
    resp = await platform.client.post("/api/escalation", json=body, headers=KEY_AUTH)
    _assert_error(resp, 404, "NOT_FOUND_ERROR", mentions="sess_never_opened")
    # Another tenant's session is unknown too.
    outsider = await platform.user("agent", tenant_id="other-co")
    await platform.open_session("sess_theirs", "cust_theirs", headers=outsider)
    resp = await platform.client.post("/api/escalation", json={**body, "session_id": "sess_theirs"}, headers=KEY_AUTH)
    _assert_error(resp, 404, "NOT_FOUND_ERROR")
    assert platform.events_of("escalation.EscalationCreated.v1") == []


async def test_session_lists_its_tickets_with_their_current_status(platform: Platform) -> None:
    """Seed 001 GET /api/session/{id} `escalations`: every ticket of that session, as the ticket is now."""
    first = await _create(platform)
    second = await _create(platform, reason="manual_request", priority="low")
    await _create(platform, session_id="s2")  # another session's ticket is not listed
    assert (await _put(platform, first["ticket_id"], {"assigned_agent": "agent-7"})).status_code == 200
    resp = await platform.client.get("/api/session/sess-42", headers=KEY_AUTH)
    assert resp.status_code == 200, resp.text
    assert resp.json()["escalations"] == [
        {"ticket_id": first["ticket_id"], "reason": "negative_sentiment", "created_at": first["created_at"],
         "status": "assigned"},
        {"ticket_id": second["ticket_id"], "reason": "manual_request", "created_at": second["created_at"],
         "status": "open"},
    ]  # fmt: skip
    untouched = await platform.client.get("/api/session/s2", headers=KEY_AUTH)
    assert [e["status"] for e in untouched.json()["escalations"]] == ["open"]


@pytest.mark.parametrize("length", [33, 64])
async def test_priority_and_status_past_the_contract_length_are_400_not_500(platform: Platform, length: int) -> None:
    # Issue 20: the gateway allowed 64 characters where the message contract allows 32, so 33-64 reached a 500.
    resp = await platform.client.post("/api/escalation", json={**SEED_BODY, "priority": "p" * length}, headers=KEY_AUTH)
    _assert_error(resp, 400, "VALIDATION_ERROR", mentions="priority")
    ticket = (await _create(platform))["ticket_id"]
    _assert_error(await _put(platform, ticket, {"status": "s" * length}), 400, "VALIDATION_ERROR", mentions="status")
