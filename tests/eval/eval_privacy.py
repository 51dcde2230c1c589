"""PII eval: reads presidio_synth_pii records, prints precision/recall/F2 per type for our engine and Presidio's.

Run: `python -m tests.eval.eval_privacy [--file PATH] [--limit N] [--errors TYPE]`.

Scoring (span overlap, per entity type, micro-averaged overall):
- a gold span counts as found (recall) when a prediction of an accepted type overlaps it by ≥ 1 character;
- a prediction counts as correct (precision) when it overlaps a gold span that accepts its type; otherwise it is
  a false positive, including when it lands on a gold span of another or an unscored type.
Label mapping (dataset → ours): PERSON→name, STREET_ADDRESS→street_address, GPE→location, ZIP_CODE→zip_code,
US_DRIVER_LICENSE→driver_license, US_PASSPORT→passport, CREDIT_CARD→credit_card, PHONE_NUMBER→phone_number,
EMAIL_ADDRESS→email, IBAN_CODE→iban, US_SSN→ssn, IP_ADDRESS→ip_address. An address is promised with the city,
state and ZIP around it, so a street_address prediction also finds a GPE or ZIP_CODE span it covers, and a
location or zip_code prediction inside a gold STREET_ADDRESS span is correct (it is not scored for its recall).
Unscored dataset types (not PII we promise to find): ORGANIZATION, TITLE, AGE, NRP, DOMAIN_NAME, DATE_TIME.
The dataset labels every date as DATE_TIME, not just birth dates, so DATE_TIME is not used for recall; a
date_of_birth prediction is correct when it overlaps a DATE_TIME span. account_number has no gold spans: every
account_number prediction counts as a false positive.
Presidio baseline mapping: PERSON→name, LOCATION→location, US_DRIVER_LICENSE→driver_license, US_PASSPORT→
passport, US_BANK_NUMBER→account_number, the rest by the same names as above; its other types (DATE_TIME
included: it is any date, not a birth date) are dropped.

Files: the dev file (templates seen while tuning) and four transfer sets: `dev_split(records, "held")`, the dev
file's odd-numbered templates less every record naming a first or last name that a "fit" (even-numbered template)
record names (412 of 960 records), `--synth held`: records from templates written in tests/eval/pii_synth.py, and
`--templates held`: records from the templates of presidio-research's templates.txt that the dev file does not
contain, filled with our own values (tests/eval/pii_templates.py; no template or name on both sides), and
`--dev-names held`: the same held templates filled with the dev file's own names of the same dev_split side
(presidio-research's name distribution; fill seeds `--seeds`, default 19 1 2).
Errors are looked at (`--errors TYPE --part fit`) and thresholds chosen on the fit parts only.
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
    "GPE": "location",
    "ZIP_CODE": "zip_code",
    "US_DRIVER_LICENSE": "driver_license",
    "US_PASSPORT": "passport",
}
# Further prediction types that find a gold span (recall and precision): the address covers its locality.
ALSO_FINDS = {"GPE": {"street_address"}, "ZIP_CODE": {"street_address"}}
# Gold types that make a prediction of the given type correct without being counted for recall.
PRECISION_ONLY = {"date_of_birth": {"DATE_TIME"}, "location": {"STREET_ADDRESS"}, "zip_code": {"STREET_ADDRESS"}}
PRESIDIO_MAP = {
    "PERSON": "name",
    "LOCATION": "location",
    "US_DRIVER_LICENSE": "driver_license",
    "US_PASSPORT": "passport",
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


def _person_words(rec: dict) -> set[str]:
    return {w for s in rec["spans"] if s["entity_type"] == "PERSON" for w in s["entity_value"].split()}


def dev_split(records: list[dict], part: str) -> list[dict]:
    """Template-grouped split of the dev file: "fit" = even template ids; "held" = odd template ids, less any
    record sharing a first or last name with a fit record (no template, no name on both sides)."""
    fit = [r for r in records if int(r["template_id"]) % 2 == 0]
    if part == "fit":
        return fit
    seen = set().union(*map(_person_words, fit))
    return [r for r in records if int(r["template_id"]) % 2 == 1 and not _person_words(r) & seen]


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
            accepted = {kind} | ALSO_FINDS.get(s["entity_type"], set())
            hit = any(t in accepted and _overlaps(gold, (ps, pe)) for t, ps, pe in preds)
            counts[kind][0] += hit
            counts[kind][1] += 1
            if errors == kind and not hit:
                print(f"  MISS {text[gold[0] : gold[1]]!r} in {text[:160]!r}")
        for t, ps, pe in preds:
            ok_types = {g for g, k in GOLD_MAP.items() if k == t or t in ALSO_FINDS.get(g, ())}
            ok_types |= PRECISION_ONLY.get(t, set())
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


def _datasets(args: argparse.Namespace) -> list[tuple[str, list[dict]]]:
    """(label, records): the dev file when present, then the template-held-out synthetic part asked for."""
    from tests.eval import pii_synth, pii_templates

    sets = []
    if args.file.exists():
        dev = load(args.file)[: args.limit or None]
        if args.part in ("all", "fit"):
            label = "dev file" + (" fit templates" if args.part == "fit" else "")
            sets.append((label, dev if args.part == "all" else dev_split(dev, "fit")))
        if args.part in ("all", "held"):
            sets.append(("transfer: dev file held templates+names", dev_split(dev, "held")))
    else:
        print(f"eval_privacy: {args.file} absent (needs ../shared/data); dev figure skipped")
    if args.synth != "none":
        sets.append((f"transfer: pii_synth {args.synth} templates", pii_synth.records(args.synth)))
    if args.templates != "none" and pii_templates.TEMPLATES_FILE.exists():
        recs = pii_templates.records(args.templates)
        sets.append((f"transfer: templates.txt unseen, {args.templates}", recs))
    if args.dev_names != "none" and pii_templates.TEMPLATES_FILE.exists() and args.file.exists():
        recs = [r for seed in args.seeds for r in pii_templates.records(args.dev_names, seed=seed, names="dev")]
        sets.append((f"transfer: templates.txt unseen × dev names, {args.dev_names}", recs))
    return sets


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--file", type=Path, default=DEV_FILE)
    ap.add_argument("--synth", choices=["held", "fit", "none"], default="held", help="template-grouped part")
    ap.add_argument("--templates", choices=["held", "fit", "none"], default="held", help="templates.txt part")
    ap.add_argument("--dev-names", choices=["held", "fit", "none"], default="held",
                    help="templates.txt part filled with the dev file's names of the same dev_split side")  # fmt: skip
    ap.add_argument("--seeds", type=int, nargs="+", default=[19, 1, 2], help="fill seeds of the dev-names set")
    ap.add_argument("--part", choices=["all", "fit", "held"], default="all", help="dev file: all, or one group")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--errors", help="print misses and false positives of this type (ours only)")
    ap.add_argument("--no-baseline", action="store_true")
    args = ap.parse_args(argv)
    systems: list[tuple[str, Callable[[], Predict]]] = [("switchboard privacy", ours)]
    if not args.no_baseline:
        systems.append(("presidio defaults, spaCy small (baseline)", presidio_default))
    summary = []
    for name, factory in systems:
        predict = factory()
        for label, records in _datasets(args):
            t0 = time.perf_counter()
            res = score(records, predict, errors=args.errors if factory is ours else None)
            table(f"{name} on {label}, {len(records)} records", res, time.perf_counter() - t0)
            summary.append(f"  {name:<44}{label:<52}F2 {res['overall']['f2']:.3f}  R {res['overall']['recall']:.3f}")
    print("\nPII overall F2 (dev = tuned on; transfer = held-out templates and names):")
    print("\n".join(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
