"""Log scrubber: PII in any string value of an event dict is masked; ordinary log values pass untouched."""

from __future__ import annotations

import pytest

from libs.observability.pii_scrub import iban_ok, luhn_ok, scrub_pii, scrub_text


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("mail john.doe@example.co.uk now", "mail [EMAIL] now"),
        ("call 555-123-4567 or (555) 123-4567", "call [PHONE] or [PHONE]"),
        ("intl +44 20 7946 0958", "intl [PHONE]"),
        ("card 4111 1111 1111 1111", "card [CARD]"),
        ("ssn 123-45-6789", "ssn [SSN]"),
        ("iban GB82WEST12345698765432", "iban [IBAN]"),
        ("from 10.1.2.3", "from [IP]"),
    ],
)
def test_scrubs(raw: str, clean: str) -> None:
    assert scrub_text(raw) == clean


@pytest.mark.parametrize(
    "text",
    [
        "2023-08-15T14:22:31.123456+00:00",
        "id 550e8400-e29b-41d4-a716-446655440000",
        "took 12.345 ms, 3 retries, offset 1234567",
        "ts 1692105600000",  # epoch millis: not a card even when Luhn-valid by chance
        "card 4111 1111 1111 1112",  # fails Luhn
        "version 1.2.3.4.5",
    ],
)
def test_leaves_ordinary_values(text: str) -> None:
    assert scrub_text(text) == text


def test_processor_scrubs_nested_values_and_keeps_keys() -> None:
    event = {
        "event": "reply sent to jane@example.com",
        "user": {"phone": "555-123-4567", "tags": ["ip 10.0.0.1", 3]},
        "count": 5,
    }
    out = scrub_pii(None, "info", event)
    assert out == {
        "event": "reply sent to [EMAIL]",
        "user": {"phone": "[PHONE]", "tags": ["ip [IP]", 3]},
        "count": 5,
    }


def test_checksums() -> None:
    assert luhn_ok("4111111111111111") and not luhn_ok("4111111111111112")
    assert iban_ok("GB82 WEST 1234 5698 7654 32") and not iban_ok("GB82 WEST 1234 5698 7654 33")
