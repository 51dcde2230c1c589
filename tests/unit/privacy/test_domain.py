"""Anonymization: seed 000 example verbatim, placeholder numbering, masks, reversal and input limits."""

from __future__ import annotations

import pytest

from libs.errors import Invalid, TooLarge
from services.privacy import recognizers as rz
from services.privacy.domain import (
    MASKS,
    MAX_TEXT_BYTES,
    anonymize,
    anonymize_detections,
    check_text,
    deanonymize,
)
from services.privacy.pii import PERSON, Detection

SEED_TEXT = "Hi, my name is John Smith and my account number is 1234567890. My phone number is 555-123-4567."


def test_seed_000_example_exactly() -> None:
    result = anonymize(SEED_TEXT, keep_mapping=True)
    assert result.anonymized_text == (
        "Hi, my name is [NAME_1] and my account number is [ACCOUNT_NUMBER_1]. My phone number is [PHONE_1]."
    )
    assert result.mapping == {
        "[NAME_1]": "John Smith",
        "[ACCOUNT_NUMBER_1]": "XXXXXX7890",
        "[PHONE_1]": "XXX-XXX-4567",
    }
    assert result.pii_detected == ["name", "account_number", "phone_number"]


def test_originals_reverse_the_anonymization_and_stay_out_of_repr() -> None:
    result = anonymize(SEED_TEXT, keep_mapping=False)
    assert result.mapping is None
    assert deanonymize(result.anonymized_text, result.originals) == SEED_TEXT
    assert "John" not in repr(result) and "1234567890" not in repr(result)
    assert result.token.startswith("pii_") and len(result.token) > 20


def test_same_value_same_placeholder_and_numbering_per_type() -> None:
    text = "Call 555-123-4567 or 555-987-6543, again 555-123-4567; mail ann@example.com"
    result = anonymize(text, keep_mapping=True)
    assert result.anonymized_text == "Call [PHONE_1] or [PHONE_2], again [PHONE_1]; mail [EMAIL_1]"
    assert result.pii_detected == ["phone_number", "email"]
    assert result.mapping == {"[PHONE_1]": "XXX-XXX-4567", "[PHONE_2]": "XXX-XXX-6543", "[EMAIL_1]": "a***@example.com"}
    assert [e["placeholder"] for e in result.entities] == ["[PHONE_1]", "[PHONE_2]", "[PHONE_1]", "[EMAIL_1]"]


def test_text_without_pii_is_unchanged() -> None:
    result = anonymize("How do I reset my online banking password?", keep_mapping=True)
    assert result.anonymized_text == "How do I reset my online banking password?"
    assert result.mapping == {} and result.pii_detected == [] and result.entities == []


def test_core_works_from_given_detections() -> None:
    text = "Card 4111 1111 1111 1111 for Ana"
    dets = [Detection(rz.CARD, 5, 24, 1.0), Detection(PERSON, 29, 32, 0.85)]
    result = anonymize_detections(text, dets, keep_mapping=True)
    assert result.anonymized_text == "Card [CREDIT_CARD_1] for [NAME_1]"
    assert result.mapping == {"[CREDIT_CARD_1]": "XXXX XXXX XXXX 1111", "[NAME_1]": "Ana"}


@pytest.mark.parametrize(
    ("kind", "value", "masked"),
    [
        ("ssn", "123-45-6789", "XXX-XX-6789"),
        ("iban", "GB82WEST12345698765432", "GBXXXXXXXXXXXXXXXX5432"),
        ("date_of_birth", "5/5/1937", "X/X/1937"),
        ("ip_address", "16.244.11.141", "XX.XXX.XX.141"),
        ("street_address", "12 Main St", "XX XXXX XX"),
        ("phone_number", "+44 20 7946 0958", "+XX XX XXXX 0958"),
    ],
)
def test_documented_masks(kind: str, value: str, masked: str) -> None:
    assert MASKS[kind](value) == masked


def test_deanonymize_leaves_unknown_placeholders() -> None:
    assert deanonymize("[NAME_1] and [NAME_2]", {"[NAME_1]": "Ann"}) == "Ann and [NAME_2]"


@pytest.mark.parametrize("bad", ["", "   \n", None, 42])
def test_empty_or_non_text_is_invalid(bad: object) -> None:
    with pytest.raises(Invalid) as err:
        check_text(bad)
    assert "text" in err.value.details


def test_over_one_mebibyte_is_too_large() -> None:
    check_text("a" * MAX_TEXT_BYTES)
    with pytest.raises(TooLarge) as err:
        check_text("é" * (MAX_TEXT_BYTES // 2 + 1))  # 2 bytes each in UTF-8
    assert err.value.details["max_bytes"] == MAX_TEXT_BYTES
