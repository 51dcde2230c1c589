"""The conversation's records (Session, Message) and pure rules: tiers, statuses, intents and categories from text,
turn bookkeeping; no I/O. The records mirror contracts/common/{Session,Message}.json in snake_case; store.py maps them
to rows, handlers.py to the contract."""

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
# Session statuses and channels are the contract's enums (contracts/common/SessionStatus.json, Channel.json).
CLOSED_STATUSES = frozenset({"RESOLVED", "CLOSED", "ABANDONED"})
ISSUE_CATEGORIES = (
    "BILLING", "SHIPPING", "PRODUCT_QUALITY", "SUBSCRIPTION", "REFUND", "TECHNICAL", "ACCOUNT",
    "GENERAL_INQUIRY", "COMPLAINT", "CANCELLATION",
)  # fmt: skip
RESOLUTION_TYPES = (
    "INFORMATION_PROVIDED", "ISSUE_RESOLVED", "REFUND_PROCESSED", "REPLACEMENT_SENT", "CREDIT_APPLIED",
    "SUBSCRIPTION_MODIFIED", "ESCALATED_TO_HUMAN", "CUSTOMER_SATISFIED", "UNRESOLVED",
)  # fmt: skip
MAX_MESSAGE_CHARS = 32_768  # far below the 100 KB the seeds' clients may send; such messages are refused (Invalid)

HANDOFF_TEXT = (
    "Your conversation is now with our support team. A human agent has the full history and will reply "
    "here shortly; there is no need to repeat anything."
)
AI_DOWN_TEXT = (
    "I'm sorry, I can't answer that right now. I've passed your message to our support team, "
    "who will follow up with you."
)

# Ordered keyword rules: first match wins. Each gives (seed 002 issue category, seed 000 category, crm category).
_CATEGORY_RULES: tuple[tuple[re.Pattern[str], str, str, str], ...] = tuple(
    (re.compile(pattern, re.I), issue, insight, crm)
    for pattern, issue, insight, crm in (
        (r"\b(refund\w*|money back|reimburs\w*|charge ?back)\b", "REFUND", "refund_request", "support"),
        (r"\b(cancel\w*|terminate|close my account)\b", "CANCELLATION", "account_closure", "support"),
        (r"\b(subscription|plan|membership|renew\w*)\b", "SUBSCRIPTION", "subscription", "sales"),
        (r"\b(ship\w*|deliver\w*|track\w*|package|parcel|order)\b", "SHIPPING", "order_status", "support"),
        (r"\b(loan|mortgage|credit score|borrow\w*|apr)\b", "BILLING", "loan_inquiry", "sales"),
        (r"\b(invest\w*|stocks?|portfolio|retirement|fund)\b", "GENERAL_INQUIRY", "investment_advice", "sales"),
        (r"\b(fraud\w*|stolen|unauthori[sz]ed|scam)\b", "ACCOUNT", "fraud_report", "support"),
        (r"\b(bill\w*|invoice|charged?|payment|fee)\b", "BILLING", "billing", "support"),
        (r"\b(password|log ?in|sign ?in|account|locked|access)\b", "ACCOUNT", "account_access", "support"),
        (r"\b(error|bug|crash\w*|not working|broken|api|integrat\w*|install\w*)\b", "TECHNICAL", "technical_support",
         "support"),
        (r"\b(defect\w*|damaged|quality|faulty)\b", "PRODUCT_QUALITY", "product_quality", "support"),
        (r"\b(complain\w*|terrible|unacceptable|worst|awful)\b", "COMPLAINT", "complaint", "support"),
        (r"\b(price|pricing|cost|quote|buy|purchase|demo|features?|trial|discount|upgrade)\b", "GENERAL_INQUIRY",
         "product_inquiry", "sales"),
    )
)  # fmt: skip
_SALES = re.compile(
    r"\b(price|pricing|cost|quote|buy|purchase|demo|features?|trial|discount|upgrade|plans?|sales|offer|"
    r"enterprise|licen[cs]e|subscribe)\b",
    re.I,
)
_SUPPORT = re.compile(
    r"\b(help|problem|issue|error|bug|broken|not working|can'?t|cannot|unable|reset|refund|fix|fail\w*|"
    r"wrong|locked|access|support|complain\w*|frustrat\w*)\b",
    re.I,
)
_HUMAN_REQUEST = re.compile(
    r"\b(human|real person|live agent|representative|speak to (?:an? )?(?:agent|person|someone)|"
    r"talk to (?:an? )?(?:agent|person|someone))\b",
    re.I,
)
# Words that mark an unhappy customer even when the sentiment service is down (seed 002 irate keywords and kin).
_UPSET = re.compile(
    r"\b(angry|furious|unacceptable|outraged|ridiculous|disgusting|livid|terrible|awful|worst|frustrat\w*|"
    r"useless|fed up|sick of)\b",
    re.I,
)
_SUGGESTIONS = (
    (re.compile(r"\b(order|ship\w*|deliver\w*|track\w*|package)\b", re.I), "track_package"),
    (re.compile(r"\b(refund\w*|money back)\b", re.I), "request_refund"),
    (re.compile(r"\b(password|log ?in|sign ?in|locked)\b", re.I), "reset_password"),
    (re.compile(r"\b(bill\w*|invoice|charge\w*|payment)\b", re.I), "review_billing"),
    (re.compile(r"\b(cancel\w*|subscription|plan)\b", re.I), "manage_subscription"),
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


def categorize(text: str) -> tuple[str, str, str] | None:
    """(seed 002 issue category, seed 000 category, crm category) of the first matching rule, else None."""
    for pattern, issue, insight, crm in _CATEGORY_RULES:
        if pattern.search(text):
            return issue, insight, crm
    return None


def agent_for(text: str) -> str:
    """Seed 004 agent by intent: buying questions to sales, problems to support, the rest to general."""
    sales, support = len(_SALES.findall(text)), len(_SUPPORT.findall(text))
    if sales > support:
        return "sales_agent"
    if support:
        return "support_agent"
    return "general_agent"


def asks_for_human(text: str) -> bool:
    """Local fallback used only when the escalation service is down: an explicit request for a person."""
    return bool(_HUMAN_REQUEST.search(text))


def sounds_upset(text: str) -> bool:
    return bool(_UPSET.search(text))


def suggested_actions(text: str, *, escalated: bool, irate: bool) -> list[str]:
    found = [action for pattern, action in _SUGGESTIONS if pattern.search(text)]
    if irate and not escalated:
        found.append("offer_escalation")
    return found[:4]


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
