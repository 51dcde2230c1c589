"""Escalation vocabulary: seed 002 tiers, sentiments, categories and reasons, seed 001 reasons and priorities,
and the ticket and review lifecycles. Enums only, so every other escalation module can import them freely."""

from __future__ import annotations

from enum import StrEnum


class Tier(StrEnum):
    AI_REP = "AI_REP"
    AI_MANAGER = "AI_MANAGER"
    HUMAN_AGENT = "HUMAN_AGENT"

    @property
    def rank(self) -> int:
        return _TIER_RANK[self]


_TIER_RANK = {Tier.AI_REP: 1, Tier.AI_MANAGER: 2, Tier.HUMAN_AGENT: 3}
# Each tier's key in the company config's `tiers`.
TIER_CONFIG_KEY = {Tier.AI_REP: "ai_rep", Tier.AI_MANAGER: "ai_manager", Tier.HUMAN_AGENT: "human_agent"}


class Sentiment(StrEnum):
    """Seed 002 customer-sentiment scale, most positive first."""

    HAPPY = "HAPPY"
    SATISFIED = "SATISFIED"
    NEUTRAL = "NEUTRAL"
    FRUSTRATED = "FRUSTRATED"
    ANGRY = "ANGRY"
    IRATE = "IRATE"

    @property
    def negativity(self) -> int:
        return list(Sentiment).index(self)


class IssueCategory(StrEnum):
    BILLING = "BILLING"
    SHIPPING = "SHIPPING"
    PRODUCT_QUALITY = "PRODUCT_QUALITY"
    SUBSCRIPTION = "SUBSCRIPTION"
    REFUND = "REFUND"
    TECHNICAL = "TECHNICAL"
    ACCOUNT = "ACCOUNT"
    GENERAL_INQUIRY = "GENERAL_INQUIRY"
    COMPLAINT = "COMPLAINT"
    CANCELLATION = "CANCELLATION"


class Reason(StrEnum):
    """Seed 002 escalation reasons; the first seven move AI_REP → AI_MANAGER, the rest AI_MANAGER → human."""

    IRATE_CUSTOMER = "IRATE_CUSTOMER"
    REFUND_REQUEST = "REFUND_REQUEST"
    COMPLEX_ISSUE = "COMPLEX_ISSUE"
    REPEAT_CONTACT = "REPEAT_CONTACT"
    HIGH_VALUE_CUSTOMER = "HIGH_VALUE_CUSTOMER"
    LEGAL_MENTION = "LEGAL_MENTION"
    SOCIAL_MEDIA_THREAT = "SOCIAL_MEDIA_THREAT"
    REFUND_OVER_THRESHOLD = "REFUND_OVER_THRESHOLD"
    CUSTOMER_REQUEST = "CUSTOMER_REQUEST"
    POLICY_EXCEPTION = "POLICY_EXCEPTION"
    ESCALATED_COMPLAINT = "ESCALATED_COMPLAINT"
    TECHNICAL_LIMITATION = "TECHNICAL_LIMITATION"


class SupportReason(StrEnum):
    """Seed 001 escalation reasons (the support-agent dialect's vocabulary)."""

    NEGATIVE_SENTIMENT = "negative_sentiment"
    HIGH_COMPLEXITY = "high_complexity"
    REPEATED_FAILURES = "repeated_failures"
    MANUAL_REQUEST = "manual_request"
    POLICY_VIOLATION = "policy_violation"


class Priority(StrEnum):
    """Seed 001 ticket priorities, least urgent first."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    URGENT = "urgent"

    @property
    def rank(self) -> int:
        return list(Priority).index(self)

    def bumped(self) -> Priority:
        return list(Priority)[min(self.rank + 1, len(Priority) - 1)]


class TicketStatus(StrEnum):
    OPEN = "open"
    ASSIGNED = "assigned"
    RESOLVED = "resolved"
    CLOSED = "closed"


class ReviewStatus(StrEnum):
    QUEUED = "queued"
    REVIEWED = "reviewed"
