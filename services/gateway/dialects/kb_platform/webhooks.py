"""Seed 003 outbound webhooks ("Webhooks"): conversation.created/escalated/resolved, message.received and
feedback.submitted, in its snake_case (`conversation_id`, `user_id` = the customer). conversation.escalated is the
documented payload exactly (`assigned_agent` is null until a human picks the ticket up)."""

from __future__ import annotations

from typing import Any

from libs.contracts.models.conversation import (
    ConversationCreatedV1,
    MessageReceivedV1,
    SessionEscalatedV1,
    SessionResolvedV1,
)
from services.gateway.fanout.domain import Shaped, Shaper


def conversation_created(data: dict[str, Any], tenant_id: str) -> Shaped:
    e = ConversationCreatedV1.model_validate(data)
    payload = {"conversation_id": e.session_id, "user_id": e.customer_id, "channel": e.channel}
    return Shaped("conversation.created", payload | {"created_at": e.created_at}, e.session_id)


def conversation_escalated(data: dict[str, Any], tenant_id: str) -> Shaped:
    e = SessionEscalatedV1.model_validate(data)
    payload = {"conversation_id": e.session_id, "user_id": e.customer_id, "reason": e.reason, "assigned_agent": None}
    return Shaped("conversation.escalated", payload, e.session_id)


def conversation_resolved(data: dict[str, Any], tenant_id: str) -> Shaped:
    e = SessionResolvedV1.model_validate(data)
    payload = {
        "conversation_id": e.session_id,
        "user_id": e.customer_id,
        "resolution_type": e.resolution_type,
        "message_count": e.message_count,
        "resolved_at": e.resolved_at,
    }
    return Shaped("conversation.resolved", payload, e.session_id)


def message_received(data: dict[str, Any], tenant_id: str) -> Shaped:
    """The event never carries the message text (the contract keeps customer text off the bus)."""
    e = MessageReceivedV1.model_validate(data)
    payload = {
        "conversation_id": e.session_id,
        "user_id": e.customer_id,
        "message_id": e.message_id,
        "channel": e.channel,
        "sentiment": {"label": e.sentiment_label, "score": e.sentiment_score},
        "received_at": e.received_at,
    }
    return Shaped("message.received", payload, e.session_id)


def feedback_submitted(data: dict[str, Any], tenant_id: str) -> Shaped:
    """conversation.FeedbackSubmitted.v1 (session_id, rating, comment, submitted_at); its contract lands with the
    analytics work, so the fields are read by name here rather than through the generated model."""
    payload = {
        "conversation_id": str(data["session_id"]),
        "rating": data["rating"],
        "comment": data.get("comment"),
        "submitted_at": data["submitted_at"],
    }
    return Shaped("feedback.submitted", payload, payload["conversation_id"])


SHAPERS: dict[str, Shaper] = {
    "conversation.ConversationCreated.v1": conversation_created,
    "conversation.SessionEscalated.v1": conversation_escalated,
    "conversation.SessionResolved.v1": conversation_resolved,
    "conversation.MessageReceived.v1": message_received,
    "conversation.FeedbackSubmitted.v1": feedback_submitted,
}
EVENTS = (
    "conversation.created",
    "conversation.escalated",
    "conversation.resolved",
    "message.received",
    "feedback.submitted",
)
