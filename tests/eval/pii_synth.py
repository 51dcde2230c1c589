"""Synthetic PII records from templates written here (none taken from presidio-research), in the dev file's
format: {full_text, spans[{entity_type, entity_value, start_position, end_position}], template_id}.

Why: the dev file's templates were seen while tuning the recognizers, so its figure overstates what holds on
new sentences. `records(part)` splits TEMPLATES and the name pools in two disjoint halves: "fit" (errors may be
looked at) and "held" (only scored). No template and no first or last name is on both sides; cities, streets and
number formats are drawn from the same pools (the formats are what a recognizer must generalise to).
Run `python -m tests.eval.pii_synth --part fit --n 5` to print a few records.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections.abc import Callable


def _words(block: str) -> list[str]:
    return block.split()


# Entity labels as in presidio-research (so eval_privacy scores both files the same way).
FIRST = _words("""Amara Bartholomew Cosima Dmitri Eleni Farouk Gwendolyn Hiroshi Ingrid Jasper Kalani Leopold
Marisol Nikolai
Oona Priyanka Quentin Rosalind Santiago Thandiwe Ulrike Valentin Wilhelmina Xiomara Yusuf Zofia Anselm Beatrix
Cormac Delphine Emeka Fenna Giacomo Halvard Isolde Jovan Kirsten Lorcan Mirela Nnamdi Ottilie Pavel Radhika Soren
Tamsin Umberto Vesna Wendell Yelena Zoltan Agnieszka Bongani Carys Dagny Eamon Florentyna Gunnar""")
LAST = _words("""Abernathy Bergström Castellanos Dubois Eriksen Fitzgerald Gallagher Hakimi Iwasaki Jankowski Kowalczyk
Lindqvist Mbeki Nakagawa Okonkwo Petrosyan Quispe Rasmussen Szabó Takahashi Underhill Vasquez Wojcik Xu Yamamoto
Zielinski Achterberg Brannigan Cerny Delacroix Esposito Ferreira Grünewald Holloway Ibrahimovic Jovanovic Kazlauskas
Lemaire Moreau Novak Oyelaran Pellegrini Rautio Sørensen Tkachenko Uribe Villanueva Whitfield Yilmaz Zubiri
Amundsen Balogun Carvalho Dziedzic Eklund Frolov""")
TITLES = ["Mr.", "Mrs.", "Ms.", "Dr.", "Prof."]
CITIES = """Tucson|Albuquerque|Boise|Savannah|Duluth|Asheville|Eugene|Spokane|Lubbock|Dayton|Akron|Bend|Flagstaff
|Lyon|Porto|Graz|Tampere|Utrecht|Gdańsk|Brno|Aarhus|Bergen|Uppsala|Ghent|Bologna|Seville|Cork|Leeds|Malmö|Kraków
|Timișoara|Plovdiv|Coimbra|Tromsø|Oulu|Haarlem|Linz|Kaunas|Tartu|Osijek|Valencia|Hamburg|Toulouse|Bristol""".replace(
    "\n", ""
).split("|")
COUNTRIES = """Portugal|Norway|Canada|Mexico|Kenya|Chile|Austria|Ireland|Poland|Vietnam|Morocco|Denmark|Argentina
|New Zealand|South Korea|Czech Republic|the Netherlands|Greece|Peru|Finland|Hungary|Romania""".replace("\n", "").split(
    "|"
)
STATES = {"AZ": "Arizona", "NM": "New Mexico", "ID": "Idaho", "GA": "Georgia", "MN": "Minnesota",
          "NC": "North Carolina", "OR": "Oregon", "WA": "Washington", "TX": "Texas", "OH": "Ohio", "CO": "Colorado",
          "FL": "Florida", "IL": "Illinois", "NY": "New York", "MI": "Michigan", "PA": "Pennsylvania"}  # fmt: skip
STREETS = """Juniper Hollow|Ashcombe|Larkspur|Fennimore|Quarry Bend|Wexley|Old Mill|Birchwood|Harrowgate|Copperfield
|Mistletoe|Saddleback|Kestrel|Tamarack|Ravensworth|Thistle""".replace("\n", "").split("|")
SUFFIXES = ["Street", "St.", "Avenue", "Ave", "Road", "Rd", "Lane", "Drive", "Court", "Boulevard", "Way", "Terrace"]
DOMAINS = ["example.com", "mailbox.org", "post.example.net", "inbox.test"]


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def _phone(rng: random.Random) -> str:
    a, b, c = f"{rng.randint(201, 989)}", f"{rng.randint(200, 999)}", _digits(rng, 4)
    shapes = [f"({a}) {b}-{c}", f"{a}-{b}-{c}", f"{a}.{b}.{c}", f"+1 {a} {b} {c}", f"+1-{a}-{b}-{c}x{_digits(rng, 3)}",
              f"001-{a}-{b}-{c}", f"{a}-{b}-{c} ext. {_digits(rng, 4)}", f"+44 7{_digits(rng, 3)} {_digits(rng, 6)}",
              f"+49 30 {_digits(rng, 8)}", f"+33 6 {_digits(rng, 2)} {_digits(rng, 2)} {_digits(rng, 4)}",
              f"0{_digits(rng, 3)} {_digits(rng, 3)} {_digits(rng, 3)}", f"({a}){b}-{c}x{_digits(rng, 5)}"]  # fmt: skip
    return rng.choice(shapes)


def _zip(rng: random.Random) -> str:
    return rng.choice([_digits(rng, 5), f"{_digits(rng, 5)}-{_digits(rng, 4)}"])


def _licence(rng: random.Random) -> str:
    letter = rng.choice("ABCDEFGHJKLMNPRSTWY")
    shapes = [f"{letter}{_digits(rng, 7)}", _digits(rng, 9), f"{letter}{_digits(rng, 12)}", _digits(rng, 8),
              f"{letter}{_digits(rng, 3)}-{_digits(rng, 4)}-{_digits(rng, 4)}", f"{letter}{letter}{_digits(rng, 6)}",
              f"{_digits(rng, 3)}-{_digits(rng, 3)}-{_digits(rng, 3)}", f"{letter}{_digits(rng, 8)}"]  # fmt: skip
    return rng.choice(shapes)


def _luhn_card(rng: random.Random) -> str:
    body = rng.choice(["4", "51", "37", "6011"]) + _digits(rng, 0)
    body += _digits(rng, (15 if body != "37" else 14) - len(body))
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return body + str((10 - total % 10) % 10)


def _ssn(rng: random.Random) -> str:
    return f"{rng.randint(101, 665)}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}"


# Each slot gives (value, label) pieces; a multi-piece slot (an address) labels street, city, state, ZIP apart.
Slot = Callable[[random.Random, dict[str, list[str]]], list[tuple[str, str | None]]]


def _person(rng: random.Random, pools: dict[str, list[str]]) -> list[tuple[str, str | None]]:
    return [(f"{rng.choice(pools['first'])} {rng.choice(pools['last'])}", "PERSON")]


def _address(rng: random.Random, pools: dict[str, list[str]]) -> list[tuple[str, str | None]]:
    street = f"{rng.randint(2, 9899)} {rng.choice(STREETS)} {rng.choice(SUFFIXES)}"
    if rng.random() < 0.3:
        street += f", Apt {rng.randint(1, 40)}"
    abbr = rng.choice(list(STATES))
    state = abbr if rng.random() < 0.7 else STATES[abbr]
    return [(street, "STREET_ADDRESS"), (", ", None), (rng.choice(CITIES), "GPE"), (", ", None), (state, "GPE"),
            (" ", None), (_zip(rng), "ZIP_CODE")]  # fmt: skip


def _town(rng: random.Random, pools: dict[str, list[str]]) -> str:
    """A made-up town in Faker's en_US style ("Port Rasmussenberg", "Lake Ottilie"), from this part's names."""
    stem = rng.choice(pools["last"] + pools["first"])
    return (
        rng.choice(["", "", "North ", "South ", "East ", "West ", "Lake ", "Port ", "New "])
        + stem
        + rng.choice(["", "ton", "ville", "mouth", "burgh", "side", "view", "haven", "fort", "berg", "land", "stad"])
    )


def _address_lines(rng: random.Random, pools: dict[str, list[str]]) -> list[tuple[str, str | None]]:
    """Faker's en_US block: street (and unit) on one line, "Town, ST 12345" on the next."""
    street = f"{rng.randint(1, 99999):0{rng.choice([3, 4, 5])}d} {rng.choice(STREETS)} {rng.choice(SUFFIXES)}"
    street += rng.choice(["", "", f" Apt. {rng.randint(100, 999)}", f" Suite {rng.randint(100, 999)}"])
    return [(street, "STREET_ADDRESS"), (rng.choice(["\n", ", "]), None), (_town(rng, pools), "GPE"), (", ", None),
            (rng.choice(list(STATES)), "GPE"), (" ", None), (_zip(rng), "ZIP_CODE")]  # fmt: skip


