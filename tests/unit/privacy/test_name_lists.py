"""Person names with the surname and common-word lists (issue 19, fifth pass): what the lists change, checked on
sentences written here (not from any eval file)."""

from __future__ import annotations

from services.privacy.names import COMMON_WORDS, FIRST_NAMES, LAST_NAMES, all_common
from services.privacy.pii import detect


def persons(text: str) -> list[str]:
    return [text[d.start : d.end] for d in detect(text) if d.entity_type == "PERSON"]


def test_the_lists_hold_names_apart_from_words() -> None:
    assert "Baker" in LAST_NAMES and "Ingrid" in FIRST_NAMES
    assert "salesperson" in COMMON_WORDS and "baker" not in COMMON_WORDS and "rose" not in COMMON_WORDS
    assert all_common("Guilty Pleasures") and not all_common("Mark Baker") and not all_common("Tom I. Holzman")


def test_a_job_or_a_title_made_of_words_is_not_a_person() -> None:
    assert persons("She was named Salesperson of the Month twice in a row.") == []
    assert persons("For more, read Hidden Treasures: Ten Bands You Forgot") == []


def test_a_name_that_is_also_a_word_stays_a_name() -> None:
    assert persons("Please ask Rose Baker to call me back.") == ["Rose Baker"]
