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


_ITEM = r"(?=[A-ZÀ-ÖØ-ÞĀ-Ž])[^\W\d_][\w'’-]*(?:[ \t]+(?=[A-ZÀ-ÖØ-ÞĀ-Ž])[^\W\d_][\w'’-]*)?"
_LIST = re.compile(rf"(?<![\w-]){_ITEM}(?:,[ \t]+{_ITEM})*,?[ \t]+(?:and|&)[ \t]+{_ITEM}(?![\w-])")

_EXAMPLES = re.compile(r"\b(?:like|such as|words?|terms?)[ \t]+$")  # "words like Wisdom and Discipline"


def propagate_lists(text: str, detections: list[Detection]) -> list[Detection]:
    """In a list of capitalised items ("founders: Eklund, Michael and Hodge") where one item is a found person and
    none is anything else, the other items are persons too: spaCy's small model often tags only one of them."""
    from services.privacy.pii import Detection  # runtime import: pii imports this module
    from services.privacy.recognizers_names import is_stop_word
    from services.privacy.recognizers_places import firm_at

    added: list[Detection] = []
    for m in _LIST.finditer(text):
        if firm_at(text, m.start(), m.end()) or _EXAMPLES.search(text, max(0, m.start() - 12), m.start()):
            continue  # a firm named after its partners ("a year at Jones, Mitchell and Williams"), or examples
        items = [(i.start(), i.end()) for i in re.finditer(_ITEM, m.group())]
        items = [(m.start() + s, m.start() + e) for s, e in items if m.group()[s:e] not in ("And", "The")]
        kinds = {d.entity_type for d in detections for s, e in items if d.start < e and s < d.end}
        # Not "Ingrid and I", "Hello, Anna and Tom": every item must look like a name, not a word or a header.
        if kinds != {PERSON} or any(is_stop_word(w) for s, e in items for w in text[s:e].split()):
            continue
        added += [
            Detection(PERSON, s, e, SCORE) for s, e in items if all(e <= d.start or s >= d.end for d in detections)
        ]
    return sorted([*detections, *added], key=lambda d: d.start) if added else detections
