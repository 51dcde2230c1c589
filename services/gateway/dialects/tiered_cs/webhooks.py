"""Seed 002 outbound webhooks ("Webhooks (Outbound)"): session.created/escalated/resolved/abandoned in its camelCase,
`companyId` being the tenant (as everywhere in this dialect). session.escalated is the documented payload exactly;
the other three keep its identifying fields and add their own facts in the same style."""

from __future__ import annotations

from typing import Any

from libs.contracts.models.conversation import (
    ConversationCreatedV1,
    SessionAbandonedV1,
    SessionEscalatedV1,
    SessionResolvedV1,
)
from services.gateway.fanout.domain import Shaped, Shaper


def _who(session_id: str, customer_id: str, tenant_id: str) -> dict[str, Any]:
    return {"sessionId": session_id, "companyId": tenant_id, "customerId": customer_id}


def session_created(data: dict[str, Any], tenant_id: str) -> Shaped:
    e = ConversationCreatedV1.model_validate(data)
    extra = {"tier": e.tier, "channel": e.channel, "createdAt": e.created_at}
    return Shaped("session.created", _who(e.session_id, e.customer_id, tenant_id) | extra, e.session_id)


def session_escalated(data: dict[str, Any], tenant_id: str) -> Shaped:
    e = SessionEscalatedV1.model_validate(data)
    extra = {"fromTier": e.from_tier, "toTier": e.to_tier, "reason": e.reason}
    return Shaped("session.escalated", _who(e.session_id, e.customer_id, tenant_id) | extra, e.session_id)


def session_resolved(data: dict[str, Any], tenant_id: str) -> Shaped:
    e = SessionResolvedV1.model_validate(data)
    extra = {
        "tier": e.tier,
        "resolutionType": e.resolution_type,
        "followUpRequired": e.follow_up_required,
        "messageCount": e.message_count,
        "escalated": e.escalated,
        "resolvedAt": e.resolved_at,
    }
    return Shaped("session.resolved", _who(e.session_id, e.customer_id, tenant_id) | extra, e.session_id)


def session_abandoned(data: dict[str, Any], tenant_id: str) -> Shaped:
    e = SessionAbandonedV1.model_validate(data)
    extra = {
        "tier": e.tier,
        "messageCount": e.message_count,
        "idleSeconds": e.idle_s,
        "escalated": e.escalated,
        "abandonedAt": e.abandoned_at,
    }
    return Shaped("session.abandoned", _who(e.session_id, e.customer_id, tenant_id) | extra, e.session_id)


SHAPERS: dict[str, Shaper] = {
    "conversation.ConversationCreated.v1": session_created,
    "conversation.SessionEscalated.v1": session_escalated,
    "conversation.SessionResolved.v1": session_resolved,
    "conversation.SessionAbandoned.v1": session_abandoned,
}
EVENTS = ("session.created", "session.escalated", "session.resolved", "session.abandoned")
