"""Shapes found on the "fit" half of the templates.txt transfer set (issue 19): a street named without a number,
a one-line "TOWN nan ZIP" block, made-up firm names spaCy calls persons, phone field headers, "arrived at X";
and the transfer set's own promises (no template or name on both sides, spans that match their text)."""

from __future__ import annotations

from services.privacy.domain import anonymize, deanonymize
from services.privacy.pii import detect
from tests.eval import pii_templates


def found(text: str) -> list[tuple[str, str]]:
    return [(d.entity_type, text[d.start : d.end]) for d in detect(text)]


def test_a_street_without_a_number_after_on_is_an_address() -> None:
    assert ("STREET_ADDRESS", "Larkspur Court") in found("Nadia lives on Larkspur Court now.")
    assert ("STREET_ADDRESS", "Quarry Bend Road") in found("The depot is on Quarry Bend Road")


def test_a_product_or_phrase_before_a_street_word_is_not_an_address() -> None:
    kinds = {k for k, _ in found("I saved the invoice on Google Drive and on The Way home")}
    assert "STREET_ADDRESS" not in kinds


def test_a_town_nan_zip_on_the_street_line_stays_in_the_address() -> None:
    text = "Send it to Wexleyvej 14 Apt. 301 TROMSØ nan 90431 please."
    assert ("STREET_ADDRESS", "Wexleyvej 14 Apt. 301 TROMSØ nan 90431") in found(text)


def test_a_firm_name_is_not_a_person() -> None:
    text = "Rosalind Quispe\nTidemark Logistics\nMobile: 555-201-3344\nDesk: 555-201-9988"
    names = [v for k, v in found(text) if k == "PERSON"]
    assert names == ["Rosalind Quispe"]


def test_arrived_at_names_a_place_and_a_plain_question_keeps_its_country() -> None:
    assert ("LOCATION", "Tampere") in found("She arrived at Tampere this morning.")
    assert not found("Do you ship to the USA?")


def test_found_spans_restore_exactly_through_the_mapping() -> None:
    text = "Vesna lives on Copperfield Terrace, says Iwasaki; call 555-201-3344."
    result = anonymize(text, keep_mapping=False)
    assert "Copperfield" not in result.anonymized_text
    assert deanonymize(result.anonymized_text, result.originals) == text


def test_templates_split_keeps_templates_and_names_apart() -> None:
    fit, held = pii_templates.records("fit"), pii_templates.records("held")
    assert {r["template_id"] for r in fit}.isdisjoint({r["template_id"] for r in held})
    names = [
        {w for r in part for s in r["spans"] if s["entity_type"] == "PERSON" for w in s["entity_value"].split()}
        for part in (fit, held)
    ]
    assert names[0] and names[1] and names[0].isdisjoint(names[1])
    for rec in fit + held:
        for s in rec["spans"]:
            assert rec["full_text"][s["start_position"] : s["end_position"]] == s["entity_value"]


def test_a_given_name_called_out_or_before_an_adverb_and_verb_is_a_person() -> None:
    spans = found("We waited an hour, but Oskar just has to be late. Don't go yet, Mirela!")
    assert ("PERSON", "Oskar") in spans and ("PERSON", "Mirela") in spans
    assert not [k for k, _ in found("It arrived broken, Seriously!") if k == "PERSON"]


def test_a_firm_above_an_address_is_not_cut_to_a_person() -> None:
    text = "Eleni Yamamoto\nNorrland Mutual\n55024 Saddleback Road, Anselmhaven, FL 72345"
    assert [v for k, v in found(text) if k == "PERSON"] == ["Eleni Yamamoto"]


def test_the_other_items_of_a_list_with_a_person_are_persons() -> None:
    names = {v for k, v in found("Our three founders: Eklund, Michael and Hodge.") if k == "PERSON"}
    assert {"Eklund", "Michael", "Hodge"} <= names


def test_a_list_with_a_pronoun_a_firm_or_examples_is_left_alone() -> None:
    assert ("PERSON", "I") not in found("Hello, my name is Ingrid and I live in Oregon.")
    assert ("PERSON", "Wisdom") not in found("Capitalized words like Wisdom and Discipline are often mistaken.")


def test_dev_names_fill_keeps_names_apart_and_spans_exact() -> None:
    parts = [pii_templates.records(p, per_template=2, names="dev") for p in ("fit", "held")]
    names = [
        {w.lower() for r in part for s in r["spans"] if s["entity_type"] == "PERSON" for w in s["entity_value"].split()}
        for part in parts
    ]
    assert names[0] and names[1] and names[0].isdisjoint(names[1])
    for rec in parts[0] + parts[1]:
        for s in rec["spans"]:
            assert rec["full_text"][s["start_position"] : s["end_position"]] == s["entity_value"]
