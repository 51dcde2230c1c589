"""Table tests of escalation_policy.evaluate: every reason at every tier, authority boundaries, scenarios."""

from __future__ import annotations

from dataclasses import replace

import pytest

from libs.errors import Invalid, InvalidEscalationTarget
from services.escalation.company_config import CompanyConfig, apply_patch
from services.escalation.domain import (
    Priority,
    Reason,
    Sentiment,
    SupportReason,
    Tier,
    TurnFacts,
    facts_from_dict,
)
from services.escalation.facts import extract_facts
from services.escalation.policy import EscalationStep, Thresholds, check_manual_escalation, evaluate

REP, MGR, HUMAN = Tier.AI_REP, Tier.AI_MANAGER, Tier.HUMAN_AGENT
R = Reason


def default() -> CompanyConfig:
    return CompanyConfig.default("acme")


def patched(patch: dict) -> CompanyConfig:
    return CompanyConfig("acme", apply_patch(default().data, patch))


# (name, facts, {tier: (target tier or None for "stays", reasons expected, in order)})
TABLE = [
    ("irate after 2 attempts", TurnFacts(irate=True, failed_attempts=2),
     {REP: (MGR, [R.IRATE_CUSTOMER]), MGR: (HUMAN, [R.IRATE_CUSTOMER, R.ESCALATED_COMPLAINT])}),
    ("refund within manager authority", TurnFacts(refund_amount=50.0),
     {REP: (MGR, [R.REFUND_REQUEST]), MGR: (None, [])}),
    ("refund over every AI authority", TurnFacts(refund_amount=150.0),
     {REP: (HUMAN, [R.REFUND_OVER_THRESHOLD]), MGR: (HUMAN, [R.REFUND_OVER_THRESHOLD])}),
    ("low retrieval confidence", TurnFacts(retrieval_confidence=0.1),
     {REP: (MGR, [R.COMPLEX_ISSUE]), MGR: (HUMAN, [R.TECHNICAL_LIMITATION])}),
    ("high complexity", TurnFacts(complexity_score=0.9),
     {REP: (MGR, [R.COMPLEX_ISSUE]), MGR: (HUMAN, [R.TECHNICAL_LIMITATION])}),
    ("three failed attempts", TurnFacts(failed_attempts=3),
     {REP: (MGR, [R.COMPLEX_ISSUE]), MGR: (HUMAN, [R.TECHNICAL_LIMITATION])}),
    ("repeat contact", TurnFacts(repeat_contacts=2), {REP: (MGR, [R.REPEAT_CONTACT]), MGR: (None, [])}),
    ("frustrated VIP", TurnFacts(is_vip=True, sentiment_level=Sentiment.FRUSTRATED),
     {REP: (MGR, [R.HIGH_VALUE_CUSTOMER]), MGR: (None, [])}),
    ("legal threat", TurnFacts(legal_threat=True),
     {REP: (MGR, [R.LEGAL_MENTION]), MGR: (HUMAN, [R.LEGAL_MENTION, R.ESCALATED_COMPLAINT])}),
    ("social-media threat", TurnFacts(social_media_threat=True),
     {REP: (MGR, [R.SOCIAL_MEDIA_THREAT]), MGR: (HUMAN, [R.SOCIAL_MEDIA_THREAT, R.ESCALATED_COMPLAINT])}),
    ("asks for a human", TurnFacts(human_requested=True),
     {REP: (HUMAN, [R.CUSTOMER_REQUEST]), MGR: (HUMAN, [R.CUSTOMER_REQUEST])}),
    ("asks for a manager", TurnFacts(manager_requested=True),
     {REP: (MGR, [R.CUSTOMER_REQUEST]), MGR: (HUMAN, [R.CUSTOMER_REQUEST])}),
    ("compliance flag", TurnFacts(policy_flags=("compliance_check_failed",)),
     {REP: (HUMAN, [R.POLICY_EXCEPTION]), MGR: (HUMAN, [R.POLICY_EXCEPTION])}),
    ("subscription change", TurnFacts(subscription_change=True),
     {REP: (MGR, [R.COMPLEX_ISSUE]), MGR: (None, [])}),
    ("routine question", TurnFacts(sentiment_level=Sentiment.NEUTRAL, retrieval_confidence=0.9),
     {REP: (None, []), MGR: (None, [])}),
    # Without seed 001's rule a strongly negative first turn follows the irate protocol: de-escalate first.
    ("strongly negative, irate protocol", TurnFacts(sentiment_score=-0.8, sentiment_level=Sentiment.IRATE),
     {REP: (None, []), MGR: (None, [])}),
]  # fmt: skip

