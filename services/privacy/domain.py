"""Anonymization domain: takes text (and detections), produces placeholder text, masked mapping and originals."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from presidio_anonymizer import AnonymizerEngine
from presidio_anonymizer.entities import OperatorConfig, RecognizerResult

from libs.errors import Invalid, TooLarge
from services.privacy import recognizers as rz
from services.privacy import recognizers_ids as rid
from services.privacy import recognizers_places as rpl
from services.privacy.pii import PERSON, Detection, detect

MAX_TEXT_BYTES = 1_048_576  # 1 MiB of UTF-8: callers reject larger texts with TooLarge before detection

# Internal entity → API type name (seed 000 `pii_detected`) and placeholder stem (`[PHONE_1]`).
TYPE_NAMES: dict[str, str] = {
    PERSON: "name",
    rz.ACCOUNT: "account_number",
    rz.PHONE: "phone_number",
    rz.CARD: "credit_card",
    rz.IBAN: "iban",
    rz.SSN: "ssn",
    rz.EMAIL: "email",
    rz.ADDRESS: "street_address",
    rz.DOB: "date_of_birth",
    rz.IP: "ip_address",
    rpl.LOCATION: "location",
    rpl.ZIP: "zip_code",
    rid.DRIVER_LICENSE: "driver_license",
    rid.PASSPORT: "passport",
}
PLACEHOLDER_STEMS: dict[str, str] = {
    "name": "NAME",
    "account_number": "ACCOUNT_NUMBER",
    "phone_number": "PHONE",
    "credit_card": "CREDIT_CARD",
    "iban": "IBAN",
    "ssn": "SSN",
    "email": "EMAIL",
    "street_address": "ADDRESS",
    "date_of_birth": "DATE_OF_BIRTH",
    "ip_address": "IP_ADDRESS",
    "location": "LOCATION",
    "zip_code": "ZIP_CODE",
    "driver_license": "DRIVER_LICENSE",
    "passport": "PASSPORT",
}
PLACEHOLDER_RE = re.compile(r"\[([A-Z]+(?:_[A-Z]+)*)_(\d+)\]")


def _keep_last_digits(value: str, keep: int = 4) -> str:
    """Every digit but the last `keep` becomes X; separators stay (1234567890 → XXXXXX7890)."""
    total = sum(ch.isdigit() for ch in value)
    out, seen = [], 0
    for ch in value:
        if ch.isdigit():
            seen += 1
            out.append(ch if seen > total - keep else "X")
        else:
            out.append(ch)
    return "".join(out)


def _mask_iban(value: str) -> str:
    compact = value.replace(" ", "")
    return compact[:2] + "X" * max(0, len(compact) - 6) + compact[-4:]


def _mask_email(value: str) -> str:
    local, _, domain = value.partition("@")
    return f"{local[:1]}***@{domain}"


def _mask_all(value: str) -> str:
    return re.sub(r"\w", "X", value)


def _mask_date(value: str) -> str:
    year = re.search(r"\d{4}", value)
    masked = _mask_all(value)
    return masked[: year.start()] + year.group() + masked[year.end() :] if year else masked


def _mask_ip(value: str) -> str:
    sep = ":" if ":" in value else "."
    head, _, last = value.rpartition(sep)
    return re.sub(r"[0-9A-Fa-f]", "X", head) + sep + last


# How each type's original is shown in the response `mapping` (the vault keeps the clear originals).
MASKS: dict[str, Callable[[str], str]] = {
    "name": lambda v: v,  # seed 000 shows names in clear
    "account_number": _keep_last_digits,
    "phone_number": _keep_last_digits,
    "credit_card": _keep_last_digits,
    "ssn": _keep_last_digits,
    "iban": _mask_iban,
    "email": _mask_email,
    "street_address": _mask_all,
    "date_of_birth": _mask_date,
    "ip_address": _mask_ip,
    "location": _mask_all,
    "zip_code": _mask_all,
    "driver_license": _keep_last_digits,
    "passport": _keep_last_digits,
}


@dataclass(frozen=True, slots=True)
class AnonymizeResult:
    """Outcome of `anonymize`; `originals` (placeholder → clear value) is for the vault, never for responses."""

    anonymized_text: str
    mapping: dict[str, str] | None
    pii_detected: list[str]
    entities: list[dict[str, Any]]
    token: str
    originals: dict[str, str] = field(repr=False, default_factory=dict)


def check_text(text: Any, field_name: str = "text") -> str:
    """Validate an input text: a non-blank string of at most MAX_TEXT_BYTES UTF-8 bytes."""
    if not isinstance(text, str):
        raise Invalid("Validation error", {field_name: "must be a string"})
    if not text.strip():
        raise Invalid("Validation error", {field_name: "Field is required and must not be empty"})
    size = len(text.encode("utf-8"))
    if size > MAX_TEXT_BYTES:
        raise TooLarge("Text too large", {field_name: f"{size} bytes exceeds the limit", "max_bytes": MAX_TEXT_BYTES})
    return text


def assign_placeholders(text: str, detections: list[Detection]) -> list[tuple[Detection, str, str]]:
    """(detection, type name, placeholder) in text order; the same value of a type reuses its placeholder."""
    counters: dict[str, int] = {}
    seen: dict[tuple[str, str], str] = {}
    out = []
    for d in sorted(detections, key=lambda d: d.start):
        kind = TYPE_NAMES[d.entity_type]
        key = (kind, text[d.start : d.end])
        if key not in seen:
            counters[kind] = counters.get(kind, 0) + 1
            seen[key] = f"[{PLACEHOLDER_STEMS[kind]}_{counters[kind]}]"
        out.append((d, kind, seen[key]))
    return out


def _replace(text: str, assigned: list[tuple[Detection, str, str]]) -> str:
    """Substitute placeholders with Presidio's anonymizer (custom operator per span, decided beforehand)."""
    by_span = {(d.start, d.end): placeholder for d, _, placeholder in assigned}
    results = [RecognizerResult(f"E{i}", d.start, d.end, d.score) for i, (d, _, _) in enumerate(assigned)]
    operators = {
        f"E{i}": OperatorConfig("replace", {"new_value": by_span[(d.start, d.end)]})
        for i, (d, _, _) in enumerate(assigned)
    }
    return _anonymizer().anonymize(text=text, analyzer_results=results, operators=operators).text


