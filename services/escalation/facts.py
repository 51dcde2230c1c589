"""Text -> partial TurnFacts by regex and keywords (refund/credit amounts with currency, requests for a
human or manager, legal and social-media threats, subscription changes, irate keywords). Pure, no I/O."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

_CURRENCY_SYMBOLS = {"€": "EUR", "$": "USD", "£": "GBP", "¥": "JPY", "₹": "INR"}
_CURRENCY_WORDS = {
    "eur": "EUR", "euro": "EUR", "euros": "EUR", "usd": "USD", "dollar": "USD", "dollars": "USD",
    "bucks": "USD", "gbp": "GBP", "pound": "GBP", "pounds": "GBP", "quid": "GBP", "cad": "CAD",
    "aud": "AUD", "chf": "CHF", "jpy": "JPY", "yen": "JPY", "inr": "INR", "rupees": "INR",
}  # fmt: skip
_NUM = r"(\d{1,3}(?:[,\s]\d{3})+(?:\.\d{1,2})?|\d+(?:[.,]\d{1,2})?)"
_WORDS = "|".join(sorted(_CURRENCY_WORDS, key=len, reverse=True))
_MONEY = re.compile(
    rf"(?P<sym>[€$£¥₹])\s?{_NUM.replace('(', '(?P<a>', 1)}"
    rf"|(?P<code1>\b(?:{_WORDS})\b)\s?{_NUM.replace('(', '(?P<b>', 1)}"
    rf"|{_NUM.replace('(', '(?P<c>', 1)}\s?(?P<code2>(?:{_WORDS})\b)"
    rf"|{_NUM.replace('(', '(?P<d>', 1)}\s?(?P<sym2>[€$£¥₹])",
    re.IGNORECASE,
)
_REFUND = re.compile(r"\b(refund\w*|reimburs\w*|money back|charge ?back|repay\w*|compensat\w*)", re.I)
_CREDIT = re.compile(r"\b(credit|store credit|account credit|voucher|gift card|discount)\b", re.I)
_NEGATION = re.compile(r"\b(don'?t|do not|doesn'?t|no need|never|not)\b[\w\s']{0,20}$", re.I)
_HUMAN = re.compile(
    r"\b(?:speak|talk|chat|connect|transfer|put|get|want|need|demand)\w*\s+(?:me\s+)?"
    r"(?:to|with|through to)?\s*"
    r"(?:a|an|some|your|the)?\s*"
    r"(?:real\s+|live\s+|actual\s+)?(?:human|person|agent|representative|rep|someone|somebody|operator)\b"
    r"|\b(?:real|live|actual)\s+(?:human|person|agent)\b|\bhuman\s+being\b|\bhuman\s+agent\b",
    re.I,
)
_MANAGER = re.compile(
    r"\b(?:speak|talk|chat|connect|transfer|put|get|want|need|demand|see)\w*\s+(?:me\s+)?"
    r"(?:to|with|through to)?\s*"
    r"(?:a|an|your|the)?\s*(?:manager|supervisor|superior|boss)\b|\bescalate\s+(?:this|it|me)\b",
    re.I,
)
_LEGAL = re.compile(
    r"\b(?:lawyers?|attorneys?|solicitors?|sue|suing|sued|lawsuit|legal action|legal team|litigation|"
    r"court|small claims|class action|ombudsman|consumer protection|trading standards)\b",
    re.I,
)
_SOCIAL = re.compile(
    r"\b(?:twitter|tweet\w*|facebook|instagram|tiktok|reddit|youtube|linkedin|social media|trustpilot|yelp|"
    r"the press|journalists?|the news|go(?:ing)? public|tell everyone|"
    r"post\w*\s+(?:this|it|about\s+\w+)\s+(?:publicly|online|everywhere)|"
    r"(?:bad|negative|terrible|awful|1[- ]star|one[- ]star)\s+reviews?|reviews?\s+(?:everywhere|online))\b",
    re.I,
)
_SUBSCRIPTION = re.compile(
    r"\b(?:upgrade|downgrade|cancel|change|switch|pause|modify)\w*\s+(?:my\s+|the\s+|our\s+)?"
    r"(?:subscription|plan|membership)\b",
    re.I,
)
DEFAULT_IRATE_KEYWORDS = ("angry", "furious", "unacceptable", "outraged", "ridiculous", "disgusting", "livid")


def _amount(raw: str) -> float:
    """'1,250.00' / '1 250' / '49,99' -> float; a comma with two trailing digits is a decimal comma."""
    raw = raw.replace(" ", "")
    if re.fullmatch(r"\d+,\d{1,2}", raw):
        return float(raw.replace(",", "."))
    return float(raw.replace(",", ""))


def _moneys(text: str) -> list[tuple[int, float, str]]:
    found = []
    for match in _MONEY.finditer(text):
        number = match.group("a") or match.group("b") or match.group("c") or match.group("d")
        sym, code = match.group("sym") or match.group("sym2"), match.group("code1") or match.group("code2")
        currency = _CURRENCY_SYMBOLS[sym] if sym else _CURRENCY_WORDS[code.lower()]
        found.append((match.start(), _amount(number), currency))
    return found


def _not_negated(text: str, pattern: re.Pattern[str]) -> bool:
    return any(not _NEGATION.search(text[max(0, m.start() - 30) : m.start()]) for m in pattern.finditer(text))


def _money_facts(text: str) -> dict[str, Any]:
    """Each amount goes to the nearer of a refund or credit word (within 80 characters); per kind, the
    amount closest to its word wins ("I paid $300 and want $150 refunded" -> 150)."""
    refunds = [m.start() for m in _REFUND.finditer(text)]
    credits = [m.start() for m in _CREDIT.finditer(text)]
    best: dict[str, tuple[int, float, str]] = {}
    for pos, value, currency in _moneys(text):
        near_refund = min((abs(pos - p) for p in refunds), default=10**9)
        near_credit = min((abs(pos - p) for p in credits), default=10**9)
        distance = min(near_refund, near_credit)
        key = "refund_amount" if near_refund <= near_credit else "credit_amount"
        if distance <= 80 and (key not in best or distance < best[key][0]):
            best[key] = (distance, value, currency)
    out: dict[str, Any] = {key: value for key, (_, value, _) in best.items()}
    if best:
        out["currency"] = best.get("refund_amount", best.get("credit_amount", (0, 0.0, "")))[2]
    return out


def extract_facts(text: str, trigger_keywords: Iterable[str] = DEFAULT_IRATE_KEYWORDS) -> dict[str, Any]:
    """Partial TurnFacts found in one customer message: only the keys that were found are present."""
    out: dict[str, Any] = _money_facts(text)
    if _not_negated(text, _HUMAN):
        out["human_requested"] = True
    if _not_negated(text, _MANAGER):
        out["manager_requested"] = True
    if _LEGAL.search(text):
        out["legal_threat"] = True
    if _SOCIAL.search(text):
        out["social_media_threat"] = True
    if _SUBSCRIPTION.search(text):
        out["subscription_change"] = True
    lowered = text.lower()
    hits = [k for k in dict.fromkeys(w.lower() for w in trigger_keywords) if _has_phrase(lowered, k)]
    if hits:
        out["irate_keywords"] = hits
    return out


def _has_phrase(lowered: str, phrase: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", lowered) is not None