CASES = [
    pytest.param(facts, tier, *expected, id=f"{name}@{tier.value}")
    for name, facts, by_tier in TABLE
    for tier, expected in [*by_tier.items(), (HUMAN, (None, []))]
]


@pytest.mark.parametrize(("facts", "tier", "target", "reasons"), CASES)
def test_every_reason_at_every_tier(facts: TurnFacts, tier: Tier, target: Tier | None, reasons: list) -> None:
    decision = evaluate(facts, default(), tier)
    assert decision.escalate is (target is not None)
    assert decision.target_tier is (target or tier)
    assert decision.reasons == reasons
    if target is None:
        assert decision.priority is Priority.LOW
    else:
        assert decision.explanation.startswith(f"{tier.value} -> {target.value}")
        assert decision.support_reason is not None


# Seed 001's rule (evaluate(..., negative_sentiment=True), what support-agent sessions ask for): a score at or below
# Thresholds.negative_sentiment (−0.6, the seed's example answer) escalates AI_REP -> AI_MANAGER at once.
# (name, facts, tier, config patch, target or None, reasons, seed 001 support reason)
NEG = SupportReason.NEGATIVE_SENTIMENT
NEGATIVE_TABLE = [
    ("seed example score", TurnFacts(sentiment_score=-0.6), REP, {}, MGR, [R.IRATE_CUSTOMER], NEG),
    ("very frustrated, first turn", TurnFacts(sentiment_score=-0.8, sentiment_level=Sentiment.IRATE), REP, {}, MGR,
     [R.IRATE_CUSTOMER], NEG),
    ("just above the threshold", TurnFacts(sentiment_score=-0.59), REP, {}, None, [], None),
    ("mood leads a repeat contact", TurnFacts(sentiment_score=-0.9, repeat_contacts=2), REP, {}, MGR,
     [R.IRATE_CUSTOMER, R.REPEAT_CONTACT], NEG),
    ("mood leads complexity", TurnFacts(sentiment_score=-0.7, complexity_score=0.9), REP, {}, MGR,
     [R.IRATE_CUSTOMER, R.COMPLEX_ISSUE], NEG),
    ("irate after attempts too", TurnFacts(sentiment_score=-0.9, failed_attempts=2), REP, {}, MGR,
     [R.IRATE_CUSTOMER], NEG),
    ("the manager still de-escalates", TurnFacts(sentiment_score=-0.9), MGR, {}, None, [], None),
    ("a human tier has nowhere to go", TurnFacts(sentiment_score=-0.9), HUMAN, {}, None, [], None),
    ("auto-escalation off", TurnFacts(sentiment_score=-0.9), REP,
     {"irate_protocol": {"auto_escalate": {"enabled": False}}}, None, [], None),
    ("irate protocol off", TurnFacts(sentiment_score=-0.9), REP, {"irate_protocol": {"enabled": False}}, None, [],
     None),
    ("no manager tier", TurnFacts(sentiment_score=-0.9), REP, {"tiers": {"ai_manager": {"enabled": False}}}, HUMAN,
     [R.IRATE_CUSTOMER], NEG),
]  # fmt: skip