def _address_abroad(rng: random.Random, pools: dict[str, list[str]]) -> list[tuple[str, str | None]]:
    """A European block as Faker writes it: "Larkspurvej 12 Apt. 301", town, "nan" for the missing state, code."""
    street = f"{rng.choice(STREETS).replace(' ', '')}{rng.choice(['vej', 'gatan', 'straße', 'weg', 'tie'])}"
    street += f" {rng.randint(1, 199)}" + rng.choice(["", f" Apt. {rng.randint(100, 999)}"])
    sep = rng.choice(["\n", " "])
    return [(street, "STREET_ADDRESS"), (sep, None), (rng.choice(CITIES).upper(), "GPE"), (sep, None),
            ("nan", "GPE"), (sep, None), (rng.choice([_digits(rng, 4), _digits(rng, 5)]), "ZIP_CODE")]  # fmt: skip


SLOTS: dict[str, Slot] = {
    "person": _person,
    "first": lambda r, p: [(r.choice(p["first"]), "PERSON")],
    "title_last": lambda r, p: [(r.choice(TITLES) + " ", None), (r.choice(p["last"]), "PERSON")],
    "address": _address,
    "city": lambda r, p: [(r.choice(CITIES), "GPE")],
    "country": lambda r, p: [(r.choice(COUNTRIES).removeprefix("the "), "GPE")],
    "state": lambda r, p: [(r.choice(list(STATES.values())), "GPE")],
    "zip": lambda r, p: [(_zip(r), "ZIP_CODE")],
    "address_lines": _address_lines,
    "address_abroad": _address_abroad,
    "town": lambda r, p: [(_town(r, p), "GPE")],
    "state_abbr": lambda r, p: [(r.choice(list(STATES)), "GPE")],
    "phone": lambda r, p: [(_phone(r), "PHONE_NUMBER")],
    "email": lambda r, p: [(f"{r.choice(p['first']).lower()}.{r.randint(1, 99)}@{r.choice(DOMAINS)}", "EMAIL_ADDRESS")],
    "licence": lambda r, p: [(_licence(r), "US_DRIVER_LICENSE")],
    "card": lambda r, p: [(_luhn_card(r), "CREDIT_CARD")],
    "ssn": lambda r, p: [(_ssn(r), "US_SSN")],
    "ip": lambda r, p: [(f"10.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}", "IP_ADDRESS")],
}

