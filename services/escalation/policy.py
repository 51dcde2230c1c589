"""The escalation policy: TurnFacts + CompanyConfig + current Tier -> EscalationDecision (pure, no I/O),
and the check of a manual escalation request (seed 002 POST /sessions/:id/escalate)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from libs.errors import Invalid, InvalidEscalationTarget

from .company_config import CompanyConfig
from .domain import (
    EscalationDecision,
    Priority,
    Reason,
    Sentiment,
    SupportReason,
    Tier,
    TurnFacts,
    parse_enum,
)


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Policy knobs the seed config does not carry; the defaults are the platform's."""

    min_retrieval_confidence: float = 0.35
    max_complexity: float = 0.8
    repeat_contacts: int = 2
    failed_attempts: int = 3
    vip_lifetime_value: float = 5000.0
    # Seed 001's example answer escalates a frustrated customer at sentiment_score −0.6 on first contact
    # (reason negative_sentiment): at or below this score an evaluation asked for `negative_sentiment`
    # escalation moves the customer from AI_REP to AI_MANAGER at once, without de-escalation attempts.
    negative_sentiment: float = -0.6


DEFAULT_THRESHOLDS = Thresholds()

# Base urgency of each reason; a VIP bumps the decision one level.
REASON_PRIORITY = {
    Reason.IRATE_CUSTOMER: Priority.HIGH,
    Reason.REFUND_REQUEST: Priority.MEDIUM,
    Reason.COMPLEX_ISSUE: Priority.MEDIUM,
    Reason.REPEAT_CONTACT: Priority.MEDIUM,
    Reason.HIGH_VALUE_CUSTOMER: Priority.MEDIUM,
    Reason.LEGAL_MENTION: Priority.URGENT,
    Reason.SOCIAL_MEDIA_THREAT: Priority.HIGH,
    Reason.REFUND_OVER_THRESHOLD: Priority.MEDIUM,
    Reason.CUSTOMER_REQUEST: Priority.MEDIUM,
    Reason.POLICY_EXCEPTION: Priority.HIGH,
    Reason.ESCALATED_COMPLAINT: Priority.HIGH,
    Reason.TECHNICAL_LIMITATION: Priority.MEDIUM,
}


@dataclass(frozen=True, slots=True)
class _Trigger:
    reason: Reason
    tier: Tier
    support: SupportReason
    why: str


def _negative(facts: TurnFacts) -> bool:
    level = facts.sentiment_level
    return (level is not None and level.negativity >= Sentiment.FRUSTRATED.negativity) or (
        facts.sentiment_score is not None and facts.sentiment_score <= -0.3
    )


def is_irate(facts: TurnFacts, config: CompanyConfig) -> bool:
    """The irate protocol's detection: explicit flag, IRATE level, score past the threshold, or a keyword."""
    protocol = config.irate
    if not protocol.get("enabled", True):
        return False
    keywords = set(protocol.get("trigger_keywords", []))
    return (
        facts.irate
        or facts.sentiment_level is Sentiment.IRATE
        or (facts.sentiment_score is not None and -facts.sentiment_score >= protocol["detection_threshold"])
        or any(k.lower() in keywords for k in facts.irate_keywords)
    )


def _next_tier(current: Tier) -> Tier:
    return Tier.AI_MANAGER if current is Tier.AI_REP else Tier.HUMAN_AGENT


def _severe(reason: Reason, current: Tier, why: str, support: SupportReason) -> list[_Trigger]:
    """Rep-level reasons (irate, legal, social) at the manager tier become an escalated complaint."""
    if current is Tier.AI_REP:
        return [_Trigger(reason, Tier.AI_MANAGER, support, why)]
    return [
        _Trigger(reason, Tier.HUMAN_AGENT, support, why),
        _Trigger(Reason.ESCALATED_COMPLAINT, Tier.HUMAN_AGENT, support, f"{why} after an escalation"),
    ]


