"""Person names with the surname and common-word lists, and lower-case messages (issue 19, fifth pass), checked on
sentences written here (not from any eval file)."""

from __future__ import annotations

from services.privacy.domain import anonymize, deanonymize
from services.privacy.names import COMMON_WORDS, FIRST_NAMES, LAST_NAMES, all_common
from services.privacy.pii import detect
from services.privacy.recognizers_names import PERSON, NameFinder


def persons(text: str) -> list[str]:
    return [text[d.start : d.end] for d in detect(text) if d.entity_type == "PERSON"]


def test_the_lists_hold_names_apart_from_words() -> None:
    assert "Baker" in LAST_NAMES and "Ingrid" in FIRST_NAMES
    assert "salesperson" in COMMON_WORDS and "baker" in COMMON_WORDS and "holzman" not in COMMON_WORDS
    assert all_common("Guilty Pleasures") and all_common("Salesperson")
    assert not all_common("Mark Baker") and not all_common("Tom I. Holzman")


def test_a_job_or_a_title_made_of_words_is_not_a_person() -> None:
    assert persons("She was named Salesperson of the Month twice in a row.") == []
    assert persons("For more, read Hidden Treasures: Ten Bands You Forgot") == []


def test_a_name_that_is_also_a_word_stays_a_name() -> None:
    assert persons("Please ask Rose Baker to call me back.") == ["Rose Baker"]


def test_a_name_is_stays_a_name_when_it_is_also_a_word() -> None:
    assert persons("Hello, my name is Quarto") == ["Quarto"]


def rule_persons(text: str) -> list[str]:
    """The name finder's rules and lists alone (no spaCy entities)."""
    return [text[r.start : r.end] for r in NameFinder().analyze(text, [PERSON], None)]


def test_an_unlisted_given_name_before_a_listed_surname_is_a_full_name() -> None:
    assert "Brizio Castellanos" in rule_persons("I had a long chat with a certain Brizio Castellanos today.")
    assert rule_persons("We bought tickets for the Quillivan Salesperson gig.") == []  # a word, no surname


def test_a_name_alone_where_only_a_person_fits() -> None:
    assert persons("Don't wait for the bus, Ysolde!") == ["Ysolde"]
    assert persons("It rained all week, and Ubaldino still wanted the picnic.") == ["Ubaldino"]
    assert persons("We moved there in May, but Portugal still wants the old forms.") == []  # a place word


def test_one_unknown_capitalised_word_inside_a_sentence_is_a_name() -> None:
    assert rule_persons("We asked Tuvalina about it and she said no.") == ["Tuvalina"]
    assert rule_persons("It was late and then Bostrup came over with the keys.") == ["Bostrup"]


def test_words_places_brands_and_compounds_are_not_taken_alone() -> None:
    text = "We asked Netflix, and Brightwater said the Quvena plan in Portugal is fine."
    assert rule_persons(text) == []
    assert rule_persons("Cancel it, Salesperson did not call back.") == []


def test_names_in_a_message_written_all_in_lower_case() -> None:
    assert persons("yesterday dagmar novotna said the parcel was lost") == ["dagmar novotna"]
    assert persons("can you send it to sandra, not to me") == ["sandra"]
    assert persons("hi i need help with my acount asap, the app keeps crashing") == []  # a typo is no name
    assert persons("the rose garden order is late") == []  # a name that is also a word, where no name is expected


def test_places_in_a_message_written_all_in_lower_case() -> None:
    text = "i moved from canada to são paulo in march"
    places = [text[d.start : d.end] for d in detect(text) if d.entity_type == "LOCATION"]
    assert places == ["canada", "são paulo"]


def test_new_spans_restore_exactly_through_the_originals() -> None:
    for text in ("yesterday dagmar novotna said the parcel moved from canada", "Stop worrying, Quolani's Ysolde!"):
        result = anonymize(text, keep_mapping=False)
        assert result.anonymized_text != text
        assert deanonymize(result.anonymized_text, result.originals) == text


def test_a_zip_right_after_a_town() -> None:
    text = "We would love to support Acme in Springfield 62704-1234 this year."
    assert ("ZIP_CODE", "62704-1234") in [(d.entity_type, text[d.start : d.end]) for d in detect(text)]
    text = "Please move it to Invoice 12345 and to Ticket 55555."
    assert "ZIP_CODE" not in {d.entity_type for d in detect(text)}


def test_a_town_named_by_its_landmark() -> None:
    text = "Is the Ostrava airport open? Zilina bridge was closed."
    places = [text[d.start : d.end] for d in detect(text) if d.entity_type == "LOCATION"]
    assert places == ["Ostrava", "Zilina"]


def test_a_sentence_that_opens_with_who_someone_is_from() -> None:
    assert rule_persons("Yesterday was odd. Quennelia is from the north office.") == ["Quennelia"]


def test_contractions_cards_and_brands_are_no_persons() -> None:
    assert persons("Hi, I've been charged twice and I'm not happy, I'd like a refund.") == []
    assert persons("Can I top up with American Express or Mastercard?") == []
    assert persons("Why did Quolani's card get declined?") == ["Quolani"]