TEMPLATES = [
    "Hi, this is {person}. My order never arrived at {address}.",
    "Please update the delivery address on my account to {address}; the old one is no longer valid.",
    "I moved to {city} last month and the courier keeps going to my old place.",
    "{person} here, calling about the refund. You can reach me on {phone} after 5pm.",
    "My driver's license number is {licence}, do you need anything else to verify me?",
    "The invoice should go to {person}, {address}.",
    "Can someone from the {city} branch call me back at {phone}?",
    "We are relocating from {country} to {city} and need the contract transferred.",
    "Zip code {zip} is rejected by your checkout form even though it is correct.",
    "I'm currently in {country} on holiday, so please only email me at {email}.",
    "For the rental I was asked for my DL# {licence} and a credit card, which I gave as {card}.",
    "Send the replacement router to {title_last} at {address} please.",
    "The technician, {person}, never showed up in {city} on Tuesday.",
    "My postal code changed to {zip} when the city redrew the districts.",
    "Hello, my name is {first} and I live in {state}. Is the offer valid there?",
    "Agent {person} promised a callback on {phone} but nobody called.",
    "Please verify my identity with driving licence {licence} issued in {state}.",
    "Our warehouse in {city}, {country} shows the parcel as delivered.",
    "I grew up in {city} and my mother {person} still has the old landline {phone}.",
    "Billing address: {address}. Cardholder: {person}.",
    "Could you ship to my office in {city}? The address is {address}.",
    "The login from {ip} was not me, I have never been to {country}.",
    "License no. {licence}, expiry next May. Can I still renew online?",
    "{person} ({email}) is authorised to speak for me on this account.",
    "I am writing from {country} where your app does not work.",
    "My SSN is {ssn} and my zip is {zip}; the form keeps timing out.",
    "Forward all mail for {title_last} to {address} until further notice.",
    "Text me at {phone} when the engineer is on the way to {city}.",
    "We spent two weeks in {city} and the roaming charges were absurd.",
    "Tell {first} that the package is waiting at the {city} depot.",
    "I need to change the registered phone from {phone} to a new one.",
    "The claim for {person} lists the wrong state: it should be {state}, not Ohio.",
    "Is there a store near {zip}? I live just outside {city}.",
    "My wife {person} and I are flying to {country} tomorrow; please unblock the card {card}.",
    "Reach {title_last} on {phone} or by email at {email}.",
    "The driver licence {licence} on file is expired, please update it.",
    "Hi {first}, your new SIM will be posted to {address}.",
    "Our head office moved to {city}, {state} {zip} in the spring.",
    "As requested, my date of birth and licence: 1984, {licence}.",
    "{person} from {city} reported the same outage yesterday.",
    "Please cancel the subscription for {person}; she passed away in {city}.",
    "I travel between {city} and {country} a lot, is there a better plan?",
    "Phone: {phone}  Email: {email}  Name: {person}",
    "Your courier left my parcel with a neighbour at {address}, which is not my house.",
    "Can you confirm that {first} {person} is still listed as the account owner?",
    "I was born in {country} but now live in {city}.",
    "Call {phone} ext. 12 and ask for {title_last}.",
    "The DMV says my license number {licence} does not match your records.",
    # Shorter, presidio-research-like sentences with Faker-style address blocks and made-up towns.
    "{person}'s new address is {address_lines}",
    "My zip code is {zip}",
    "Please send the package to:\n{person}\n{address_lines}",
    "I live in {town}, {state_abbr} since 2019",
    "{first}'s phone number is {phone}",
    "How do I update my address? it's {address_abroad}",
    "{title_last} lives at {address_lines}",
    "My name is {person} and I am from {country}",
    "What's the weather like in {town} today?",
    "Is {person} the owner of the card {card}?",
    "I was driving in {state} when my licence {licence} was suspended",
    "Contact: {person}, {phone}, {email}",
    "{person} moved from {city} to {town} with her family",
    "The shipment to {address_abroad} is delayed",
    "We have a customer from {town}, {state_abbr} {zip} asking about the plan",
    "{person}'s social security number is {ssn}",
    "please call {first} at {phone} tomorrow",
    "Her driver license number: {licence}. Issued in {state}.",
    "I'd like to speak with {title_last} about my account",
    "Our family lives in {country} but my work address is {address_lines}",
    "send me the form at {email}, thanks, {first}",
    "My IP is {ip} and I'm connecting from {town}",
    "{person} was born in {town}, {country}",
    "Postal code: {zip}\nCity: {town}\nCountry: {country}",
]


