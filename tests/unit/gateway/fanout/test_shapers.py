"""Every documented webhook event in its seed's payload, field for field, from the domain event that causes it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from libs.contracts.registry import default_registry
from services.gateway.dialects.kb_platform import webhooks as kb
from services.gateway.dialects.support_agent import webhooks as sa
from services.gateway.dialects.tiered_cs import webhooks as cs
from services.gateway.fanout.webhooks import SHAPERS
from tests.unit.gateway.fanout import events

SAMPLES: list[tuple[str, str, Callable[[], dict[str, Any]], str, dict[str, Any]]] = [
    (
        "support_agent",
        "escalation.EscalationCreated.v1",
        events.escalation_created,
        "escalation.created",
        {
            "ticket_id": "ESC-1",
            "session_id": "sess_1",
            "customer_id": "cust_1",
            "priority": "high",
            "reason": "complex_issue",
        },
    ),
    (
        "support_agent",
        "conversation.SessionClosed.v1",
        events.session_closed,
        "session.closed",
        {
            "session_id": "sess_1",
            "customer_id": "cust_1",
            "duration_minutes": 12,
            "message_count": 4,
            "escalated": False,
        },
    ),
    (
        "tiered_cs",
        "conversation.SessionEscalated.v1",
        events.session_escalated,
        "session.escalated",
        {
            "sessionId": "conv_abc123",
            "companyId": "acme",
            "customerId": "user_12345",
            "fromTier": "AI_REP",
            "toTier": "AI_MANAGER",
            "reason": "IRATE_CUSTOMER",
        },
    ),
    (
        "kb_platform",
        "conversation.SessionEscalated.v1",
        events.session_escalated,
        "conversation.escalated",
        {"conversation_id": "conv_abc123", "user_id": "user_12345", "reason": "IRATE_CUSTOMER", "assigned_agent": None},
    ),
    (
        "kb_platform",
        "conversation.FeedbackSubmitted.v1",
        events.feedback_submitted,
        "feedback.submitted",
        {"conversation_id": "conv_abc123", "rating": 4, "comment": "quick and clear", "submitted_at": events.AT},
    ),
]


@pytest.mark.parametrize(("fmt", "event_type", "make", "name", "payload"), SAMPLES, ids=[s[3] for s in SAMPLES])
def test_documented_payloads_field_for_field(
    fmt: str, event_type: str, make: Callable[[], dict[str, Any]], name: str, payload: dict[str, Any]
) -> None:
    shaped = SHAPERS[fmt][event_type](make(), "acme")
    assert shaped.event == name
    assert shaped.data == payload  # exactly the documented keys, nothing more


@pytest.mark.parametrize(
    ("fmt", "event_type", "make", "name", "keys"),
    [
        ("tiered_cs", "conversation.ConversationCreated.v1", events.conversation_created, "session.created",
         {"sessionId", "companyId", "customerId", "tier", "channel", "createdAt"}),
        ("tiered_cs", "conversation.SessionResolved.v1", events.session_resolved, "session.resolved",
         {"sessionId", "companyId", "customerId", "tier", "resolutionType", "followUpRequired", "messageCount",
          "escalated", "resolvedAt"}),
        ("tiered_cs", "conversation.SessionAbandoned.v1", events.session_abandoned, "session.abandoned",
         {"sessionId", "companyId", "customerId", "tier", "messageCount", "idleSeconds", "escalated", "abandonedAt"}),
        ("kb_platform", "conversation.ConversationCreated.v1", events.conversation_created, "conversation.created",
         {"conversation_id", "user_id", "channel", "created_at"}),
        ("kb_platform", "conversation.SessionResolved.v1", events.session_resolved, "conversation.resolved",
         {"conversation_id", "user_id", "resolution_type", "message_count", "resolved_at"}),
        ("kb_platform", "conversation.MessageReceived.v1", events.message_received, "message.received",
         {"conversation_id", "user_id", "message_id", "channel", "sentiment", "received_at"}),
    ],
)  # fmt: skip
def test_other_events_keep_their_seed_style(
    fmt: str, event_type: str, make: Callable[[], dict[str, Any]], name: str, keys: set[str]
) -> None:
    shaped = SHAPERS[fmt][event_type](make(), "acme")
    assert shaped.event == name and set(shaped.data) == keys
    assert shaped.ordering_key == make()["session_id"]


def test_every_seed_event_has_a_shaper_and_samples_are_contract_valid() -> None:
    for module, names in ((sa, sa.EVENTS), (cs, cs.EVENTS), (kb, kb.EVENTS)):
        assert len(module.SHAPERS) == len(names)
    for event_type, make in [
        ("conversation.ConversationCreated.v1", events.conversation_created),
        ("conversation.SessionEscalated.v1", events.session_escalated),
        ("conversation.SessionResolved.v1", events.session_resolved),
        ("conversation.SessionClosed.v1", events.session_closed),
        ("conversation.SessionAbandoned.v1", events.session_abandoned),
        ("conversation.MessageReceived.v1", events.message_received),
        ("escalation.EscalationCreated.v1", events.escalation_created),
    ]:
        default_registry().validate(event_type, make())  # the samples are what producers may send
