"""Transfer set from presidio-research's own template file: the templates that the dev file does not contain.

Why: the dev file's templates were tuned on, and a template-grouped split of the dev file (or of the templates in
`pii_synth.py`, written here) does not predict how the recognizers do on presidio-style sentences they never saw.
`templates.txt` (presidio-research, MIT, in ../shared/data) holds 209 templates; the ~70 whose id and whose text
(placeholders removed) occur in no dev record are filled here with our own values, in the dev file's format
{full_text, spans[{entity_type, entity_value, start_position, end_position}], template_id}.

`records(part)`: those templates in id order, alternately "fit" (errors may be looked at) and "held" (only scored);
fill values for names come from pii_synth's disjoint halves (fit names on fit templates, held names on held ones)
less every word the dev file names as a person, so no template and no first or last name is on both sides.
Placeholders map to presidio-research's labels, scored by eval_privacy as for the dev file; an address is labelled
street / city / state / ZIP apart (as pii_synth does). Run `python -m tests.eval.pii_templates --part fit --n 5`.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from functools import cache
from pathlib import Path

from tests.eval import pii_synth as ps

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "presidio_synth_pii"
TEMPLATES_FILE = DATA / "templates.txt"
DEV_FILE = DATA / "synth_dataset_v2.dev.json"
PLACEHOLDER = re.compile(r"\{\{?(\w+)\}\}?")

# Unscored context values (presidio labels them ORGANIZATION, NRP, DOMAIN_NAME, AGE, DATE_TIME, TITLE).
# Firm names differ by part (written before any held error was looked at), so a firm word tuned on "fit" is not
# scored again on "held".
FIRMS = {
    "fit": ["Brightwater Logistics", "Kestrel Analytics", "Norrland Mutual", "Harbourline", "Quillon Partners"],
    "held": ["Grayfield Freight", "Tidewell Brokerage", "Ostrander & Pike", "Marrowby Consulting", "Sable Creek Foods"],
}
NATIONS = ["Portuguese", "Kenyan", "Chilean", "Norwegian", "Vietnamese", "Peruvian"]
JOBS = ["nurse", "site engineer", "accountant", "librarian", "bus driver"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
Piece = tuple[str, str | None]


def _iban(rng: random.Random) -> str:
    """A German-shaped IBAN with valid mod-97 check digits."""
    bban = ps._digits(rng, 18)
    check = 98 - int(bban + "131400") % 97  # "DE" → 13 14, check digits "00"
    return f"DE{check:02d}{bban}"


def _street(rng: random.Random) -> str:
    return f"{rng.choice(ps.STREETS)} {rng.choice(ps.SUFFIXES)}"


def _address(rng: random.Random, pools: dict[str, list[str]]) -> list[Piece]:
    return rng.choice([ps._address, ps._address_lines, ps._address_abroad])(rng, pools)


def _slot(name: str, rng: random.Random, pools: dict[str, list[str]]) -> list[Piece]:
    """Value pieces for one presidio placeholder (name as in templates.txt)."""
    first, last = rng.choice(pools["first"]), rng.choice(pools["last"])
    if name in ("person", "name", "name_male", "name_female"):
        full = rng.choice(pools["full"]) if pools.get("full") else f"{first} {last}"
        return [(full, "PERSON")]
    if name.startswith("first_name"):
        return [(first, "PERSON")]
    if name.startswith("last_name"):
        return [(last, "PERSON")]
    simple: dict[str, Piece] = {
        "address": ("", None),
        "city": (rng.choice([rng.choice(ps.CITIES), ps._town(rng, pools)]), "GPE"),
        "country": (rng.choice(ps.COUNTRIES).removeprefix("the "), "GPE"),
        "state_abbr": (rng.choice(list(ps.STATES)), "GPE"),
        "street_name": (_street(rng), "STREET_ADDRESS"),
        "building_number": (str(rng.randint(1, 9999)), "STREET_ADDRESS"),
        "secondary_address": (rng.choice(["Apt. ", "Suite "]) + str(rng.randint(1, 999)), "STREET_ADDRESS"),
        "postcode": (ps._zip(rng), "ZIP_CODE"),
        "zipcode": (ps._zip(rng), "ZIP_CODE"),
        "phone_number": (ps._phone(rng), "PHONE_NUMBER"),
        "email": (f"{first.lower()}.{last.lower()}@{rng.choice(ps.DOMAINS)}", "EMAIL_ADDRESS"),
        "credit_card_number": (ps._luhn_card(rng), "CREDIT_CARD"),
        "iban": (_iban(rng), "IBAN_CODE"),
        "ssn": (ps._ssn(rng), "US_SSN"),
        "ip_address": (".".join(str(rng.randint(11, 223)) for _ in range(4)), "IP_ADDRESS"),
        "us_driver_license": (ps._licence(rng), "US_DRIVER_LICENSE"),
        "organization": (rng.choice(pools["firms"]), "ORGANIZATION"),
        "url": (f"https://{rng.choice(ps.DOMAINS)}/s/{ps._digits(rng, 6)}", "DOMAIN_NAME"),
        "age": (str(rng.randint(18, 90)), "AGE"),
        "year": (str(rng.randint(1950, 2020)), "DATE_TIME"),
        "date_time": (f"{rng.randint(1, 12)}/{rng.randint(1, 28)}/{rng.randint(1990, 2024)}", "DATE_TIME"),
        "day_of_week": (rng.choice(DAYS), "DATE_TIME"),
        "job": (rng.choice(JOBS), "TITLE"),
    }
    if name == "address":
        return _address(rng, pools)
    if name.startswith("prefix"):
        return [(rng.choice(ps.TITLES), "TITLE")]
    if name.startswith("nation"):
        return [(rng.choice(NATIONS), "NRP")]
    return [simple[name]]


def _bare(text: str) -> str:
    """A template or masked record with placeholders and punctuation removed, for comparing text."""
    return re.sub(r"\W", "", PLACEHOLDER.sub("", text.replace("\\n", "\n"))).lower()


@cache
def unseen_templates() -> list[tuple[int, str]]:
    """(line id, template) of every non-empty template whose id and text occur in no dev record."""
    lines = TEMPLATES_FILE.read_text(encoding="utf-8", errors="replace").splitlines()
    dev = json.loads(DEV_FILE.read_text(encoding="utf-8"))
    ids = {int(r["template_id"]) for r in dev}
    texts = {_bare(r["masked"]) for r in dev}
    return [(i, t) for i, t in enumerate(lines) if t.strip() and i not in ids and _bare(t) not in texts]


def _pools(part: str, names: str = "synth") -> dict[str, list[str]]:
    """Fill values of one part. Names: "synth" = pii_synth's half less every dev-file person word; "dev" = the
    full names (2+ words, as written: middle initials, particles, accents) of the dev file's records on the same
    side of `eval_privacy.dev_split`, so that no first or last name is on both sides, in presidio-research's own
    name distribution (its generator's names, not ours)."""
    dev = json.loads(DEV_FILE.read_text(encoding="utf-8"))
    if names == "dev":
        from tests.eval.eval_privacy import dev_split  # eval_privacy imports this module at run time only

        values = {s["entity_value"] for r in dev_split(dev, part) for s in r["spans"] if s["entity_type"] == "PERSON"}
        # A name from a lower-cased record ("nijito asano") is written as the generator wrote it before that.
        full = sorted({" ".join(w[:1].upper() + w[1:] for w in v.split()) for v in values if len(v.split()) >= 2})
        first, last = sorted({v.split()[0] for v in full}), sorted({v.split()[-1] for v in full})
        return {"first": first, "last": last, "full": full, "firms": FIRMS[part]}
    dev_names = {w for r in dev for s in r["spans"] if s["entity_type"] == "PERSON" for w in s["entity_value"].split()}
    pools = {k: [n for n in v if n not in dev_names] for k, v in ps._pools(part).items()}
    return pools | {"firms": FIRMS[part]}


def render(template: str, rng: random.Random, pools: dict[str, list[str]]) -> tuple[str, list[dict]]:
    """Fill one template (literal "\\n" becomes a newline); each labelled piece becomes a span."""
    template = template.replace("\\n", "\n")
    text, spans, pos = "", [], 0
    for m in PLACEHOLDER.finditer(template):
        text += template[pos : m.start()]
        for value, label in _slot(m.group(1), rng, pools):
            if label:
                spans.append({"entity_type": label, "entity_value": value, "start_position": len(text),
                              "end_position": len(text) + len(value)})  # fmt: skip
            text += value
        pos = m.end()
    return text + template[pos:], spans


def records(part: str, per_template: int = 8, seed: int = 19, names: str = "synth") -> list[dict]:
    """`per_template` records of each unseen template of `part` ("fit": even positions, "held": odd), names from
    the `names` pool (see `_pools`). With dev-file names, one record in 20 is lower-cased whole, as
    presidio-research's generator does (its `lower_case_ratio`; 47 of the 960 dev records)."""
    rng = random.Random(f"{seed}:templates:{part}" + ("" if names == "synth" else f":{names}"))
    pools = _pools(part, names)
    side = 0 if part == "fit" else 1
    out = []
    for tid, template in unseen_templates()[side::2]:
        for _ in range(per_template):
            text, spans = render(template, rng, pools)
            if names == "dev" and rng.random() < 0.05 and len(text.lower()) == len(text):
                text = text.lower()
                spans = [s | {"entity_value": s["entity_value"].lower()} for s in spans]
            out.append({"full_text": text, "spans": spans, "template_id": f"pt{tid}"})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description="print records from templates.txt's unseen templates")
    ap.add_argument("--part", choices=["fit", "held"], default="fit")
    ap.add_argument("--n", type=int, default=5)
    args = ap.parse_args()
    recs = records(args.part)
    for rec in recs[:: max(1, len(recs) // max(1, args.n))][: args.n]:
        print(json.dumps(rec, ensure_ascii=False))


if __name__ == "__main__":
    main()
