"""Name propagation: takes a text and its resolved detections, adds the other mentions of a found person's names.

A person named once in full is often named again by one part ("Asya Godina ... Asya spent a year", "directed by
Maciej Borkowski and starring Borkowski"); spaCy's small model rarely tags the short mention on its own.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from services.privacy.pii import Detection

PERSON = "PERSON"
SCORE = 0.6
_SKIP = frozenset(["Mr", "Mrs", "Miss", "Prof", "Sir", "Madam", "The", "And", "Van", "Von", "Der", "Den"])


def propagate_names(text: str, detections: list[Detection]) -> list[Detection]:
    """`detections` plus a PERSON span for every other whole-word occurrence of a capitalised part (3+ letters)
    of a detected name, where no detection is yet; in text order."""
    from services.privacy.pii import Detection  # runtime import: pii imports this module

    parts = {
        w
        for d in detections
        if d.entity_type == PERSON
        for w in re.findall(r"[^\W\d_][\w'’-]*", text[d.start : d.end])
        if len(w) >= 3 and w[0].isupper() and w not in _SKIP
    }
    if not parts:
        return detections
    pattern = re.compile(
        r"(?<![\w-])(?:" + "|".join(map(re.escape, sorted(parts, key=len, reverse=True))) + r")(?![\w-])"
    )
    added = [
        Detection(PERSON, m.start(), m.end(), SCORE)
        for m in pattern.finditer(text)
        if all(m.end() <= d.start or m.start() >= d.end for d in detections)
    ]
    return sorted([*detections, *added], key=lambda d: d.start) if added else detections
