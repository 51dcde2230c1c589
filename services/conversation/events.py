"""Builds the conversation.events messages from stored sessions and turn outcomes; never puts customer text on one."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

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
from services.conversation.domain import now_iso, parse_iso
from services.conversation.pipeline.turn import TurnOutcome

# (event, the session it is about) -> published on conversation.events keyed by session id, in the session's
# tenant; handlers adapt their Publisher to this, the idle sweep the bus itself.
Emit = Callable[[BaseModel, dict[str, Any]], Awaitable[Any]]


def _who(session: dict[str, Any]) -> dict[str, Any]:
    return {"session_id": session["session_id"], "customer_id": session["customer_id"]}


def _seconds_since(start_iso: str, end_iso: str) -> float:
    start, end = parse_iso(start_iso, "created_at"), parse_iso(end_iso, "at")
    return max(0.0, (end - start).total_seconds())


def created(session: dict[str, Any]) -> ConversationCreatedV1:
    return ConversationCreatedV1(
        **_who(session),
        channel=session["channel"],
        dialect=session["dialect"],
        tier=session["current_tier"],
        created_at=session["created_at"],
        test=True if session.get("test") else None,
    )


def received(session: dict[str, Any], message: dict[str, Any], outcome: TurnOutcome) -> MessageReceivedV1:
    reading = outcome.sentiment
    return MessageReceivedV1.model_validate(
        {
            **_who(session),
            "message_id": message["message_id"],
            "channel": session["channel"],
            "tier": session["current_tier"],
            "length": len(message["content"]),
            "sentiment_label": reading.label if reading.available else None,
            "sentiment_score": reading.score if reading.available else None,
            "cs_level": reading.cs_level if reading.available else None,
            "sentiment_available": reading.available,
            "pii_detected": list(outcome.redaction.pii_detected),
            "received_at": message["timestamp"],
        }
    )


def replied(session: dict[str, Any], reply: dict[str, Any], outcome: TurnOutcome) -> MessageRepliedV1:
    meta, answer, verdict = reply["metadata"], outcome.answer, outcome.verdict
    return MessageRepliedV1.model_validate(
        {
            **_who(session),
            "message_id": reply["message_id"],
            "reply_to": meta["reply_to"],
            "channel": session["channel"],
            "dialect": session["dialect"],
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
            "replied_at": reply["timestamp"],
        }
    )


def cache_hit(session: dict[str, Any], reply: dict[str, Any], outcome: TurnOutcome) -> ResponseCacheHitV1:
    answer = outcome.answer
    return ResponseCacheHitV1(
        **_who(session),
        message_id=reply["message_id"],
        knowledge_version=outcome.retrieval.knowledge_version or "",
        saved_tokens=(answer.input_tokens + answer.output_tokens) if answer else 0,
        hit_at=reply["timestamp"],
    )


def escalated(
    session: dict[str, Any], entry: dict[str, Any], *, priority: str, support_reason: str | None, trigger: str
) -> SessionEscalatedV1:
    return SessionEscalatedV1.model_validate(
        {
            **_who(session),
            "from_tier": entry["from_tier"],
            "to_tier": entry["to_tier"],
            "reason": entry["reason"],
            "reasons": entry.get("reasons", [entry["reason"]]),
            "support_reason": support_reason,
            "priority": priority,
            "ticket_id": entry.get("ticket_id"),
            "trigger": trigger,
            "notes": entry.get("notes"),
            "escalated_at": entry["timestamp"],
        }
    )


def resolved(session: dict[str, Any]) -> SessionResolvedV1:
    resolution = session["resolution"]
    return SessionResolvedV1(
        **_who(session),
        tier=session["current_tier"],
        resolution_type=resolution["type"],
        follow_up_required=resolution["follow_up_required"],
        message_count=session["message_count"],
        duration_s=_seconds_since(session["created_at"], session["resolved_at"]),
        escalated=bool(session["escalation_history"]),
        resolved_at=session["resolved_at"],
    )


def feedback_submitted(session: dict[str, Any]) -> FeedbackSubmittedV1:
    feedback = session["feedback"]
    return FeedbackSubmittedV1(
        **_who(session),
        rating=feedback["rating"],
        comment=feedback.get("comment"),
        submitted_at=feedback["submitted_at"],
    )


def closed(session: dict[str, Any], *, ticketed: bool = False) -> SessionClosedV1:
    """`ticketed`: the escalation service holds a ticket for the session (one opened through the API)."""
    return SessionClosedV1(
        **_who(session),
        tier=session["current_tier"],
        message_count=session["message_count"],
        duration_minutes=int(_seconds_since(session["created_at"], session["closed_at"]) // 60),
        escalated=bool(session["escalation_history"]) or ticketed,
        closed_at=session["closed_at"],
    )


def abandoned(session: dict[str, Any], now: datetime) -> SessionAbandonedV1:
    at = now_iso()
    return SessionAbandonedV1(
        **_who(session),
        tier=session["current_tier"],
        message_count=session["message_count"],
        idle_s=max(0.0, (now - parse_iso(session["last_activity_at"], "last_activity_at")).total_seconds()),
        escalated=bool(session["escalation_history"]),
        abandoned_at=at,
    )


def record(turn_events: list[BaseModel]) -> list[dict[str, Any]]:
    """Events as inbox data, to re-publish them on a redelivery (`replay_events`)."""
    registry = default_registry()
    return [{"type": registry.type_of(e), "data": e.model_dump(mode="json")} for e in turn_events]


def replay_events(handled: dict[str, Any]) -> list[BaseModel]:
    registry = default_registry()
    return [registry.model_for(e["type"]).model_validate(e["data"]) for e in handled.get("events", [])]
