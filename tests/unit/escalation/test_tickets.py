"""Escalation tickets through EscalationService on an in-memory store: ids, ETA, lifecycle, validation."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest

from libs.errors import Conflict, Invalid, NotFound
from libs.store import open_store
from services.escalation import replies
from services.escalation.company_config import CompanyConfig
from services.escalation.domain import Priority, Ticket, Tier, TurnFacts
from services.escalation.policy import evaluate
from services.escalation.service import EscalationService
from services.escalation.tickets import (
    TRANSITIONS,
    TicketStatus,
    apply_update,
    estimate_response_minutes,
    format_timeframe,
    request_from_decision,
)

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
BODY = {"session_id": "sess_1", "reason": "negative_sentiment", "priority": "high", "customer_sentiment": -0.6}


@pytest.fixture
async def service():
    store = open_store(database="escalation")
    svc = EscalationService(store, clock=lambda: NOW)
    await svc.start()
    yield svc
    await store.close()


async def test_create_matches_documented_shape(service: EscalationService) -> None:
    created = await service.create_ticket("t1", BODY, customer_id="cust_9")
    assert replies.ticket_receipt(created).model_dump(exclude_none=True) == {
        "ticket_id": "TKT-2026-000001",
        "session_id": "sess_1",
        "priority": "high",
        "status": "open",
        "created_at": "2026-03-01T12:00:00+00:00",
        "estimated_response_time": "1 hour",
    }
    got = await service.get_ticket("t1", "TKT-2026-000001")
    assert got.customer_id == "cust_9" and got.reason == "negative_sentiment"
    assert got.assigned_agent is None and got.customer_satisfaction is None
    assert set(replies.ticket(got).model_dump()) == {
        "ticket_id", "session_id", "customer_id", "reason", "priority", "status", "created_at", "updated_at",
        "assigned_agent", "resolution_notes", "customer_satisfaction",
    }  # fmt: skip


async def test_sequences_are_per_tenant_and_tenants_are_isolated(service: EscalationService) -> None:
    ids = [(await service.create_ticket("t1", BODY)).ticket_id for _ in range(3)]
    assert ids == ["TKT-2026-000001", "TKT-2026-000002", "TKT-2026-000003"]
    assert (await service.create_ticket("t2", BODY)).ticket_id == "TKT-2026-000001"
    assert (await service.get_ticket("t2", "TKT-2026-000001")).session_id == "sess_1"
    with pytest.raises(NotFound):
        await service.get_ticket("t2", "TKT-2026-000002")
    with pytest.raises(NotFound):
        await service.update_ticket("t2", "TKT-2026-000003", {"status": "assigned", "assigned_agent": "a"})


async def test_eta_grows_with_queue_of_equal_or_more_urgent_tickets(service: EscalationService) -> None:
    first = await service.create_ticket("t1", {**BODY, "priority": "medium"})
    assert first.estimated_response_time == "4 hours"
    for _ in range(6):
        await service.create_ticket("t1", {**BODY, "priority": "urgent"})
    # 240 + 10 × 7 open tickets at least as urgent = 310 min -> rounded up to hours
    assert (await service.create_ticket("t1", {**BODY, "priority": "medium"})).estimated_response_time == "6 hours"
    # less urgent tickets ahead do not delay an urgent one; assigned tickets are no longer waiting
    for _ in range(3):
        await service.create_ticket("t3", {**BODY, "priority": "low"})
    assert (await service.create_ticket("t3", {**BODY, "priority": "urgent"})).estimated_response_time == "15 minutes"
    second = await service.create_ticket("t3", {**BODY, "priority": "urgent"})
    assert second.estimated_response_time == "25 minutes"
    await service.update_ticket("t3", second.ticket_id, {"assigned_agent": "a1"})
    assert (await service.create_ticket("t3", {**BODY, "priority": "urgent"})).estimated_response_time == "25 minutes"


def test_eta_formula() -> None:
    assert estimate_response_minutes(Priority.URGENT, 0) == 15
    assert estimate_response_minutes(Priority.URGENT, 3) == 45
    assert estimate_response_minutes(Priority.LOW, 0) == 1440
    assert [format_timeframe(m) for m in (15, 60, 61, 1440, 2880, 3000)] == [
        "15 minutes", "1 hour", "2 hours", "24 hours", "2 days", "3 days"
    ]  # fmt: skip


async def test_full_lifecycle(service: EscalationService) -> None:
    tid = (await service.create_ticket("t1", BODY)).ticket_id
    assigned = await service.update_ticket("t1", tid, {"assigned_agent": "agent_7"})
    assert (assigned.status, assigned.assigned_agent) == ("assigned", "agent_7")
    resolved = await service.update_ticket("t1", tid, {"status": "resolved", "resolution_notes": "refunded"})
    assert resolved.status == "resolved" and resolved.resolution_notes == "refunded"
    closed = await service.update_ticket("t1", tid, {"status": "closed", "customer_satisfaction": 5})
    assert (closed.status, closed.customer_satisfaction) == ("closed", 5)
    tickets, total = await service.list_tickets("t1", session_id="sess_1")
    assert total == 1 and tickets[0].status == "closed"


ALL = list(TicketStatus)


@pytest.mark.parametrize(("current", "target"), [(c, t) for c in ALL for t in ALL if c is not t])
def test_transition_table(current: TicketStatus, target: TicketStatus) -> None:
    ticket = Ticket(
        tenant_id="t1", ticket_id="TKT-2026-000001", session_id="s1", reason="manual_request",
        priority=Priority.HIGH, status=current, created_at="then", updated_at="then",
        estimated_response_minutes=60, estimated_response_time="1 hour", assigned_agent="agent_1",
    )  # fmt: skip
    if target in TRANSITIONS[current]:
        moved = apply_update(ticket, {"status": target.value}, "now")
        assert moved.status is target and moved.updated_at == "now" and ticket.status is current
    else:
        with pytest.raises(Conflict) as err:
            apply_update(ticket, {"status": target.value}, "now")
        assert err.value.details == {
            "field": "status",
            "current": current.value,
            "requested": target.value,
            "allowed": sorted(s.value for s in TRANSITIONS[current]),
        }


def test_forward_chain_is_allowed_and_closed_is_terminal() -> None:
    chain = [TicketStatus.OPEN, TicketStatus.ASSIGNED, TicketStatus.RESOLVED, TicketStatus.CLOSED]
    for a, b in itertools.pairwise(chain):
        assert b in TRANSITIONS[a]
    assert not TRANSITIONS[TicketStatus.CLOSED]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**BODY, "priority": "critical"}, "priority"),
        ({**BODY, "reason": "bored"}, "reason"),
        ({k: v for k, v in BODY.items() if k != "session_id"}, "session_id"),
        ({k: v for k, v in BODY.items() if k != "priority"}, "priority"),
        ({**BODY, "customer_sentiment": 2}, "customer_sentiment"),
        ({**BODY, "query_complexity": "hard"}, "query_complexity"),
        ({**BODY, "colour": "red"}, "colour"),
    ],
)
async def test_invalid_create_names_the_field(service: EscalationService, body: dict, field: str) -> None:
    with pytest.raises(Invalid) as err:
        await service.create_ticket("t1", body)
    assert err.value.details["field"] == field


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "pending"}, "status"),
        ({"customer_satisfaction": 6}, "customer_satisfaction"),
        ({"customer_satisfaction": 0}, "customer_satisfaction"),
        ({"customer_satisfaction": True}, "customer_satisfaction"),
        ({"status": "assigned"}, "assigned_agent"),  # assigning needs an agent
        ({}, "body"),
    ],
)
async def test_invalid_update_names_the_field(service: EscalationService, body: dict, field: str) -> None:
    tid = (await service.create_ticket("t1", BODY)).ticket_id
    with pytest.raises(Invalid) as err:
        await service.update_ticket("t1", tid, body)
    assert err.value.details["field"] == field
    assert (await service.get_ticket("t1", tid)).status == "open"  # nothing half-applied


async def test_refused_transition_is_conflict(service: EscalationService) -> None:
    tid = (await service.create_ticket("t1", BODY)).ticket_id
    with pytest.raises(Conflict) as err:
        await service.update_ticket("t1", tid, {"status": "closed"})
    assert err.value.details["current"] == "open" and err.value.details["allowed"] == ["assigned"]


async def test_seed_002_reasons_are_accepted_too(service: EscalationService) -> None:
    created = await service.create_ticket("t1", {**BODY, "reason": "REFUND_OVER_THRESHOLD"})
    assert (await service.get_ticket("t1", created.ticket_id)).reason == "REFUND_OVER_THRESHOLD"


async def test_ticket_from_an_automatic_decision(service: EscalationService) -> None:
    facts = TurnFacts(sentiment_score=-0.8, irate=True, failed_attempts=2)
    decision = evaluate(facts, CompanyConfig.default("t1"), Tier.AI_REP)
    created = await service.create_ticket("t1", request_from_decision(decision, "sess_5", facts))
    ticket = await service.get_ticket("t1", created.ticket_id)
    assert (ticket.reason, ticket.priority) == ("negative_sentiment", "high")
