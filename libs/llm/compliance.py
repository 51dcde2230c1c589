"""Compliance check: generated text (+ company banned phrases) in, ComplianceCheck(passed, flags) out."""

from __future__ import annotations

import re
from collections.abc import Iterable

from libs.llm.types import ComplianceCheck

# Investment-advice topics: a reply touching these must carry a risk disclaimer (seed 000 review example).
_FINANCIAL_ADVICE = re.compile(
    r"\b(invest(?:ing|ment|ments|or)?|stocks?|shares|equities|portfolio|crypto(?:currency|currencies)?|bitcoin|"
    r"etfs?|mutual funds?|bonds?|securities|401\(?k\)?|ira|retirement savings|trading|day trade|"
    r"(?:high|maximum|guaranteed) returns?|capital gains)\b",
    re.I,
)
_DISCLAIMER = re.compile(
    r"(not (?:financial|investment) advice|carr(?:y|ies) risk|involves? risk|at your own risk|risk of loss|"
    r"past performance|may lose|could lose|consult (?:a|an|your) (?:licensed |qualified )?"
    r"(?:financial|investment) (?:advisor|adviser|professional)|no guarantee)",
    re.I,
)
_EMAIL = re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b")
_PHONE = re.compile(r"(?<![\d-])(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}(?![\d-])")
_SSN = re.compile(r"(?<![\d-])\d{3}-\d{2}-\d{4}(?![\d-])")
_CARD = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _has_card(text: str) -> bool:
    # Luhn keeps order numbers and long account references from being reported as card numbers.
    return any(_luhn_ok(re.sub(r"\D", "", m.group())) for m in _CARD.finditer(text))


def pii_flags(text: str) -> list[str]:
    flags = []
    if _EMAIL.search(text):
        flags.append("pii_email")
    if _PHONE.search(text):
        flags.append("pii_phone")
    if _SSN.search(text):
        flags.append("pii_ssn")
    if _has_card(text):
        flags.append("pii_card_number")
    return flags


def check_compliance(text: str, banned_phrases: Iterable[str] = ()) -> ComplianceCheck:
    """Flags: financial_advice_without_disclaimer, pii_* and banned_phrase:<phrase>; passed when none fire."""
    flags: list[str] = []
    if _FINANCIAL_ADVICE.search(text) and not _DISCLAIMER.search(text):
        flags.append("financial_advice_without_disclaimer")
    flags.extend(pii_flags(text))
    lowered = text.casefold()
    for phrase in banned_phrases:
        needle = phrase.strip().casefold()
        if needle and needle in lowered:
            flags.append(f"banned_phrase:{phrase.strip()}")
    return ComplianceCheck(passed=not flags, flags=tuple(flags))