@pytest.mark.parametrize(
    ("facts", "tier", "patch", "target", "reasons", "support"),
    [pytest.param(*row[1:], id=row[0]) for row in NEGATIVE_TABLE],
)
def test_negative_sentiment_rule(facts, tier, patch, target, reasons, support) -> None:
    decision = evaluate(facts, patched(patch), tier, negative_sentiment=True)
    assert decision.escalate is (target is not None)
    assert decision.target_tier is (target or tier)
    assert decision.reasons == reasons
    assert decision.support_reason is support
    if target is not None:
        assert decision.priority is Priority.HIGH
        assert "sentiment" in decision.explanation


def test_negative_sentiment_threshold_is_a_knob() -> None:
    strict = Thresholds(negative_sentiment=-0.8)
    assert not evaluate(
        TurnFacts(sentiment_score=-0.7), default(), REP, thresholds=strict, negative_sentiment=True
    ).escalate
    assert evaluate(
        TurnFacts(sentiment_score=-0.8), default(), REP, thresholds=strict, negative_sentiment=True
    ).escalate


def test_table_covers_every_reason() -> None:
    seen = {r for _, _, by_tier in TABLE for _, reasons in by_tier.values() for r in reasons}
    assert seen == set(Reason)


# Authority boundaries: (config patch, kind, amount, tier, expected target or None, expected reason)
REP_REFUNDS_25 = {"tiers": {"ai_rep": {"capabilities": {"can_process_refunds": True, "max_refund_amount": 25}}}}
BOUNDARIES = [
    ({}, "refund_amount", 0.01, REP, MGR, R.REFUND_REQUEST),  # rep has €0 refund authority
    ({}, "refund_amount", 99.99, REP, MGR, R.REFUND_REQUEST),
    ({}, "refund_amount", 100.0, REP, MGR, R.REFUND_REQUEST),
    ({}, "refund_amount", 100.01, REP, HUMAN, R.REFUND_OVER_THRESHOLD),
    ({}, "refund_amount", 99.99, MGR, None, None),
    ({}, "refund_amount", 100.0, MGR, None, None),
    ({}, "refund_amount", 100.01, MGR, HUMAN, R.REFUND_OVER_THRESHOLD),
    ({}, "refund_amount", 1_000_000.0, HUMAN, None, None),
    (REP_REFUNDS_25, "refund_amount", 24.99, REP, None, None),
    (REP_REFUNDS_25, "refund_amount", 25.0, REP, None, None),
    (REP_REFUNDS_25, "refund_amount", 25.01, REP, MGR, R.REFUND_REQUEST),
    ({}, "credit_amount", 9.99, REP, None, None),
    ({}, "credit_amount", 10.0, REP, None, None),
    ({}, "credit_amount", 10.01, REP, MGR, R.REFUND_REQUEST),
    ({}, "credit_amount", 50.0, REP, MGR, R.REFUND_REQUEST),
    ({}, "credit_amount", 50.0, MGR, None, None),
    ({}, "credit_amount", 50.01, MGR, HUMAN, R.REFUND_OVER_THRESHOLD),
    ({}, "credit_amount", 50.01, REP, HUMAN, R.REFUND_OVER_THRESHOLD),
]


@pytest.mark.parametrize(("patch", "kind", "amount", "tier", "target", "reason"), BOUNDARIES)
def test_authority_limits_are_inclusive(patch, kind, amount, tier, target, reason) -> None:
    decision = evaluate(TurnFacts(**{kind: amount}), patched(patch), tier)
    assert decision.escalate is (target is not None)
    assert decision.reasons == ([reason] if reason else [])
    if target:
        assert decision.target_tier is target


def test_irate_customer_after_two_attempts() -> None:
    facts = TurnFacts(sentiment_score=-0.9, sentiment_level=Sentiment.IRATE, failed_attempts=2)
    decision = evaluate(facts, default(), REP)
    assert (decision.escalate, decision.target_tier, decision.reasons) == (True, MGR, [R.IRATE_CUSTOMER])
    assert decision.priority is Priority.HIGH
    assert decision.support_reason is SupportReason.NEGATIVE_SENTIMENT
    assert decision.irate