def _pools(part: str) -> dict[str, list[str]]:
    side = 0 if part == "fit" else 1
    return {"first": FIRST[side::2], "last": LAST[side::2]}


def render(template: str, rng: random.Random, pools: dict[str, list[str]]) -> tuple[str, list[dict]]:
    """Fill a template; spans carry the label of each filled piece."""
    text, spans = "", []
    for literal, slot in re.findall(r"([^{]*)(?:\{(\w+)\})?", template):
        text += literal
        for value, label in SLOTS[slot](rng, pools) if slot else []:
            if label:
                spans.append({"entity_type": label, "entity_value": value, "start_position": len(text),
                              "end_position": len(text) + len(value)})  # fmt: skip
            text += value
    return text, spans


def records(part: str, per_template: int = 12, seed: int = 19) -> list[dict]:
    """`per_template` records of each template of `part` ("fit": even-numbered templates, "held": odd)."""
    rng = random.Random(f"{seed}:{part}")
    pools = _pools(part)
    out = []
    for tid, template in enumerate(TEMPLATES):
        if tid % 2 != (0 if part == "fit" else 1):
            continue
        for _ in range(per_template):
            text, spans = render(template, rng, pools)
            out.append({"full_text": text, "spans": spans, "template_id": f"sb{tid}"})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description="print synthetic PII records")
    ap.add_argument("--part", choices=["fit", "held"], default="fit")
    ap.add_argument("--n", type=int, default=5)
    args = ap.parse_args()
    for rec in records(args.part)[:: max(1, 12 // max(1, args.n))][: args.n]:
        print(json.dumps(rec, ensure_ascii=False))


if __name__ == "__main__":
    main()
