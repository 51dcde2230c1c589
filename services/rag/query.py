"""A query as the turn sends it in, the text retrieval embeds and weighs out: redaction placeholders dropped."""

from __future__ import annotations

import re

# The turn retrieves with the redacted message (ARCHITECTURE: redact -> retrieve): each value the privacy service
# found reads `[NAME_1]`, `[LOCATION_2]`, and its pattern fallback writes `[EMAIL]`, `[PHONE]`. A placeholder
# names nothing an article could hold, yet its word pieces pulled the query vector toward articles about names
# and places ("alternative to [LOCATION_1]" found the maps article), and its BM25 terms ("location", "1")
# matched unrelated chunks. Upper case only, so a query that quotes "[x]" or "[Edit]" keeps it.
PLACEHOLDER = re.compile(r"\[[A-Z]+(?:_[A-Z]+)*(?:_\d+)?\]")
_SPACE_BEFORE_MARK = re.compile(r"\s+([,.;:?!)])")


def search_text(query: str) -> str:
    """`query` without redaction placeholders; unchanged when it has none or is nothing but placeholders."""
    if "[" not in query or not PLACEHOLDER.search(query):
        return query
    stripped = _SPACE_BEFORE_MARK.sub(r"\1", " ".join(PLACEHOLDER.sub(" ", query).split()))
    return stripped if any(ch.isalnum() for ch in stripped) else query