def test_irate_customer_gets_de_escalation_attempts_first() -> None:
    for attempts in (0, 1):
        decision = evaluate(TurnFacts(irate=True, failed_attempts=attempts), default(), REP)
        assert not decision.escalate and decision.irate
        assert f"attempt {attempts + 1} of 2" in decision.explanation


@pytest.mark.parametrize(
    ("facts", "irate"),
    [
        (TurnFacts(sentiment_score=-0.7), True),  # exactly the 0.7 detection threshold
        (TurnFacts(sentiment_score=-0.69), False),
        (TurnFacts(irate_keywords=("furious",)), True),
        (TurnFacts(irate_keywords=("livid",)), False),  # not one of this company's keywords
        (TurnFacts(sentiment_level=Sentiment.ANGRY), False),
    ],
)
def test_irate_detection(facts: TurnFacts, irate: bool) -> None:
    decision = evaluate(replace(facts, failed_attempts=2), default(), REP)
    assert decision.irate is irate
    assert (R.IRATE_CUSTOMER in decision.reasons) is irate


def test_irate_protocol_settings_are_honoured() -> None:
    facts = TurnFacts(irate=True, failed_attempts=1)
    to_human = patched({"irate_protocol": {"auto_escalate": {"after_attempts": 1, "target_tier": "HUMAN_AGENT"}}})
    assert evaluate(facts, to_human, REP).target_tier is HUMAN
    off = patched({"irate_protocol": {"enabled": False}})
    assert not evaluate(replace(facts, failed_attempts=5), off, REP).irate
    manual = patched({"irate_protocol": {"auto_escalate": {"enabled": False}}})
    decision = evaluate(replace(facts, failed_attempts=5), manual, REP)
    assert decision.irate and R.IRATE_CUSTOMER not in decision.reasons


def test_refund_150_at_rep_goes_to_human() -> None:
    config = patched({"tiers": {"ai_manager": {"capabilities": {"max_refund_amount": 100}}}})
    facts = TurnFacts().merged(extract_facts("I want a refund of €150 for the broken kettle"))
    assert (facts.refund_amount, facts.currency) == (150.0, "EUR")
    decision = evaluate(facts, config, REP)
    assert (decision.escalate, decision.target_tier) == (True, HUMAN)
    assert decision.reasons == [R.REFUND_OVER_THRESHOLD]
    assert "150.00 EUR" in decision.explanation


def test_legal_threat_is_urgent() -> None:
    facts = TurnFacts().merged(extract_facts("Fix this or my lawyer will be in touch"))
    decision = evaluate(facts, default(), REP)
    assert (decision.target_tier, decision.reasons, decision.priority) == (MGR, [R.LEGAL_MENTION], Priority.URGENT)
    assert decision.support_reason is SupportReason.POLICY_VIOLATION


def test_vip_handling() -> None:
    content = TurnFacts(is_vip=True, sentiment_level=Sentiment.HAPPY)
    assert not evaluate(content, default(), REP).escalate
    unhappy = evaluate(TurnFacts(lifetime_value=9000.0, sentiment_score=-0.5), default(), REP)
    assert (unhappy.target_tier, unhappy.reasons, unhappy.priority) == (MGR, [R.HIGH_VALUE_CUSTOMER], Priority.HIGH)
    # A VIP rides along with other reasons and raises urgency one level.
    refund = evaluate(TurnFacts(is_vip=True, refund_amount=40.0), default(), REP)
    assert refund.reasons == [R.REFUND_REQUEST, R.HIGH_VALUE_CUSTOMER]
    assert refund.priority is Priority.HIGH


