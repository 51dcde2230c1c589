"""search_text: the privacy service's placeholders leave the query retrieval searches with; other text stays."""

from __future__ import annotations

import pytest

from services.rag.query import search_text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Are google documents a viable alternative to [LOCATION_1]?", "Are google documents a viable alternative to?"),
        ("[NAME_1] will not let me send an exe file", "will not let me send an exe file"),
        ("Mail [EMAIL] or call [PHONE], please", "Mail or call, please"),
        ("Move [STREET_ADDRESS_2]\nto [ZIP_CODE_1] .", "Move to."),
    ],
)
def test_placeholders_are_dropped(query: str, expected: str) -> None:
    assert search_text(query) == expected


@pytest.mark.parametrize(
    "query",
    [
        "How do I reset my password?",
        "What does [x] mean in a GitHub task list?",  # lower case: a quote, not a placeholder
        "Markdown [Edit] links and  double  spaces stay as typed",
        "[NAME_1]",  # nothing else to search with: the placeholder is all there is
        "[NAME_1] ?",
    ],
)
def test_text_without_placeholders_or_with_nothing_else_is_unchanged(query: str) -> None:
    assert search_text(query) == query
