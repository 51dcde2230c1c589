"""The conversation's records (Session, Message, CrmUser, CustomerToken) and pure rules: tiers, statuses, turn
bookkeeping; no I/O (intents and categories from text: intents.py). The records mirror contracts/common/
{Session,Message}.json in snake_case; store.py maps them to rows, views.py to the contract."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from libs.errors import Invalid, SessionClosed

TIERS = ("AI_REP", "AI_MANAGER", "HUMAN_AGENT")
TIER_ROLE = {"AI_REP": "ai_rep", "AI_MANAGER": "ai_manager", "HUMAN_AGENT": "system"}
# Session statuses, channels, issue categories and resolution types are the contract's enums (contracts/common/),
# checked when a command is validated.
CLOSED_STATUSES = frozenset({"RESOLVED", "CLOSED", "ABANDONED"})
MAX_MESSAGE_CHARS = 32_768  # far below the 100 KB the seeds' clients may send; such messages are refused (Invalid)

HANDOFF_TEXT = (
    "Your conversation is now with our support team. A human agent has the full history and will reply "
    "here shortly; there is no need to repeat anything."
)
AI_DOWN_TEXT = (
    "I'm sorry, I can't answer that right now. I've passed your message to our support team, "
    "who will follow up with you."
)


def now_iso() -> str:
    """UTC with milliseconds and a Z: one fixed width, so string order is time order in the store."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_iso(value: str, field: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise Invalid(f"{field} must be an ISO 8601 date", {field: "ISO 8601 date or datetime"}) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def iso_bound(value: str, field: str) -> str:
    """A filter bound in the stored timestamp format (so string comparison is time comparison)."""
    return parse_iso(value, field).astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def tier_rank(tier: str) -> int:
    return TIERS.index(tier)


@dataclass(frozen=True)
class SentimentPoint:
    sentiment: str  # a SentimentLevel
    score: float
    timestamp: str


@dataclass(frozen=True)
class EscalationEntry:
    from_tier: str
    to_tier: str
    reason: str
    timestamp: str
    reasons: list[str] = field(default_factory=list)
    notes: str | None = None
    ticket_id: str | None = None


@dataclass(frozen=True)
class TicketRef:
    ticket_id: str
    reason: str | None
    created_at: str
    status: str = "open"


@dataclass(frozen=True)
class Resolution:
    type: str
    summary: str | None
    actions_taken: list[str]
    follow_up_required: bool


@dataclass(frozen=True)
class Feedback:
    rating: int
    comment: str | None
    submitted_at: str
    command_id: str | None = None  # the SubmitFeedback that stored it: only its redelivery re-emits the event


@dataclass(frozen=True)
class Session:
    """One conversation; changed only by `dataclasses.replace` (the store writes what differs)."""

    session_id: str
    tenant_id: str
    customer_id: str
    channel: str
    dialect: str
    created_at: str
    updated_at: str
    last_activity_at: str
    status: str = "ACTIVE"
    current_tier: str = "AI_REP"
    issue_category: str | None = None
    issue_summary: str = ""
    customer_sentiment: str = "NEUTRAL"
    sentiment_history: list[SentimentPoint] = field(default_factory=list)
    escalation_history: list[EscalationEntry] = field(default_factory=list)
    escalations: list[TicketRef] = field(default_factory=list)
    resolution: Resolution | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    title: str | None = None
    category: str = "general"
    agent_used: str | None = None
    message_count: int = 0
    test: bool = False  # a test session (seed 001 /api/test/query): local provider only, left out of analytics
    failed_attempts: int = 0
    tier_replies: int = 0
    repeat_contacts: int = 0
    last_reply_answered: bool | None = None
    needs_review: bool = False
    feedback: Feedback | None = None
    resolved_at: str | None = None
    closed_at: str | None = None
    abandoned_at: str | None = None
    created_by: str | None = None  # the StartSession that opened it (its redelivery gets it back); not in the contract


@dataclass(frozen=True)
class Message:
    message_id: str
    tenant_id: str
    session_id: str
    customer_id: str
    seq: int
    role: str  # customer | ai_rep | ai_manager | system
    content: str
    timestamp: str
    metadata: dict[str, Any] = field(default_factory=dict)
    # Customer messages only: the redacted text and PII types (None when privacy was unavailable), vault token, mood.
    redacted_content: str | None = None
    pii_detected: list[str] | None = None
    redaction: str | None = None
    pii_token: str | None = None
    sentiment: str | None = None


@dataclass(frozen=True)
class CrmUser:
    """A CRM user (seed 004's customer); `user_id` is public and unique per tenant, so is `email`."""

    user_id: str
    tenant_id: str
    name: str
    email: str
    created_at: str
    updated_at: str
    phone: str | None = None
    company: str | None = None
    role: str | None = None
    preferences: dict[str, Any] = field(default_factory=dict)
    is_active: bool = True


@dataclass(frozen=True)
class CustomerToken:
    """An end-customer session token (seed 004): only its hash is kept, the plaintext is shown once."""

    token_id: str
    tenant_id: str
    session_id: str
    user_id: str
    token_hash: str
    created_at: str
    expires_at: str


def check_message(text: str) -> str:
    """A usable customer message: not blank, bounded; the field name is `message` in every dialect."""
    if not text or not text.strip():
        raise Invalid("Message must not be empty", {"message": "must contain text"})
    if len(text) > MAX_MESSAGE_CHARS:
        raise Invalid("Message too long", {"message": f"at most {MAX_MESSAGE_CHARS} characters"})
    return text


def check_open(session: Session) -> None:
    """Messages and escalations need a live session (SessionClosed otherwise)."""
    status = session.status
    if status in CLOSED_STATUSES:
        word = {"RESOLVED": "resolved", "CLOSED": "closed", "ABANDONED": "abandoned"}[status]
        raise SessionClosed(f"Session already {word}", {"session_id": session.session_id, "status": status})


def normalize_query(text: str) -> str:
    """Cache-key form: NFKC, case-folded, punctuation dropped, whitespace collapsed."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.sub(r"[^\w\s]", " ", folded).split())


def cache_key(tenant_id: str, tier: str, agent: str | None, query: str, knowledge_version: str) -> str:
    raw = "\x1f".join((tenant_id, tier, agent or "", normalize_query(query), knowledge_version))
    return "conv:cache:" + hashlib.sha256(raw.encode()).hexdigest()


def issue_summary(category: str | None, status: str, tier: str) -> str:
    """A short summary that never quotes the customer (so it holds no PII)."""
    topic = (category or "GENERAL_INQUIRY").replace("_", " ").lower()
    if status == "RESOLVED":
        return f"{topic.capitalize()} inquiry - resolved"
    if tier != "AI_REP":
        return f"{topic.capitalize()} inquiry - escalated to {tier.replace('_', ' ').lower()}"
    return f"{topic.capitalize()} inquiry"


def next_failed_attempts(session: Session, *, negative: bool) -> int:
    """AI replies at this tier that did not settle things: the customer is still unhappy, or was asked back."""
    unresolved = negative or session.last_reply_answered is False
    return session.failed_attempts + (1 if session.tier_replies > 0 and unresolved else 0)


def title_from(redacted_text: str) -> str:
    """A conversation title from the redacted first message (placeholders, never raw PII)."""
    words = redacted_text.split()
    title = " ".join(words[:8])
    return title + ("..." if len(words) > 8 else "")
