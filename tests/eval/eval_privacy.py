"""PII eval: reads presidio_synth_pii records, prints precision/recall/F2 per type for our engine and Presidio's.

Run: `python -m tests.eval.eval_privacy [--file PATH] [--limit N] [--errors TYPE]`.

Scoring (span overlap, per entity type, micro-averaged overall):
- a gold span counts as found (recall) when a prediction of the same mapped type overlaps it by ≥ 1 character;
- a prediction counts as correct (precision) when it overlaps a gold span of its type; otherwise it is a false
  positive, including when it lands on a gold span of another or an unscored type.
Label mapping (dataset → ours): PERSON→name, STREET_ADDRESS→street_address, CREDIT_CARD→credit_card,
PHONE_NUMBER→phone_number, EMAIL_ADDRESS→email, IBAN_CODE→iban, US_SSN→ssn, IP_ADDRESS→ip_address.
Unscored dataset types (not PII we promise to find): GPE, ORGANIZATION, TITLE, AGE, NRP, DOMAIN_NAME, ZIP_CODE,
US_DRIVER_LICENSE, DATE_TIME. The dataset labels every date as DATE_TIME, not just birth dates, so DATE_TIME is
not used for recall; a date_of_birth prediction is correct when it overlaps a DATE_TIME span. account_number
has no gold spans: every account_number prediction counts as a false positive.
Presidio baseline mapping: PERSON→name, LOCATION→street_address, US_BANK_NUMBER→
account_number, the rest by the same names as above; its other types (DATE_TIME included: it is any date,
not a birth date) are dropped.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "presidio_synth_pii"
DEV_FILE = DATA / "synth_dataset_v2.dev.json"

GOLD_MAP = {
    "PERSON": "name",
    "STREET_ADDRESS": "street_address",
    "CREDIT_CARD": "credit_card",
    "PHONE_NUMBER": "phone_number",
    "EMAIL_ADDRESS": "email",
    "IBAN_CODE": "iban",
    "US_SSN": "ssn",
    "IP_ADDRESS": "ip_address",
}
# Gold types that make a prediction of the given type correct without being counted for recall.
PRECISION_ONLY = {"date_of_birth": {"DATE_TIME"}}
PRESIDIO_MAP = {
    "PERSON": "name",
    "LOCATION": "street_address",
    "US_BANK_NUMBER": "account_number",
    "CREDIT_CARD": "credit_card",
    "PHONE_NUMBER": "phone_number",
    "EMAIL_ADDRESS": "email",
    "IBAN_CODE": "iban",
    "US_SSN": "ssn",
    "IP_ADDRESS": "ip_address",
}
Span = tuple[str, int, int]  # (type, start, end)
Predict = Callable[[str], list[Span]]


def load(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def score(records: list[dict], predict: Predict, errors: str | None = None) -> dict[str, dict[str, float]]:
    """Per-type counts (tp_gold, gold, tp_pred, pred) → precision/recall/F2, plus "overall"."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for rec in records:
        text, spans = rec["full_text"], rec["spans"]
        preds = predict(text)
        for s in spans:
            kind = GOLD_MAP.get(s["entity_type"])
            if kind is None:
                continue
            gold = (s["start_position"], s["end_position"])
            hit = any(t == kind and _overlaps(gold, (ps, pe)) for t, ps, pe in preds)
            counts[kind][0] += hit
            counts[kind][1] += 1
            if errors == kind and not hit:
                print(f"  MISS {text[gold[0] : gold[1]]!r} in {text[:160]!r}")
        for t, ps, pe in preds:
            ok_types = {g for g, k in GOLD_MAP.items() if k == t} | PRECISION_ONLY.get(t, set())
            ok = any(
                s["entity_type"] in ok_types and _overlaps((s["start_position"], s["end_position"]), (ps, pe))
                for s in spans
            )
            counts[t][2] += ok
            counts[t][3] += 1
            if errors == t and not ok:
                print(f"  FP   {text[ps:pe]!r} in {text[:160]!r}")
    total = [sum(c[i] for c in counts.values()) for i in range(4)]
    return {k: _prf(c) for k, c in sorted(counts.items())} | {"overall": _prf(total)}


def _prf(c: list[int]) -> dict[str, float]:
    recall = c[0] / c[1] if c[1] else float("nan")
    precision = c[2] / c[3] if c[3] else float("nan")
    p, r = (0.0 if x != x else x for x in (precision, recall))
    f2 = 5 * p * r / (4 * p + r) if (4 * p + r) > 0 and c[1] else float("nan")
    return {"precision": precision, "recall": recall, "f2": f2, "support": c[1], "predicted": c[3]}


def ours() -> Predict:
    from services.privacy.domain import TYPE_NAMES
    from services.privacy.pii import detect, get_analyzer

    analyzer = get_analyzer()
    return lambda text: [(TYPE_NAMES[d.entity_type], d.start, d.end) for d in detect(text, analyzer)]


def presidio_default() -> Predict:
    from services.privacy.pii import build_presidio_default_analyzer

    analyzer = build_presidio_default_analyzer()

    def predict(text: str) -> list[Span]:
        results = analyzer.analyze(text=text, language="en", score_threshold=0.35)
        return [(PRESIDIO_MAP[r.entity_type], r.start, r.end) for r in results if r.entity_type in PRESIDIO_MAP]

    return predict


def table(name: str, res: dict[str, dict[str, float]], seconds: float) -> None:
    print(f"\n{name}  ({seconds:.1f} s)")
    print(f"{'type':<16}{'precision':>10}{'recall':>9}{'F2':>8}{'gold':>7}{'pred':>7}")
    for kind, m in res.items():
        cells = "".join(f"{m[k]:>{w}.3f}" for k, w in (("precision", 10), ("recall", 9), ("f2", 8)))
        print(f"{kind:<16}{cells}{m['support']:>7}{m['predicted']:>7}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--file", type=Path, default=DEV_FILE)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--errors", help="print misses and false positives of this type (ours only)")
    ap.add_argument("--no-baseline", action="store_true")
    args = ap.parse_args(argv)
    if not args.file.exists():
        print(f"eval_privacy: {args.file} absent (needs ../shared/data); skipped")
        return 0
    records = load(args.file)[: args.limit or None]
    print(f"{len(records)} records from {args.file.name}")
    systems: list[tuple[str, Callable[[], Predict]]] = [("switchboard privacy", ours)]
    if not args.no_baseline:
        systems.append(("presidio default (same spaCy model)", presidio_default))
    for name, factory in systems:
        predict = factory()
        t0 = time.perf_counter()
        res = score(records, predict, errors=args.errors if factory is ours else None)
        table(name, res, time.perf_counter() - t0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