def test_reasons_sorted_by_severity_and_target_is_the_highest() -> None:
    facts = TurnFacts(refund_amount=40.0, legal_threat=True, human_requested=True)
    decision = evaluate(facts, default(), REP)
    assert decision.target_tier is HUMAN
    assert decision.reasons[0] is R.LEGAL_MENTION
    assert set(decision.reasons) == {R.LEGAL_MENTION, R.REFUND_REQUEST, R.CUSTOMER_REQUEST}


def test_disabled_tiers_are_skipped() -> None:
    no_manager = patched({"tiers": {"ai_manager": {"enabled": False}}})
    decision = evaluate(TurnFacts(legal_threat=True), no_manager, REP)
    assert (decision.escalate, decision.target_tier) == (True, HUMAN)
    no_human = patched({"tiers": {"human_agent": {"enabled": False}}})
    blocked = evaluate(TurnFacts(refund_amount=500.0), no_human, MGR)
    assert not blocked.escalate and blocked.target_tier is MGR
    assert "no enabled tier" in blocked.explanation


def test_facts_from_json_and_merge() -> None:
    facts = facts_from_dict({"sentiment_level": "IRATE", "failed_attempts": 2, "policy_flags": ["pii"]})
    assert facts.sentiment_level is Sentiment.IRATE and facts.policy_flags == ("pii",)
    assert facts_from_dict(facts.to_dict()) == facts
    merged = TurnFacts(legal_threat=True).merged({"legal_threat": False, "refund_amount": 5.0})
    assert merged.legal_threat and merged.refund_amount == 5.0
    bad_facts = [
        ({"sentiment_level": "MEH"}, "facts.sentiment_level"),
        ({"failed_attempts": -1}, "facts.failed_attempts"),
        ({"sentiment_score": 3}, "facts.sentiment_score"),
        ({"shoe_size": 9}, "facts.shoe_size"),
    ]
    for bad, field in bad_facts:
        with pytest.raises(Invalid) as err:
            facts_from_dict(bad)
        assert err.value.details["field"] == field


def test_decision_serialises() -> None:
    out = evaluate(TurnFacts(human_requested=True), default(), REP).to_dict()
    assert out["target_tier"] == "HUMAN_AGENT" and out["reasons"] == ["CUSTOMER_REQUEST"]
    assert out["support_reason"] == "manual_request" and out["priority"] == "medium"


@pytest.mark.parametrize(
    ("current", "target"), [("AI_REP", "AI_REP"), ("AI_MANAGER", "AI_REP"), ("HUMAN_AGENT", "AI_MANAGER"),
                            ("AI_MANAGER", "AI_MANAGER"), ("AI_REP", "SUPERVISOR"), ("AI_REP", None)]
)  # fmt: skip
def test_manual_escalation_to_same_lower_or_unknown_tier_is_an_invalid_target(current: str, target: str | None) -> None:
    with pytest.raises(InvalidEscalationTarget) as err:
        check_manual_escalation(current, target, "CUSTOMER_REQUEST", None, default())
    assert isinstance(err.value, Invalid)
    assert err.value.code == "invalid_escalation_target" and err.value.details["field"] == "target_tier"


def test_manual_escalation() -> None:
    notes = "asked for a manager"
    step = check_manual_escalation("AI_REP", "AI_MANAGER", "CUSTOMER_REQUEST", notes, default())
    assert step == EscalationStep(Tier.AI_REP, Tier.AI_MANAGER, Reason.CUSTOMER_REQUEST, notes)
    disabled = patched({"tiers": {"ai_manager": {"enabled": False}}})
    with pytest.raises(InvalidEscalationTarget):  # disabled tier
        check_manual_escalation("AI_REP", "AI_MANAGER", "CUSTOMER_REQUEST", notes, disabled)
    with pytest.raises(Invalid) as err:
        check_manual_escalation("AI_REP", "AI_MANAGER", "BORED", notes, default())
    assert err.value.details["field"] == "reason" and "code" not in err.value.details
