"""Builds the conversation.events messages from stored sessions and turn outcomes; never puts customer text on one."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from pydantic import BaseModel

from libs.contracts.models.conversation import (
    ConversationCreatedV1,
    FeedbackSubmittedV1,
    MessageReceivedV1,
    MessageRepliedV1,
    ResponseCacheHitV1,
    SessionAbandonedV1,
    SessionClosedV1,
    SessionEscalatedV1,
    SessionResolvedV1,
)
from libs.contracts.registry import default_registry
from services.conversation.domain import EscalationEntry, Message, Session, now_iso, parse_iso
from services.conversation.pipeline.turn import TurnOutcome


class SessionKey(Protocol):
    """What publishing an event about a session needs: a `Session`, or the ids of one recorded in an inbox."""

    @property
    def tenant_id(self) -> str: ...

    @property
    def session_id(self) -> str: ...


@dataclass(frozen=True)
class RecordedSession:
    tenant_id: str
    session_id: str


# (event, the session it is about) -> published on conversation.events keyed by session id, in the session's
# tenant; handlers adapt their Publisher to this, the idle sweep the bus itself.
Emit = Callable[[BaseModel, SessionKey], Awaitable[Any]]


def _who(session: Session) -> dict[str, Any]:
    return {"session_id": session.session_id, "customer_id": session.customer_id}


def _seconds_since(start_iso: str, end_iso: str) -> float:
    start, end = parse_iso(start_iso, "created_at"), parse_iso(end_iso, "at")
    return max(0.0, (end - start).total_seconds())


def created(session: Session) -> ConversationCreatedV1:
    return ConversationCreatedV1.model_validate(
        {
            **_who(session),
            "channel": session.channel,
            "dialect": session.dialect,
            "tier": session.current_tier,
            "created_at": session.created_at,
            "test": True if session.test else None,
        }
    )


def received(session: Session, message: Message, outcome: TurnOutcome) -> MessageReceivedV1:
    reading = outcome.sentiment
    return MessageReceivedV1.model_validate(
        {
            **_who(session),
            "message_id": message.message_id,
            "channel": session.channel,
            "tier": session.current_tier,
            "length": len(message.content),
            "sentiment_label": reading.label if reading.available else None,
            "sentiment_score": reading.score if reading.available else None,
            "cs_level": reading.cs_level if reading.available else None,
            "sentiment_available": reading.available,
            "pii_detected": list(outcome.redaction.pii_detected),
            "received_at": message.timestamp,
        }
    )


def replied(session: Session, reply: Message, outcome: TurnOutcome) -> MessageRepliedV1:
    meta, answer, verdict = reply.metadata, outcome.answer, outcome.verdict
    return MessageRepliedV1.model_validate(
        {
            **_who(session),
            "message_id": reply.message_id,
            "reply_to": meta["reply_to"],
            "channel": session.channel,
            "dialect": session.dialect,
            "tier": meta["tier"],
            "ai_generated": meta["ai_generated"],
            "model": answer.model if answer else "",
            "model_id": answer.model_id if answer else "",
            "provider": answer.provider if answer else "",
            "tokens": {"input": meta["tokens"]["input"], "output": meta["tokens"]["output"]},
            "cost_usd": answer.cost_usd if answer and not answer.cached else 0.0,
            "latency_ms": int(meta["latency_ms"]),
            "sentiment_score": outcome.sentiment.score if outcome.sentiment.available else None,
            "cs_level": outcome.sentiment.cs_level if outcome.sentiment.available else None,
            "complexity_score": outcome.complexity,
            "confidence": answer.confidence if answer else None,
            "cached": bool(answer and answer.cached),
            "escalated": verdict.escalate,
            "escalation_reasons": list(verdict.reasons),
            "sources_count": len(outcome.retrieval.passages),
            "agent_used": outcome.agent,
            "category": outcome.insight_category,
            "requires_human_review": meta["requires_human_review"],
            "compliance_flags": list(outcome.compliance.flags),
            "degraded": list(outcome.steps.degraded),
            "step_ms": dict(outcome.steps.ms),
            "replied_at": reply.timestamp,
        }
    )


def cache_hit(session: Session, reply: Message, outcome: TurnOutcome) -> ResponseCacheHitV1:
    answer = outcome.answer
    return ResponseCacheHitV1(
        **_who(session),
        message_id=reply.message_id,
        knowledge_version=outcome.retrieval.knowledge_version or "",
        saved_tokens=(answer.input_tokens + answer.output_tokens) if answer else 0,
        hit_at=reply.timestamp,
    )


def escalated(
    session: Session, entry: EscalationEntry, *, priority: str, support_reason: str | None, trigger: str
) -> SessionEscalatedV1:
    return SessionEscalatedV1.model_validate(
        {
            **_who(session),
            "from_tier": entry.from_tier,
            "to_tier": entry.to_tier,
            "reason": entry.reason,
            "reasons": entry.reasons or [entry.reason],
            "support_reason": support_reason,
            "priority": priority,
            "ticket_id": entry.ticket_id,
            "trigger": trigger,
            "notes": entry.notes,
            "escalated_at": entry.timestamp,
        }
    )


def resolved(session: Session) -> SessionResolvedV1:
    resolution, resolved_at = session.resolution, session.resolved_at
    assert resolution is not None and resolved_at is not None, "only a resolved session"
    return SessionResolvedV1.model_validate(
        {
            **_who(session),
            "tier": session.current_tier,
            "resolution_type": resolution.type,
            "follow_up_required": resolution.follow_up_required,
            "message_count": session.message_count,
            "duration_s": _seconds_since(session.created_at, resolved_at),
            "escalated": bool(session.escalation_history),
            "resolved_at": resolved_at,
        }
    )


def feedback_submitted(session: Session) -> FeedbackSubmittedV1:
    feedback = session.feedback
    assert feedback is not None, "only a rated session"
    return FeedbackSubmittedV1(
        **_who(session), rating=feedback.rating, comment=feedback.comment, submitted_at=feedback.submitted_at
    )


def closed(session: Session, *, ticketed: bool = False) -> SessionClosedV1:
    """`ticketed`: the escalation service holds a ticket for the session (one opened through the API)."""
    closed_at = session.closed_at
    assert closed_at is not None, "only a closed session"
    return SessionClosedV1.model_validate(
        {
            **_who(session),
            "tier": session.current_tier,
            "message_count": session.message_count,
            "duration_minutes": int(_seconds_since(session.created_at, closed_at) // 60),
            "escalated": bool(session.escalation_history) or ticketed,
            "closed_at": closed_at,
        }
    )


def abandoned(session: Session, now: datetime) -> SessionAbandonedV1:
    idle_s = max(0.0, (now - parse_iso(session.last_activity_at, "last_activity_at")).total_seconds())
    return SessionAbandonedV1.model_validate(
        {
            **_who(session),
            "tier": session.current_tier,
            "message_count": session.message_count,
            "idle_s": idle_s,
            "escalated": bool(session.escalation_history),
            "abandoned_at": now_iso(),
        }
    )


def record(turn_events: list[BaseModel]) -> list[dict[str, Any]]:
    """Events as inbox data, to re-publish them on a redelivery (`replay_events`)."""
    registry = default_registry()
    return [{"type": registry.type_of(e), "data": e.model_dump(mode="json")} for e in turn_events]


def replay_events(handled: dict[str, Any]) -> list[BaseModel]:
    registry = default_registry()
    return [registry.model_for(e["type"]).model_validate(e["data"]) for e in handled.get("events", [])]