_ENGINE: list[AnonymizerEngine] = []


def _anonymizer() -> AnonymizerEngine:
    if not _ENGINE:  # built on first use, then shared (it holds no per-call state)
        _ENGINE.append(AnonymizerEngine())
    return _ENGINE[0]


def anonymize_detections(text: str, detections: list[Detection], *, keep_mapping: bool) -> AnonymizeResult:
    """Pure core of `anonymize`, given the detections (unit-testable without spaCy)."""
    assigned = assign_placeholders(text, detections)
    originals: dict[str, str] = {}
    pii_detected: list[str] = []
    entities = []
    for d, kind, placeholder in assigned:
        originals.setdefault(placeholder, text[d.start : d.end])
        if kind not in pii_detected:
            pii_detected.append(kind)
        entities.append({"type": kind, "placeholder": placeholder, "start": d.start, "end": d.end, "score": d.score})
    mapping = {p: MASKS[_kind_of(p)](v) for p, v in originals.items()}
    return AnonymizeResult(
        anonymized_text=_replace(text, assigned) if assigned else text,
        mapping=mapping if keep_mapping else None,
        pii_detected=pii_detected,
        entities=entities,
        token=f"pii_{uuid.uuid4().hex}",
        originals=originals,
    )


_STEM_TO_KIND = {stem: kind for kind, stem in PLACEHOLDER_STEMS.items()}


def _kind_of(placeholder: str) -> str:
    m = PLACEHOLDER_RE.fullmatch(placeholder)
    return _STEM_TO_KIND[m.group(1)] if m else "name"


def anonymize(text: str, *, keep_mapping: bool = False) -> AnonymizeResult:
    """Detect PII in `text` and replace each value with a numbered placeholder ([NAME_1], [PHONE_1], ...)."""
    check_text(text)
    return anonymize_detections(text, detect(text), keep_mapping=keep_mapping)


def deanonymize(text: str, originals: Mapping[str, str]) -> str:
    """Put the originals back in place of their placeholders; unknown placeholders are left as they are."""
    return PLACEHOLDER_RE.sub(lambda m: originals.get(m.group(0), m.group(0)), text)
