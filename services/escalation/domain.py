"""Escalation value types: what the policy consumes (TurnFacts) and produces (EscalationDecision), and the
records the store keeps (Ticket, ReviewItem). The enums they use are in vocabulary.py, re-exported here."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from enum import Enum
from typing import Any

from libs.errors import Invalid

# The vocabulary lives in its own module; re-exported because the policy, store and tests name it from here.
from .vocabulary import (
    TIER_CONFIG_KEY,
    IssueCategory,
    Priority,
    Reason,
    ReviewStatus,
    Sentiment,
    SupportReason,
    TicketStatus,
    Tier,
)

__all__ = [
    "TIER_CONFIG_KEY",
    "EscalationDecision",
    "IssueCategory",
    "Priority",
    "Reason",
    "ReviewItem",
    "ReviewStatus",
    "Sentiment",
    "SupportReason",
    "Ticket",
    "TicketStatus",
    "Tier",
    "TurnFacts",
    "facts_from_dict",
    "parse_enum",
]


@dataclass(frozen=True, slots=True)
class TurnFacts:
    """Everything the policy looks at for one customer turn; every field is optional.

    sentiment_score is the platform's −1..1 scale (negative = unhappy); failed_attempts counts AI replies
    at the current tier that did not resolve the issue; repeat_contacts counts earlier contacts about it."""

    sentiment_score: float | None = None
    sentiment_level: Sentiment | None = None
    irate: bool = False
    irate_keywords: tuple[str, ...] = ()
    retrieval_confidence: float | None = None
    complexity_score: float | None = None
    category: IssueCategory | None = None
    refund_amount: float | None = None
    credit_amount: float | None = None
    currency: str | None = None
    subscription_change: bool = False
    is_vip: bool = False
    lifetime_value: float | None = None
    repeat_contacts: int = 0
    failed_attempts: int = 0
    human_requested: bool = False
    manager_requested: bool = False
    legal_threat: bool = False
    social_media_threat: bool = False
    policy_flags: tuple[str, ...] = ()

    def merged(self, partial: dict[str, Any]) -> TurnFacts:
        """These facts overlaid with a partial mapping (e.g. from extract_facts); booleans are OR-ed."""
        return facts_from_dict({**self.to_dict(), **_or_merge(self, partial)})

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for key, value in out.items():
            if isinstance(value, Enum):
                out[key] = value.value
            elif isinstance(value, tuple):
                out[key] = list(value)
        return out


def _or_merge(base: TurnFacts, partial: dict[str, Any]) -> dict[str, Any]:
    merged = dict(partial)
    for key, value in partial.items():
        current = getattr(base, key, None)
        if isinstance(current, bool) and isinstance(value, bool):
            merged[key] = current or value
        elif isinstance(current, tuple) and isinstance(value, list | tuple):
            merged[key] = tuple(dict.fromkeys((*current, *value)))
    return merged


_FIELD_NAMES = frozenset(f.name for f in fields(TurnFacts))
_ENUM_FIELDS: dict[str, type[Enum]] = {"sentiment_level": Sentiment, "category": IssueCategory}
_FLOAT_RANGES = {
    "sentiment_score": (-1.0, 1.0),
    "retrieval_confidence": (0.0, 1.0),
    "complexity_score": (0.0, 1.0),
    "refund_amount": (0.0, float("inf")),
    "credit_amount": (0.0, float("inf")),
    "lifetime_value": (0.0, float("inf")),
}
_INT_FIELDS = ("repeat_contacts", "failed_attempts")
_BOOL_FIELDS = frozenset(
    {"irate", "subscription_change", "is_vip", "human_requested", "manager_requested", "legal_threat"}
    | {"social_media_threat"}
)


def facts_from_dict(payload: dict[str, Any]) -> TurnFacts:
    """TurnFacts from a JSON-ish mapping (a bus command); wrong fields raise Invalid naming the field."""
    unknown = sorted(set(payload) - _FIELD_NAMES)
    if unknown:
        raise Invalid(f"unknown fact: {unknown[0]}", {"field": f"facts.{unknown[0]}"})
    values: dict[str, Any] = {}
    for key, value in payload.items():
        if value is not None:
            values[key] = _coerce_fact(key, value)
    return TurnFacts(**values)


def _coerce_fact(key: str, value: Any) -> Any:
    where = {"field": f"facts.{key}"}
    if key in _ENUM_FIELDS:
        try:
            return _ENUM_FIELDS[key](value)
        except ValueError:
            allowed = [m.value for m in _ENUM_FIELDS[key]]
            raise Invalid(f"{key} must be one of {allowed}", {**where, "allowed": allowed}) from None
    if key in _FLOAT_RANGES:
        low, high = _FLOAT_RANGES[key]
        if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
            raise Invalid(f"{key} must be a number in [{low}, {high}]", where)
        return float(value)
    if key in _INT_FIELDS:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise Invalid(f"{key} must be a non-negative integer", where)
        return value
    if key in _BOOL_FIELDS:
        if not isinstance(value, bool):
            raise Invalid(f"{key} must be a boolean", where)
        return value
    if key in ("irate_keywords", "policy_flags"):
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise Invalid(f"{key} must be a list of strings", where)
        return tuple(value)
    if not isinstance(value, str):  # currency
        raise Invalid(f"{key} must be a string", where)
    return value


@dataclass(frozen=True, slots=True)
class EscalationDecision:
    """The policy's verdict for one turn. `reasons` is ordered most severe first; `support_reason` is the
    seed 001 word for the leading trigger; `irate` says whether the irate protocol saw an irate customer."""

    escalate: bool
    target_tier: Tier
    reasons: list[Reason] = field(default_factory=list)
    priority: Priority = Priority.LOW
    explanation: str = ""
    support_reason: SupportReason | None = None
    irate: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "escalate": self.escalate,
            "target_tier": self.target_tier.value,
            "reasons": [r.value for r in self.reasons],
            "priority": self.priority.value,
            "explanation": self.explanation,
            "support_reason": self.support_reason.value if self.support_reason else None,
            "irate": self.irate,
        }


def parse_enum(enum_type: type[Enum], value: Any, field_name: str) -> Any:
    """`enum_type(value)` or Invalid naming the field and listing the allowed values."""
    try:
        return enum_type(value)
    except ValueError:
        allowed = [m.value for m in enum_type]
        raise Invalid(f"{field_name} must be one of {allowed}", {"field": field_name, "allowed": allowed}) from None


@dataclass(slots=True)
class Ticket:
    """An escalation ticket: why and how urgently a session needs a person, and where it is in its lifecycle."""

    tenant_id: str
    ticket_id: str  # TKT-<year>-<6 digits>, unique per tenant
    session_id: str
    reason: str  # a SupportReason or a Reason value
    priority: Priority
    status: TicketStatus
    created_at: str  # timezone-aware UTC ISO-8601, as every timestamp here
    updated_at: str
    estimated_response_minutes: int
    estimated_response_time: str  # the same, as a promise people read ("15 minutes", "2 days")
    customer_id: str | None = None
    customer_sentiment: float | None = None
    query_complexity: float | None = None
    additional_context: str | None = None
    assigned_agent: str | None = None
    resolution_notes: str | None = None
    customer_satisfaction: int | None = None
    assigned_at: str | None = None
    resolved_at: str | None = None
    closed_at: str | None = None


@dataclass(slots=True)
class ReviewItem:
    """An AI response waiting for (or given) a human reviewer's decision; the original stays beside any edits."""

    tenant_id: str
    item_id: str  # rev-<6 digits>, unique per tenant
    query: str
    response: str
    category: str
    priority: int  # 1 (most urgent) .. 5
    metadata: dict[str, Any]  # the caller's own free-form context, kept as sent
    status: ReviewStatus
    created_at: str
    estimated_review_time: str
    approved: bool | None = None
    feedback: str | None = None
    edits: dict[str, str] | None = None
    final_response: str | None = None  # what may be sent: the reviewer's edit, else the original; None if rejected
    reviewer_id: str | None = None
    review_time: str | None = None
