"""escalation.EvaluateTurn / CheckEscalation / ListTickets over the bus (as the conversation service calls them):
the issue's scenarios give the expected tier and reasons under the tenant's config, tickets and events follow."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import Request

from libs.bus import MemoryBus, Publisher
from libs.bus.base import MessageContext
from libs.bus.envelope import Envelope
from libs.contracts.models.escalation import (
    CheckEscalationV1,
    CreateTicketV1,
    EscalationDecisionV1,
    EscalationStepV1,
    EvaluateTurnV1,
    ListTicketsV1,
    TicketListV1,
)
from libs.errors import Invalid, InvalidEscalationTarget
from libs.store import open_store
from services.escalation.handlers import CommandLog, handle_create_ticket
from services.escalation.service import EscalationService
from services.gateway.dialects.tiered_cs.envelope import DIALECT as TIERED_CS
from tests.unit.escalation_api.conftest import KEY_AUTH, TENANT, Platform

TOPIC = "escalation.commands"


async def _evaluate(platform: Platform, **fields: Any) -> dict[str, Any]:
    command = EvaluateTurnV1.model_validate(
        {"session_id": "sess-1", "current_tier": "AI_REP", "create_ticket": False} | fields
    )
    reply = await platform.bus.request(TOPIC, command, key=command.session_id, tenant_id=TENANT, timeout=5)
    assert reply.type == "escalation.EscalationDecision.v1"
    return EscalationDecisionV1.model_validate(reply.data).model_dump(mode="json")


def _verdict(decision: dict[str, Any]) -> tuple[bool, str, list[str], str]:
    return decision["escalate"], decision["target_tier"], decision["reasons"], decision["priority"]


async def test_irate_customer_is_escalated_after_two_attempts(platform: Platform) -> None:
    text = "This is unacceptable, I am furious with you people!"
    first = await _evaluate(platform, text=text, facts={"failed_attempts": 1})
    assert _verdict(first) == (False, "AI_REP", [], "low")
    assert first["irate"] and "de-escalation attempt 2 of 2" in first["explanation"]
    second = await _evaluate(platform, text=text, facts={"failed_attempts": 2})
    assert _verdict(second) == (True, "AI_MANAGER", ["IRATE_CUSTOMER"], "high")
    assert second["irate"] and second["support_reason"] == "negative_sentiment"
    # The same from the sentiment service's facts alone, no text.
    scored = await _evaluate(
        platform, facts={"sentiment_score": -0.9, "sentiment_level": "IRATE", "failed_attempts": 2}
    )
    assert _verdict(scored) == (True, "AI_MANAGER", ["IRATE_CUSTOMER"], "high")


async def test_negative_sentiment_rule_on_request(platform: Platform) -> None:
    """Seed 001's first-contact escalation of a very frustrated customer happens only when the caller asks for it
    (support-agent sessions); otherwise the company's irate protocol gives de-escalation attempts first."""
    facts = {"sentiment_score": -0.8, "sentiment_level": "IRATE", "failed_attempts": 0, "repeat_contacts": 2}
    plain = await _evaluate(platform, facts=facts)
    assert plain["reasons"] == ["REPEAT_CONTACT"] and plain["support_reason"] == "repeated_failures"
    seed001 = await _evaluate(platform, facts=facts, negative_sentiment=True, create_ticket=True, customer_id="c1")
    assert _verdict(seed001) == (True, "AI_MANAGER", ["IRATE_CUSTOMER", "REPEAT_CONTACT"], "high")
    assert seed001["support_reason"] == "negative_sentiment"
    ticket = (await platform.client.get(f"/api/escalation/{seed001['ticket_id']}", headers=KEY_AUTH)).json()
    assert (ticket["reason"], ticket["customer_id"], ticket["priority"]) == ("negative_sentiment", "c1", "high")


async def test_refund_of_150_goes_past_the_manager_to_a_human_with_a_ticket(platform: Platform) -> None:
    # Default authority: the AI rep may not refund (0), the AI manager up to 100.
    text = "I want a refund of €150 for the broken kettle"
    decision = await _evaluate(platform, text=text, create_ticket=True, customer_id="cust-9")
    assert _verdict(decision)[:3] == (True, "HUMAN_AGENT", ["REFUND_OVER_THRESHOLD"])
    assert "150.00 EUR" in decision["explanation"] and decision["ticket_id"].startswith("TKT-")
    ticket = (await platform.client.get(f"/api/escalation/{decision['ticket_id']}", headers=KEY_AUTH)).json()
    assert (ticket["session_id"], ticket["customer_id"], ticket["status"]) == ("sess-1", "cust-9", "open")
    assert ticket["reason"] == decision["support_reason"] and ticket["priority"] == decision["priority"]
    (event,) = platform.events_of("escalation.EscalationCreated.v1")
    assert (event["ticket_id"], event["source"], event["from_tier"], event["to_tier"], event["reasons"]) == (
        decision["ticket_id"], "policy", "AI_REP", "HUMAN_AGENT", ["REFUND_OVER_THRESHOLD"],
    )  # fmt: skip
    assert event["customer_id"] == "cust-9" and "kettle" not in str(event)
    # Within the manager's authority the same turn goes to the manager; at the manager it stays.
    small = await _evaluate(platform, text="Please refund €80")
    assert _verdict(small)[:3] == (True, "AI_MANAGER", ["REFUND_REQUEST"])
    assert not (await _evaluate(platform, text="Please refund €80", current_tier="AI_MANAGER"))["escalate"]


