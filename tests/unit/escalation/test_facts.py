"""extract_facts: amounts with currency, human/manager requests, legal and social threats, keywords."""

from __future__ import annotations

import pytest

from services.escalation.facts import extract_facts


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I want a refund of €150 for this", {"refund_amount": 150.0, "currency": "EUR"}),
        ("Please refund $49.99 now", {"refund_amount": 49.99, "currency": "USD"}),
        ("refund of 49,99 € please", {"refund_amount": 49.99, "currency": "EUR"}),
        ("I want my 150 euros back, refund it", {"refund_amount": 150.0, "currency": "EUR"}),
        ("refund 1,250.00 EUR", {"refund_amount": 1250.0, "currency": "EUR"}),
        ("I paid $300 last month and want $150 refunded", {"refund_amount": 150.0, "currency": "USD"}),
        ("Could I get a 20 GBP store credit?", {"credit_amount": 20.0, "currency": "GBP"}),
        ("refund $20 and a 30 USD credit", {"refund_amount": 20.0, "credit_amount": 30.0, "currency": "USD"}),
        ("refund for order 12345", {}),  # an order number is not money
        ("My order cost $80 and arrived late", {}),  # money without any refund/credit ask
    ],
)
def test_money(text: str, expected: dict) -> None:
    found = extract_facts(text)
    assert {k: v for k, v in found.items() if k in ("refund_amount", "credit_amount", "currency")} == expected


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("I want to speak to a human", "human_requested"),
        ("Can you transfer me to a live agent?", "human_requested"),
        ("is there a real person there", "human_requested"),
        ("Let me talk to your manager", "manager_requested"),
        ("I need a supervisor right now", "manager_requested"),
        ("I'll sue you", "legal_threat"),
        ("my attorney will hear about this", "legal_threat"),
        ("see you in small claims court", "legal_threat"),
        ("I will post this on twitter", "social_media_threat"),
        ("expect a 1-star review", "social_media_threat"),
        ("I'm going public with this", "social_media_threat"),
        ("please cancel my subscription", "subscription_change"),
        ("I want to downgrade the plan", "subscription_change"),
    ],
)
def test_flags_found(text: str, key: str) -> None:
    assert extract_facts(text).get(key) is True


@pytest.mark.parametrize(
    "text",
    [
        "I don't want to speak to a human, just fix it",
        "I am a manager at my company",
        "this is a known issue",  # 'sue' inside a word
        "I'd like to review my order",
        "of course, thanks",
        "Where is my parcel?",
    ],
)
def test_no_false_flags(text: str) -> None:
    found = extract_facts(text)
    flags = ("human_requested", "manager_requested", "legal_threat", "social_media_threat")
    assert not any(found.get(flag) for flag in flags)


def test_irate_keywords_are_whole_words_from_the_given_list() -> None:
    assert extract_facts("This is UNACCEPTABLE, I am furious")["irate_keywords"] == ["furious", "unacceptable"]
    assert "irate_keywords" not in extract_facts("acceptable, thanks")
    custom = extract_facts("absolute rubbish service", trigger_keywords=["rubbish", "Absolute Rubbish"])
    assert custom["irate_keywords"] == ["rubbish", "absolute rubbish"]