def _irate_triggers(facts: TurnFacts, config: CompanyConfig, current: Tier) -> list[_Trigger]:
    auto = config.irate.get("auto_escalate", {})
    if not auto.get("enabled", True) or facts.failed_attempts < auto.get("after_attempts", 2):
        return []
    why = f"irate customer after {facts.failed_attempts} attempt(s)"
    target = Tier(auto.get("target_tier", Tier.AI_MANAGER.value))
    if target.rank > current.rank:
        return [_Trigger(Reason.IRATE_CUSTOMER, target, SupportReason.NEGATIVE_SENTIMENT, why)]
    return _severe(Reason.IRATE_CUSTOMER, current, why, SupportReason.NEGATIVE_SENTIMENT)


def _negative_sentiment_triggers(
    facts: TurnFacts, config: CompanyConfig, current: Tier, limits: Thresholds
) -> list[_Trigger]:
    """Seed 001 negative_sentiment: a strongly negative score hands the rep's customer to the manager at once.

    Seed 002 has no negative-sentiment code; its closest is IRATE_CUSTOMER ("extremely upset"). A company that
    turned its irate protocol or its auto-escalation off has opted out of escalations on mood alone."""
    auto = config.irate.get("auto_escalate", {})
    score = facts.sentiment_score
    if current is not Tier.AI_REP or score is None or score > limits.negative_sentiment:
        return []
    if not config.irate.get("enabled", True) or not auto.get("enabled", True):
        return []
    why = f"sentiment {score:.2f} at or below {limits.negative_sentiment:.2f}"
    return [_Trigger(Reason.IRATE_CUSTOMER, Tier.AI_MANAGER, SupportReason.NEGATIVE_SENTIMENT, why)]


def _authority_triggers(facts: TurnFacts, config: CompanyConfig, current: Tier) -> list[_Trigger]:
    """Refunds and credits go to the lowest enabled tier whose authority covers them (limit inclusive)."""
    out: list[_Trigger] = []
    asks = (
        ("refund", facts.refund_amount, config.refund_limit),
        ("credit", facts.credit_amount, config.credit_limit),
    )
    for kind, amount, limit in asks:
        if not amount or amount <= limit(current):
            continue
        what = f"{kind} of {amount:.2f}{' ' + facts.currency if facts.currency else ''}"
        able = [t for t in (Tier.AI_MANAGER,) if t.rank > current.rank and amount <= limit(t)]
        if able:
            why = f"{what} exceeds {current.value} authority ({limit(current):.2f})"
            out.append(_Trigger(Reason.REFUND_REQUEST, able[0], SupportReason.POLICY_VIOLATION, why))
        else:
            why = f"{what} exceeds every AI tier's authority (AI_MANAGER {limit(Tier.AI_MANAGER):.2f})"
            out.append(_Trigger(Reason.REFUND_OVER_THRESHOLD, Tier.HUMAN_AGENT, SupportReason.POLICY_VIOLATION, why))
    if facts.subscription_change and not config.can_modify_subscription(current):
        why = f"subscription change beyond {current.value} authority"
        if current is Tier.AI_REP and config.can_modify_subscription(Tier.AI_MANAGER):
            out.append(_Trigger(Reason.COMPLEX_ISSUE, Tier.AI_MANAGER, SupportReason.POLICY_VIOLATION, why))
        else:
            out.append(_Trigger(Reason.POLICY_EXCEPTION, Tier.HUMAN_AGENT, SupportReason.POLICY_VIOLATION, why))
    return out