async def test_the_tenants_config_decides_authority(platform: Platform) -> None:
    patch = {"companyId": TENANT, "tiers": {"aiManager": {"capabilities": {"maxRefundAmount": 200}}}}
    assert (await platform.client.put("/cs/config", json=patch, headers=KEY_AUTH)).status_code == 200
    decision = await _evaluate(platform, text="I want a refund of €150")
    assert _verdict(decision)[:3] == (True, "AI_MANAGER", ["REFUND_REQUEST"])
    keywords = {"companyId": TENANT, "irateProtocol": {"triggerKeywords": ["livid"]}}
    await platform.client.put("/cs/config", json=keywords, headers=KEY_AUTH)
    assert (await _evaluate(platform, text="I am livid", facts={"failed_attempts": 2}))["reasons"] == ["IRATE_CUSTOMER"]


async def test_legal_threat_is_urgent_for_the_manager(platform: Platform) -> None:
    decision = await _evaluate(platform, text="Fix this or my lawyer will be in touch")
    assert _verdict(decision) == (True, "AI_MANAGER", ["LEGAL_MENTION"], "urgent")
    assert decision["support_reason"] == "policy_violation"


async def test_unhappy_vip_goes_to_the_manager_a_content_one_does_not(platform: Platform) -> None:
    unhappy = await _evaluate(platform, facts={"is_vip": True, "sentiment_score": -0.5})
    assert _verdict(unhappy) == (True, "AI_MANAGER", ["HIGH_VALUE_CUSTOMER"], "high")
    content = await _evaluate(platform, facts={"is_vip": True, "sentiment_level": "HAPPY"})
    assert not content["escalate"]


async def test_calm_question_is_not_escalated_and_opens_no_ticket(platform: Platform) -> None:
    decision = await _evaluate(platform, text="What are your opening hours?", create_ticket=True)
    assert _verdict(decision) == (False, "AI_REP", [], "low")
    assert decision["ticket_id"] is None and decision["support_reason"] is None
    assert platform.events() == []


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"facts": {"sentiment_score": -2}}, "facts.sentiment_score"),
        ({"facts": {"sentiment_level": "MEH"}}, "facts.sentiment_level"),
        ({"facts": {"failed_attempts": -1}}, "facts.failed_attempts"),
        ({"current_tier": "AI_INTERN"}, "current_tier"),
    ],
)
async def test_bad_facts_are_invalid_naming_the_field(platform: Platform, fields: dict[str, Any], field: str) -> None:
    with pytest.raises(Invalid) as caught:
        await _evaluate(platform, **fields)
    assert caught.value.details["field"] == field


async def test_check_escalation_and_cs_004(platform: Platform) -> None:
    ok = CheckEscalationV1(current_tier="AI_REP", reason="CUSTOMER_REQUEST", target_tier="AI_MANAGER", notes="asked")
    reply = await platform.bus.request(TOPIC, ok, key="sess-1", tenant_id=TENANT, timeout=5)
    step = EscalationStepV1.model_validate(reply.data)
    assert (step.from_tier, step.to_tier, step.reason, step.notes) == (
        "AI_REP",
        "AI_MANAGER",
        "CUSTOMER_REQUEST",
        "asked",
    )
    for current, target in (
        ("AI_MANAGER", "AI_MANAGER"),
        ("HUMAN_AGENT", "AI_MANAGER"),
        ("AI_REP", "BOSS"),
        ("AI_REP", None),
    ):
        bad = CheckEscalationV1(current_tier=current, reason="CUSTOMER_REQUEST", target_tier=target)
        with pytest.raises(InvalidEscalationTarget) as caught:  # typed, across the bus
            await platform.bus.request(TOPIC, bad, key="sess-1", tenant_id=TENANT, timeout=5)
        assert "cs_code" not in caught.value.details
        # The tiered-cs envelope maps the typed error to the seed's code.
        request = Request({"type": "http", "method": "POST", "path": "/cs/sessions/x/escalate", "headers": []})
        rendered = TIERED_CS.domain_error(request, caught.value)
        assert rendered.status_code == 400 and b'"code":"CS_004"' in rendered.body and b"cs_code" not in rendered.body


async def test_list_tickets_of_a_session(platform: Platform) -> None:
    await _evaluate(platform, text="Fix this or my lawyer will be in touch", create_ticket=True)
    await _evaluate(platform, session_id="sess-2", text="I want a refund of €150", create_ticket=True)
    command = ListTicketsV1(session_id="sess-1", limit=10, offset=0)
    reply = await platform.bus.request(TOPIC, command, key="sess-1", tenant_id=TENANT, timeout=5)
    page = TicketListV1.model_validate(reply.data)
    assert page.total == 1 and [(t.session_id, t.priority) for t in page.tickets] == [("sess-1", "urgent")]


async def test_a_redelivered_create_opens_one_ticket_and_re_emits_identical_events() -> None:
    store = open_store(database="redelivery")
    service, log, bus = EscalationService(store), CommandLog(store), MemoryBus(service_name="t")
    await service.start()
    ctx = MessageContext(
        event_id="evt-1", tenant_id="t1", correlation_id="c", key="s", type="escalation.CreateTicket.v1"
    )
    command = CreateTicketV1(session_id="s", reason="manual_request", priority="low")
    first = await handle_create_ticket(command, ctx=ctx, service=service, log=log, publish=Publisher(bus, ctx))
    again = await handle_create_ticket(command, ctx=ctx, service=service, log=log, publish=Publisher(bus, ctx))
    assert first == again and (await service.list_tickets("t1"))[1] == 1
    events = [Envelope.from_bytes(r.value) for r in bus.broker.records("escalation.events")]
    assert len(events) == 2 and events[0].id == events[1].id != ctx.event_id  # consumers dedupe the second
    assert events[0].data == events[1].data and events[0].data["ticket_id"] == first.ticket_id
    await store.close()
