"""Identity-document recognizers: take text, produce DRIVER_LICENSE and PASSPORT results. Both numbers have no
checksum and dozens of formats, so each needs its document word shortly before it."""

from __future__ import annotations

import re
from collections.abc import Iterator

from services.privacy.recognizers import PatternFinder

DRIVER_LICENSE = "US_DRIVER_LICENSE"
PASSPORT = "PASSPORT"

_WINDOW = 40  # characters between the document word and the number


def _after_cue(text: str, cue: re.Pattern[str], number: re.Pattern[str]) -> Iterator[tuple[int, int]]:
    """Numbers that start within _WINDOW characters after a cue, with no sentence end in between."""
    for c in cue.finditer(text):
        stop = re.compile(r"[.!?](?:\s|$)|\n").search(text, c.end(), c.end() + _WINDOW)
        limit = stop.start() if stop else c.end() + _WINDOW  # the number must start before this
        m = number.search(text, c.end(), limit + 24)
        if m and m.start() < limit:
            yield m.start(), m.end()


class DriverLicenseFinder(PatternFinder):
    """US driver licence shapes by state (letter + 7-14 digits as CA/FL/IL/NY, 7-9 digits as TX/PA, grouped as
    F123-4567-8901, two letters + 6 digits), after "driver's license", "driving licence", "DL", "DMV"."""

    ENTITY = DRIVER_LICENSE
    CUE = re.compile(
        r"driver'?s?’?s?[ \t-]*licen[cs]e|driving[ \t-]+licen[cs]e|\bD\.?L\b\.?#?|\bDMV\b|\blicen[cs]e\b"
        r"(?:[ \t]+(?:no\.?|number|num|#|id))?",
        re.I,
    )
    NUMBER = re.compile(
        r"(?<![\w-])(?:[A-Z]{1,2}\d{5,14}|[A-Z]\d{3}-\d{3,4}-\d{3,4}(?:-\d{1,3})?|\d{7,9}|\d{3}-\d{3}-\d{3}"
        r"|[A-Z]\d{2}-\d{2}-\d{4}|[A-Z]-?\d{3}-?\d{3}-?\d{3}-?\d{3}"
        # CO 12-345-6789, NH 12ABC34567, IA 123AB4567, NJ A1234 56789 01234, FL A123 456 789 012
        r"|\d{2}-\d{3}-\d{4}|\d{2}[A-Z]{3}\d{5}|\d{3}[A-Z]{2}\d{4}|[A-Z]\d{4} \d{5} \d{5}|[A-Z]\d{3}(?: \d{3}){3})"
        r"(?![\w-])"
    )
    # The number first: "D1234567 is my driver's license", "… is her DL number".
    BEFORE_CUE = re.compile(
        r"[ \t]+(?:is|was)[ \t]+(?:my|his|her|their|our|the)[ \t]+(?:[\w-]+[ \t]+)?(?:driver'?s?’?s?[ \t-]*licen[cs]e"
        r"|driving[ \t-]+licen[cs]e|D\.?L\b|licen[cs]e)",
        re.I,
    )

    def find(self, text: str) -> Iterator[tuple[int, int, float]]:
        for start, end in _after_cue(text, self.CUE, self.NUMBER):
            yield start, end, 0.9
        for m in self.NUMBER.finditer(text):
            if self.BEFORE_CUE.match(text, m.end()):
                yield m.start(), m.end(), 0.9


class PassportFinder(PatternFinder):
    """Passport numbers (6-9 letters and digits, at least 6 digits; US, EU and ICAO shapes) after "passport"."""

    ENTITY = PASSPORT
    CUE = re.compile(r"\bpassport(?:[ \t]+(?:no\.?|number|num|#|id))?(?!\w)", re.I)
    NUMBER = re.compile(r"(?<![\w-])(?=(?:[A-Z]*\d){6})[A-Z0-9]{6,9}(?![\w-])")

    def find(self, text: str) -> Iterator[tuple[int, int, float]]:
        for start, end in _after_cue(text, self.CUE, self.NUMBER):
            yield start, end, 0.9