def _request_triggers(facts: TurnFacts, current: Tier) -> list[_Trigger]:
    out: list[_Trigger] = []
    manual = SupportReason.MANUAL_REQUEST
    if facts.human_requested:
        out.append(_Trigger(Reason.CUSTOMER_REQUEST, Tier.HUMAN_AGENT, manual, "customer asked for a human"))
    elif facts.manager_requested:
        out.append(_Trigger(Reason.CUSTOMER_REQUEST, _next_tier(current), manual, "customer asked for a manager"))
    if facts.legal_threat:
        out += _severe(Reason.LEGAL_MENTION, current, "legal action mentioned", SupportReason.POLICY_VIOLATION)
    if facts.social_media_threat:
        why = "public complaint threatened"
        out += _severe(Reason.SOCIAL_MEDIA_THREAT, current, why, SupportReason.NEGATIVE_SENTIMENT)
    if facts.policy_flags:
        why = f"policy/compliance flags: {', '.join(sorted(facts.policy_flags))}"
        out.append(_Trigger(Reason.POLICY_EXCEPTION, Tier.HUMAN_AGENT, SupportReason.POLICY_VIOLATION, why))
    return out


def _difficulty_triggers(facts: TurnFacts, current: Tier, limits: Thresholds) -> list[_Trigger]:
    """Low confidence, high complexity or repeated failures: the rep hands up, the manager hands to humans."""
    out: list[_Trigger] = []
    hard_reason = Reason.COMPLEX_ISSUE if current is Tier.AI_REP else Reason.TECHNICAL_LIMITATION
    target = _next_tier(current)
    conf, cplx = facts.retrieval_confidence, facts.complexity_score
    if conf is not None and conf < limits.min_retrieval_confidence:
        out.append(_Trigger(hard_reason, target, SupportReason.HIGH_COMPLEXITY, f"retrieval confidence {conf:.2f}"))
    elif cplx is not None and cplx >= limits.max_complexity:
        out.append(_Trigger(hard_reason, target, SupportReason.HIGH_COMPLEXITY, f"complexity {cplx:.2f}"))
    if facts.failed_attempts >= limits.failed_attempts:
        why = f"{facts.failed_attempts} unresolved attempts"
        out.append(_Trigger(hard_reason, target, SupportReason.REPEATED_FAILURES, why))
    if current is Tier.AI_REP and facts.repeat_contacts >= limits.repeat_contacts:
        why = f"{facts.repeat_contacts} earlier contacts"
        out.append(_Trigger(Reason.REPEAT_CONTACT, Tier.AI_MANAGER, SupportReason.REPEATED_FAILURES, why))
    return out


def _is_vip(facts: TurnFacts, limits: Thresholds) -> bool:
    value = facts.lifetime_value
    return facts.is_vip or (value is not None and value >= limits.vip_lifetime_value)


def _vip_triggers(facts: TurnFacts, current: Tier, limits: Thresholds, others: bool) -> list[_Trigger]:
    """A VIP at the rep tier goes to the manager as soon as anything is wrong (negative mood, a failed
    attempt, or any other trigger); a content VIP with a routine question stays with the rep."""
    if current is not Tier.AI_REP or not _is_vip(facts, limits):
        return []
    if not (others or facts.failed_attempts >= 1 or _negative(facts)):
        return []
    support = SupportReason.NEGATIVE_SENTIMENT if _negative(facts) else SupportReason.REPEATED_FAILURES
    return [_Trigger(Reason.HIGH_VALUE_CUSTOMER, Tier.AI_MANAGER, support, "high-value customer")]


def _enabled_target(tier: Tier, current: Tier, config: CompanyConfig) -> Tier | None:
    """The proposed tier, or the next enabled one above it; None when nothing above current is enabled."""
    for candidate in (Tier.AI_MANAGER, Tier.HUMAN_AGENT):
        if candidate.rank >= tier.rank and candidate.rank > current.rank and config.tier_enabled(candidate):
            return candidate
    return None


