"""Places (city/state/country, ZIP/postal codes), identity documents and phone extensions through the shared
analyzer; anonymize → deanonymize gives the exact text back with the new types."""

from __future__ import annotations

import pytest

from services.privacy.domain import anonymize, deanonymize
from services.privacy.pii import detect


def found(text: str) -> list[tuple[str, str]]:
    return [(d.entity_type, text[d.start : d.end]) for d in detect(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I moved to Valencia last spring", ("LOCATION", "Valencia")),  # spaCy alone calls it a person
        ("She grew up in Tromsø and still visits", ("LOCATION", "Tromsø")),  # not in the gazetteer: the cue
        ("Our team in Portugal handles it", ("LOCATION", "Portugal")),  # gazetteer
        ("the parcel is at the Kaunas depot", ("LOCATION", "Kaunas")),
        ("Where: Kilkenny", ("LOCATION", "Kilkenny")),
        ("the office is in Boise, ID now", ("LOCATION", "Boise, ID")),
        ("my zip code is 94107-1234 and it fails", ("ZIP_CODE", "94107-1234")),
        ("postcode SW1A 1AA is right", ("ZIP_CODE", "SW1A 1AA")),
        ("we are in Oregon 97205 since May", ("ZIP_CODE", "97205")),
        ("my driver's license number is D1234567, renewed", ("US_DRIVER_LICENSE", "D1234567")),
        ("DL# F123-4567-8901 on file", ("US_DRIVER_LICENSE", "F123-4567-8901")),
        ("passport no. X12345678 expires soon", ("PASSPORT", "X12345678")),
        ("call me at +1-555-234-5678x123 please", ("PHONE_NUMBER", "+1-555-234-5678x123")),
        ("phone 555-234-5678 ext. 1234 today", ("PHONE_NUMBER", "555-234-5678 ext. 1234")),
        ("ask for Prof. Lindqvist at the desk", ("PERSON", "Lindqvist")),
        ("my wife Oona Castellanos will call", ("PERSON", "Oona Castellanos")),
    ],
)
def test_detects(text: str, expected: tuple[str, str]) -> None:
    assert expected in found(text)


@pytest.mark.parametrize(
    "text",
    [
        "I am in Georgia's team now",  # an ambiguous place/first name without a place cue after "in"? kept out
        "Order 12345 is late",  # five digits without a ZIP word, state or "near"
        "The license fee is 120 dollars",  # licence word, no number shape
        "On 2007-01-17 23:08:55 the job failed",  # a timestamp, not a phone number
        "My number 4 is the best",
    ],
)
def test_rejects(text: str) -> None:
    kinds = {k for k, _ in found(text)}
    assert not kinds & {"ZIP_CODE", "US_DRIVER_LICENSE", "PASSPORT", "PHONE_NUMBER"}


def test_plain_word_is_not_a_place() -> None:
    assert found("Please send it to Support by Monday") == []


def test_address_keeps_city_state_zip_in_one_span() -> None:
    text = "Ship it to 1522 Copperfield Terrace, Bristol, NM 01643 please"
    assert ("STREET_ADDRESS", "1522 Copperfield Terrace, Bristol, NM 01643") in found(text)


def test_new_types_restore_exactly() -> None:
    text = "Marisol Quispe lives in Tucson, AZ 85701; DL# A7654321, passport 987654321, call 555-201-3344 x12."
    result = anonymize(text, keep_mapping=True)
    assert {"location", "zip_code", "driver_license", "passport", "phone_number"} <= set(result.pii_detected)
    assert "Tucson" not in result.anonymized_text and "A7654321" not in result.anonymized_text
    assert deanonymize(result.anonymized_text, result.originals) == text
    assert result.mapping is not None and "[DRIVER_LICENSE_1]" in result.mapping


@pytest.mark.parametrize(
    "text",
    ["I waited 2 hours in the mall", "Order 1234 ships in 2 ways", "Call the 3 drives team", "We have 3 offices"],
)
def test_counts_before_street_words_are_not_addresses(text: str) -> None:
    assert "STREET_ADDRESS" not in {k for k, _ in found(text)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Send it to 3188 Juniper Hollow Terrace, Duluth", "3188 Juniper Hollow Terrace, Duluth"),  # last suffix
        ("Lives at 28919 136 Filadelfeos Str., Klirou", "28919 136 Filadelfeos Str., Klirou"),
        ("Rand Corporation\n\n213 Pilekrogen 53 Apt. 263, Grand-Leez", "213 Pilekrogen 53 Apt. 263, Grand-Leez"),
    ],
)
def test_more_street_shapes(text: str, expected: str) -> None:
    assert ("STREET_ADDRESS", expected) in found(text)


def test_listed_given_names() -> None:
    assert ("PERSON", "Enrico") in found("Enrico shouted at the agent again.")
    assert ("PERSON", "Ulrike Iwasaki") in found("The form was signed by hand: Ulrike Iwasaki")


@pytest.mark.parametrize(
    "text",
    ["The app crashed in Chrome on Windows", "We are from Acme Corp and need support", "I live near the station"],
)
def test_products_and_firms_are_not_places(text: str) -> None:
    assert "LOCATION" not in {k for k, _ in found(text)}


def test_other_mentions_of_a_found_name_are_names_too() -> None:
    text = "The film was directed by Maciej Borkowski and starring Borkowski himself."
    spans = found(text)
    assert ("PERSON", "Maciej Borkowski") in spans and ("PERSON", "Borkowski") in spans
    result = anonymize(text)
    assert "Borkowski" not in result.anonymized_text
    assert deanonymize(result.anonymized_text, result.originals) == text


def test_a_message_opening_with_a_name_and_a_comma() -> None:
    assert ("PERSON", "Danial") in found("Danial, can I please speak to your boss?")


def test_all_lowercase_messages_recase_listed_names_only_where_a_name_is_expected() -> None:
    from services.privacy.names import recase

    assert recase("eva kleist lives at 255 hersnapvej 18") == "Eva Kleist lives at 255 hersnapvej 18"
    assert recase("the true story of my card") == "the true story of my card"
    assert recase("Eva kleist") == "Eva kleist"  # only texts with no capital at all
    assert ("PERSON", "eva kleist") in found("eva kleist lives at 255 hersnapvej 18")


def test_an_address_block_does_not_take_the_next_phone_line() -> None:
    text = "PSC 3294, Box 9168\nAPO AA 61487\n416 60 039 office"
    assert ("PHONE_NUMBER", "416 60 039") in found(text)
