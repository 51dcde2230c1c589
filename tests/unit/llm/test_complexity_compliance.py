"""Complexity scoring (seed 001 examples) and the compliance check (seed 000 review examples, PII, banned phrases)."""

from __future__ import annotations

import pytest

from libs.llm import check_compliance, complexity_score, explain_complexity

SIMPLE = ["What are your hours?", "How do I reset my password?", "Where is my order?"]
COMPLEX = [
    "I need help with integrating your API with our enterprise system using OAuth 2.0 and handling webhook callbacks",
    "Compare the APR and the amortization schedule of your two loan products, and explain which one fits a "
    "business that also needs invoice reconciliation?",
]


@pytest.mark.parametrize("query", SIMPLE)
def test_simple_queries_score_below_the_threshold(query: str) -> None:
    assert complexity_score(query) < 0.5


@pytest.mark.parametrize("query", COMPLEX)
def test_complex_queries_score_above_the_threshold(query: str) -> None:
    assert complexity_score(query) >= 0.5


def test_score_is_explained_by_its_features() -> None:
    report = explain_complexity(COMPLEX[0])
    assert report.features["domain_terms"] >= 4  # API, enterprise, OAuth, webhook, callbacks
    assert report.score == pytest.approx(min(sum(report.contributions.values()), 1.0), abs=1e-3)
    assert 0.0 <= complexity_score("") <= complexity_score(COMPLEX[0]) <= 1.0


def test_investment_advice_without_disclaimer_is_flagged() -> None:
    text = "Based on market trends, diversifying your portfolio across technology and energy stocks may help."
    check = check_compliance(text)
    assert not check.passed
    assert check.flags == ("financial_advice_without_disclaimer",)


def test_investment_advice_with_disclaimer_passes() -> None:
    text = (
        "Diversifying your portfolio may provide balanced growth potential. However, all investments carry risk "
        "and past performance is not indicative of future results."
    )
    assert check_compliance(text).passed


def test_product_information_is_not_investment_advice() -> None:
    text = "A credit score of 650 is generally considered fair and may qualify for a personal loan."
    assert check_compliance(text).passed


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("Write to jane.doe@example.com for help.", "pii_email"),
        ("Call me on 555-123-4567 today.", "pii_phone"),
        ("Your SSN 123-45-6789 is on file.", "pii_ssn"),
        ("The card 4111 1111 1111 1111 was charged.", "pii_card_number"),
    ],
)
def test_pii_in_output_is_flagged(text: str, flag: str) -> None:
    check = check_compliance(text)
    assert not check.passed and flag in check.flags


def test_numbers_that_are_not_pii_pass() -> None:
    assert check_compliance("Order 1234567890123 ships in 3-5 days; score 650.").passed  # fails Luhn


def test_banned_phrases_match_case_insensitively() -> None:
    check = check_compliance("This is a Guaranteed Approval offer.", banned_phrases=["guaranteed approval", " "])
    assert check.flags == ("banned_phrase:guaranteed approval",)
