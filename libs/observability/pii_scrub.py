"""structlog processor: takes an event dict, returns it with e-mails, phones, cards, IBANs, SSNs and IPv4s masked."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, MutableMapping
from typing import Any

# Every pattern below is a sequence of bounded or possessive-free simple classes with no nested quantifiers,
# so each regex runs in time linear in the string: the scrubber sits on every log line of every service.
# Boundaries use look-arounds on \w so that ids, UUIDs and timestamps are not cut into "phones".
_EMAIL = re.compile(r"[\w.+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,8}")
_IBAN = re.compile(r"(?<![\w])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?(?![\w])")
_SSN = re.compile(r"(?<![\w-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\w-])")
# Card numbers start with an issuer digit 2-6 (so epoch-millisecond timestamps, which start with 1, pass).
_CARD = re.compile(r"(?<![\w-])[2-6]\d{3}(?:[ -]?\d{2,4}){2,4}(?:[ -]?\d{1,3})?(?![\w-])")
# Phones need separators or a leading "+": a bare run of digits in a log line is far more often an id.
_PHONE = re.compile(
    r"(?<![\w.+-])(?<!\d[ .-])(?:\+\d{1,3}[ .-]?)?(?:\(\d{2,4}\)[ .-]?|\d{2,4}[ .-])\d{3,4}[ .-]\d{3,4}"
    r"(?![\w-]|[ .-]\d)"
    r"|(?<![\w+])\+\d{8,14}(?!\w)"
)
_TRIGGER = re.compile(r"[0-9@]")
_IPV4 = re.compile(
    r"(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![\w.])"
)


def luhn_ok(digits: str) -> bool:
    """Luhn checksum over a string of digits (card numbers)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def iban_ok(value: str) -> bool:
    """ISO 13616 mod-97 check of an IBAN (spaces allowed)."""
    compact = value.replace(" ", "").upper()
    if not 15 <= len(compact) <= 34:
        return False
    rearranged = compact[4:] + compact[:4]
    try:
        return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1
    except ValueError:
        return False


def _card_sub(m: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", m.group(0))
    return "[CARD]" if 13 <= len(digits) <= 19 and luhn_ok(digits) else m.group(0)


def _iban_sub(m: re.Match[str]) -> str:
    return "[IBAN]" if iban_ok(m.group(0)) else m.group(0)


# Order matters: e-mails first (they may contain digits), then checked numbers, then the looser shapes.
_RULES: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = (
    (_EMAIL, "[EMAIL]"),
    (_IBAN, _iban_sub),
    (_SSN, "[SSN]"),
    (_CARD, _card_sub),
    (_IPV4, "[IP]"),
    (_PHONE, "[PHONE]"),
)


def scrub_text(text: str) -> str:
    """Mask PII in one string; strings with neither a digit nor an "@" (most log text) return untouched."""
    if _TRIGGER.search(text) is None:
        return text
    for pattern, repl in _RULES:
        if pattern is _EMAIL and "@" not in text:
            continue  # the only pattern that may start on a letter: skip its scan when it cannot match
        text = pattern.sub(repl, text)
    return text


def _scrub_value(value: Any, depth: int = 0) -> Any:
    if isinstance(value, str):
        return scrub_text(value)
    if depth > 4:  # log payloads are shallow; a bound keeps a cyclic structure from recursing forever
        return value
    if isinstance(value, Mapping):
        return {k: _scrub_value(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_scrub_value(v, depth + 1) for v in value)
    return value


def scrub_pii(logger: Any, method: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """structlog processor: scrub every string value (nested in dicts/lists too) of the event dict in place."""
    for key, value in event_dict.items():
        event_dict[key] = _scrub_value(value)
    return event_dict