def evaluate(
    facts: TurnFacts,
    config: CompanyConfig,
    current_tier: Tier,
    *,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    negative_sentiment: bool = False,
) -> EscalationDecision:
    """Decide whether this turn leaves current_tier, for which tier, why, and how urgently.

    `negative_sentiment` adds seed 001's rule (score ≤ thresholds.negative_sentiment escalates from AI_REP at
    once); without it a strongly negative customer follows the company's irate protocol (seed 002: de-escalation
    attempts first). Reasons are ordered by urgency, so a negative mood (high) leads a repeat contact (medium)."""
    irate = is_irate(facts, config)
    triggers = _irate_triggers(facts, config, current_tier) if irate else []
    if negative_sentiment:
        triggers += _negative_sentiment_triggers(facts, config, current_tier, thresholds)
    triggers += _authority_triggers(facts, config, current_tier)
    triggers += _request_triggers(facts, current_tier)
    triggers += _difficulty_triggers(facts, current_tier, thresholds)
    triggers += _vip_triggers(facts, current_tier, thresholds, bool(triggers))
    live = [t for t in triggers if t.tier.rank > current_tier.rank]
    if not live:
        note = _quiet_note(facts, config, irate)
        return EscalationDecision(False, current_tier, [], Priority.LOW, note, None, irate)
    proposed = max(live, key=lambda t: t.tier.rank).tier
    target = _enabled_target(proposed, current_tier, config)
    live.sort(key=lambda t: (-REASON_PRIORITY[t.reason].rank, -t.tier.rank, list(Reason).index(t.reason)))
    reasons = list(dict.fromkeys(t.reason for t in live))
    whys = "; ".join(dict.fromkeys(t.why for t in live))
    if target is None:
        note = f"no enabled tier above {current_tier.value} for {proposed.value}: {whys}"
        return EscalationDecision(False, current_tier, reasons, Priority.LOW, note, live[0].support, irate)
    priority = max((REASON_PRIORITY[r] for r in reasons), key=lambda p: p.rank)
    if _is_vip(facts, thresholds):
        priority = priority.bumped()
    explanation = f"{current_tier.value} -> {target.value}: {whys}"
    return EscalationDecision(True, target, reasons, priority, explanation, live[0].support, irate)


def _quiet_note(facts: TurnFacts, config: CompanyConfig, irate: bool) -> str:
    if not irate:
        return "no escalation trigger"
    auto = config.irate.get("auto_escalate", {})
    if not auto.get("enabled", True):
        return "irate customer; auto-escalation disabled"
    return f"irate customer; de-escalation attempt {facts.failed_attempts + 1} of {auto.get('after_attempts', 2)}"


@dataclass(frozen=True, slots=True)
class EscalationStep:
    """A manual escalation the policy allowed: from the session's tier to a higher, enabled one."""

    from_tier: Tier
    to_tier: Tier
    reason: Reason
    notes: str | None = None
    timestamp: str | None = None  # set by the service when it records the step


def check_manual_escalation(
    current_tier: Tier | str, target_tier: Any, reason: Any, notes: Any, config: CompanyConfig
) -> EscalationStep:
    """Validate a requested escalation against the session's tier and the company's enabled tiers.
    Current/lower/unknown/disabled targets raise InvalidEscalationTarget; details name the contract's fields
    (target_tier), which a dialect renders in its own spelling."""
    current = parse_enum(Tier, current_tier, "current_tier")
    why = parse_enum(Reason, reason, "reason")
    try:
        target = Tier(str(target_tier))
    except ValueError:
        raise InvalidEscalationTarget(
            "target_tier must be AI_MANAGER or HUMAN_AGENT", {"field": "target_tier", "target_tier": target_tier}
        ) from None
    where = {"field": "target_tier", "current_tier": current.value, "target_tier": target.value}
    if target.rank <= current.rank:
        raise InvalidEscalationTarget(f"cannot escalate from {current.value} to {target.value}", where)
    if not config.tier_enabled(target):
        raise InvalidEscalationTarget(f"{target.value} is disabled for this company", where)
    if notes is not None and (not isinstance(notes, str) or len(notes) > 5000):
        raise Invalid("notes must be a string of at most 5000 characters", {"field": "notes"})
    return EscalationStep(current, target, why, notes)
