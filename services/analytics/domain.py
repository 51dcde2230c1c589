"""Pure analytics logic: one domain event -> one `Fact` (what the rollups count), time buckets, period checks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

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
from libs.contracts.models.escalation import EscalationCreatedV1, EscalationUpdatedV1
from libs.contracts.models.privacy import PiiDetectedV1
from libs.contracts.models.sentiment import SentimentAnalyzedV1
from libs.errors import Invalid

Granularity = Literal["hour", "day", "week", "month"]
GRANULARITIES: tuple[Granularity, ...] = ("hour", "day", "week", "month")
HUMAN_TIER = "HUMAN_AGENT"
TIER_ORDER = ("AI_REP", "AI_MANAGER", HUMAN_TIER)
IRATE = "IRATE"
# Every kind of fact `fact_of` makes (a filter on all of them lets the (tenant, kind, at) index serve a period).
FACT_KINDS = ("conversation", "message", "reply", "cache_hit", "rating", "escalation", "resolved", "closed",
              "abandoned", "analysis", "ticket", "pii")  # fmt: skip
# A period longer than this is refused: it would scan years of rollups for one answer.
MAX_PERIOD = timedelta(days=731)


@dataclass(frozen=True)
class Fact:
    """What one event contributes to the rollups; stored once per event id (the inbox and the effect in one write)."""

    event_id: str
    tenant_id: str
    kind: str
    at: datetime
    session_id: str | None = None
    customer_id: str | None = None
    values: dict[str, Any] = field(default_factory=dict)

    def to_doc(self) -> dict[str, Any]:
        """The stored document: bucket keys precomputed so every granularity is one indexed group-by."""
        at = self.at.astimezone(UTC)
        stamp = iso(at)
        doc: dict[str, Any] = {"id": self.event_id, "tenant_id": self.tenant_id, "kind": self.kind, "at": stamp}
        doc |= {"session_id": self.session_id, "customer_id": self.customer_id}
        doc |= bucket_keys(at, stamp)
        doc |= {k: v for k, v in self.values.items() if v is not None}
        return doc


def iso(at: datetime) -> str:
    """One fixed width, so the stored strings sort in time order on every store."""
    return at.astimezone(UTC).isoformat(timespec="microseconds")


_MIDNIGHT = "T00:00:00.000000+00:00"


def bucket_keys(at: datetime, stamp: str) -> dict[str, str]:
    """`iso(bucket_start(at, g))` for every granularity, cut from `stamp` (`iso(at)`, fixed width): every stored
    fact needs the four, and formatting four datetimes was a tenth of its ingest time."""
    monday = at.date() - timedelta(days=at.weekday())
    return {"hour": stamp[:13] + ":00:00.000000+00:00", "day": stamp[:10] + _MIDNIGHT,
            "week": monday.isoformat() + _MIDNIGHT, "month": stamp[:8] + "01" + _MIDNIGHT}  # fmt: skip


def bucket_start(at: datetime, granularity: Granularity) -> datetime:
    """The UTC start of the bucket holding `at` (weeks start on Monday, ISO 8601)."""
    at = at.astimezone(UTC)
    hour = at.replace(minute=0, second=0, microsecond=0)
    if granularity == "hour":
        return hour
    day = hour.replace(hour=0)
    if granularity == "day":
        return day
    if granularity == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def parse_instant(value: str | datetime, name: str) -> datetime:
    """An ISO 8601 date or datetime as an aware UTC datetime (naive means UTC); Invalid names the field."""
    if isinstance(value, datetime):
        parsed = value
    else:
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise Invalid(f"{name} is not an ISO 8601 date", {"field": name}) from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def check_period(start: datetime, end: datetime, *, start_name: str = "start", end_name: str = "end") -> None:
    if end < start:
        raise Invalid(f"{end_name} is before {start_name}", {"field": end_name})
    if end - start > MAX_PERIOD:
        raise Invalid("The period is longer than 2 years", {"field": end_name})


WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def message_weekday(at: str) -> str | None:
    try:
        return WEEKDAYS[parse_instant(at, "received_at").weekday()]
    except Invalid:
        return None


def _conversation_fact(message: BaseModel) -> tuple[str, dict[str, Any]] | None:
    match message:
        case ConversationCreatedV1():
            return "conversation", {
                "channel": message.channel,
                "tier": message.tier,
                "dialect": message.dialect,
                "test": message.test or None,
            }
        case MessageReceivedV1():
            return "message", {
                "channel": message.channel,
                "tier": message.tier,
                "sentiment_label": message.sentiment_label,
                "sentiment_score": message.sentiment_score,
                "cs_level": message.cs_level,
                "irate": message.cs_level == IRATE,
                "weekday": message_weekday(message.received_at),
            }
        case MessageRepliedV1():
            return "reply", {
                "model": message.model,
                "provider": message.provider,
                "model_provider": f"{message.model}\t{message.provider}",  # which provider served each model
                "tokens_input": message.tokens.input,
                "tokens_output": message.tokens.output,
                "cost_usd": message.cost_usd,
                "latency_ms": message.latency_ms,
                "ai_generated": message.ai_generated,
                "cached": message.cached,
                "issue": message.category,
                "tier": message.tier,
                "turn_sentiment": message.sentiment_score,
                "complexity": message.complexity_score,
                "agent": message.agent_used,
                "generation_ms": message.step_ms.get("generation"),
                "retrieval_ms": message.step_ms.get("retrieval"),
                "degraded": bool(message.degraded),
            }
        case ResponseCacheHitV1():
            return "cache_hit", {"saved_tokens": message.saved_tokens}
        case FeedbackSubmittedV1():
            return "rating", {"rating": message.rating, "source": "feedback"}
    return None


def _lifecycle_fact(message: BaseModel) -> tuple[str, dict[str, Any]] | None:
    match message:
        case SessionEscalatedV1():
            return "escalation", {"reason": message.reason, "to_tier": message.to_tier, "trigger": message.trigger}
        case SessionResolvedV1():
            # AI-resolved: closed as resolved without ever reaching a human (README: definitions).
            ai = not message.escalated and message.tier != HUMAN_TIER
            return "resolved", {
                "tier": message.tier,
                "duration_s": message.duration_s,
                "message_count": message.message_count,
                "escalated": message.escalated,
                "ai_resolved": ai,
            }
        case SessionClosedV1():
            return "closed", {
                "message_count": message.message_count,
                "tier": message.tier,
                "duration_s": message.duration_minutes * 60,
            }
        case SessionAbandonedV1():
            return "abandoned", {"message_count": message.message_count, "tier": message.tier}
    return None


def _other_fact(message: BaseModel) -> tuple[str, dict[str, Any]] | None:
    match message:
        case SentimentAnalyzedV1():
            return "analysis", {"sentiment_label": message.label, "sentiment_score": message.score}
        case EscalationCreatedV1():
            return "ticket", {"reason": message.reason, "priority": message.priority}
        case EscalationUpdatedV1() if "customer_satisfaction" in message.changed and message.customer_satisfaction:
            # Seed 001's ticket rating: a collected satisfaction score, counted once per change.
            return "rating", {"rating": message.customer_satisfaction, "source": "ticket"}
        case PiiDetectedV1():
            return "pii", {"pii_total": message.total}
    return None


_SESSION_TIMESTAMPS = ("updated_at", "created_at", "received_at", "replied_at", "hit_at", "escalated_at", "resolved_at")
_LATER_TIMESTAMPS = ("closed_at", "abandoned_at", "submitted_at")


def occurred_at(message: BaseModel, sent_at: datetime) -> datetime:
    """The event's own timestamp when it carries one (replays keep their time), else the envelope's."""
    for name in _SESSION_TIMESTAMPS + _LATER_TIMESTAMPS:
        value = getattr(message, name, None)
        if isinstance(value, str | datetime):
            try:
                return parse_instant(value, name)
            except Invalid:
                break
    return sent_at.astimezone(UTC)


def fact_of(message: BaseModel, *, event_id: str, tenant_id: str, sent_at: datetime) -> Fact | None:
    """The fact an event contributes, or None when the rollups do not count this type."""
    found = _conversation_fact(message) or _lifecycle_fact(message) or _other_fact(message)
    if found is None:
        return None
    kind, values = found
    return Fact(
        event_id=event_id,
        tenant_id=tenant_id,
        kind=kind,
        at=occurred_at(message, sent_at),
        session_id=getattr(message, "session_id", None),
        customer_id=getattr(message, "customer_id", None),
        values=values,
    )
