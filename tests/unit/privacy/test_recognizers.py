"""Recognizers: checksums, context rules and address shapes, through the shared analyzer."""

from __future__ import annotations

import pytest

from services.privacy.pii import detect


def found(text: str) -> list[tuple[str, str]]:
    return [(d.entity_type, text[d.start : d.end]) for d in detect(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("My card 4111 1111 1111 1111 was declined", ("CREDIT_CARD", "4111 1111 1111 1111")),
        ("IBAN GB82 WEST 1234 5698 7654 32 please", ("IBAN_CODE", "GB82 WEST 1234 5698 7654 32")),
        ("His social security number is 588-46-6702", ("US_SSN", "588-46-6702")),
        ("write to jane.doe+cs@mail.example.org today", ("EMAIL_ADDRESS", "jane.doe+cs@mail.example.org")),
        ("login from 192.168.10.24 failed", ("IP_ADDRESS", "192.168.10.24")),
        ("call me on +44 20 7946 0958 tomorrow", ("PHONE_NUMBER", "+44 20 7946 0958")),
        ("my acct no. 00123456789 is frozen", ("ACCOUNT_NUMBER", "00123456789")),
        ("I was born on March 3, 1980 in a small town", ("DATE_OF_BIRTH", "March 3, 1980")),
        ("Please ship it to 221 Baker Street, London", ("STREET_ADDRESS", "221 Baker Street, London")),
        ("She lives at 1072 Pohlstrasse 9 now", ("STREET_ADDRESS", "1072 Pohlstrasse 9")),
        ("address: PSC 2581, Box 0041\nAPO AP 32376", ("STREET_ADDRESS", "PSC 2581, Box 0041\nAPO AP 32376")),
    ],
)
def test_detects(text: str, expected: tuple[str, str]) -> None:
    assert expected in found(text)


@pytest.mark.parametrize(
    "text",
    [
        "Card 4111 1111 1111 1112 failed the checksum",  # Luhn fails
        "Order 12345678 shipped",  # digits without an account word
        "The meeting is on March 3, 1980 at noon",  # a date, but nobody's birth date
        "During 1971, the company invested heavily",  # a year next to a word is not an address
        "We have 3 offices and 12 staff",
    ],
)
def test_rejects(text: str) -> None:
    assert found(text) == []


def test_iban_failing_mod97_is_not_an_iban() -> None:
    assert "IBAN_CODE" not in {k for k, _ in found("IBAN GB82 WEST 1234 5698 7654 33 is mistyped")}


def test_names_from_cues_and_ner() -> None:
    kinds = found("Dear Anna, your agent Miklós Hajdu will call. My name is Juliusz A Kwiatkowski.")
    names = [v for k, v in kinds if k == "PERSON"]
    assert "Anna" in names and "Miklós Hajdu" in names and "Juliusz A Kwiatkowski" in names


def test_card_wins_over_account_number_on_the_same_digits() -> None:
    assert found("account card 4111111111111111") == [("CREDIT_CARD", "4111111111111111")]


def test_account_word_versus_phone_word() -> None:
    assert found("my account number is 1234567890") == [("ACCOUNT_NUMBER", "1234567890")]
    assert found("account holder, phone 5551234567") == [("PHONE_NUMBER", "5551234567")]
