"""Seed 001 outbound webhooks (its "Webhooks" section): `escalation.created` and `session.closed`, field for field."""

from __future__ import annotations

from typing import Any

from libs.contracts.models.conversation import SessionClosedV1
from libs.contracts.models.escalation import EscalationCreatedV1
from services.gateway.fanout.domain import Shaped, Shaper


def escalation_created(data: dict[str, Any], tenant_id: str) -> Shaped:
    event = EscalationCreatedV1.model_validate(data)
    payload = {
        "ticket_id": event.ticket_id,
        "session_id": event.session_id,
        "customer_id": event.customer_id,
        "priority": event.priority,
        "reason": event.reason,
    }
    return Shaped("escalation.created", payload, event.session_id)


def session_closed(data: dict[str, Any], tenant_id: str) -> Shaped:
    event = SessionClosedV1.model_validate(data)
    payload = {
        "session_id": event.session_id,
        "customer_id": event.customer_id,
        "duration_minutes": event.duration_minutes,
        "message_count": event.message_count,
        "escalated": event.escalated,
    }
    return Shaped("session.closed", payload, event.session_id)


# contract type -> shaper; the seed's event names are the values' `event`.
SHAPERS: dict[str, Shaper] = {
    "escalation.EscalationCreated.v1": escalation_created,
    "conversation.SessionClosed.v1": session_closed,
}
EVENTS = ("escalation.created", "session.closed")
