"""Word lists (see build.py for provenance), loaded once at import (~100k words, ~20 ms): FIRST_NAMES (given
names), LAST_NAMES (surnames), COMMON_WORDS (lower-case English words)."""

from __future__ import annotations

import re
from pathlib import Path

from spacy.lang.en.stop_words import STOP_WORDS

_HERE = Path(__file__).resolve().parent
FIRST_NAMES = frozenset((_HERE / "first_names.txt").read_text(encoding="utf-8").split())
LAST_NAMES = frozenset((_HERE / "last_names.txt").read_text(encoding="utf-8").split())
COMMON_WORDS = frozenset((_HERE / "common_words.txt").read_text(encoding="utf-8").split())


def is_common(word: str) -> bool:
    """An English word ("Salesperson", "Key", "Baker"): a name in it is taken only with other evidence."""
    return word.strip(".,:;!?\"'()").lower() in COMMON_WORDS


def is_compound(word: str) -> bool:
    """A word made of two English words of 4+ letters ("Brightwater", "Poweradvocate"; not "Tamsin"): how firms
    and products are named; a surname of that shape is taken only when a name list holds it."""
    low = word.lower()
    return any(low[:i] in COMMON_WORDS and low[i:] in COMMON_WORDS for i in range(4, len(low) - 3))


def all_common(name: str) -> bool:
    """A candidate name made only of English words that no name list holds ("Guilty Pleasures", "Salesperson";
    not "Rose Baker"): a title or a job, not a person."""
    words = [w.strip(".,:;!?\"'()") for w in name.split()]
    return bool(words) and all(
        w.lower() in COMMON_WORDS and w not in LAST_NAMES and w not in FIRST_NAMES for w in words
    )


_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_BEFORE = re.compile(
    r"(?:^|\n)[ \t>]*$|\b(?:name is|i'm|i am|this is|dear|hi|hello|hey|thanks|regards|me|said|told|ask for"
    r"|speak to|speak with|called|named|mr\.?|mrs\.?|ms\.?|dr\.?)[ \t,:]+$"
)
_AFTER = re.compile(
    r"(?:[ \t]+[^\W\d_]+)?[ \t]+(?:is|was|has|had|said|says|told|asked|shouted|spent|lives|lived|works)\b|'s\b"
)


def recase(text: str) -> str:
    """For a text with no capital letter ("eva kleist lives at ..."), a copy of the same length where names are
    capitalised, so that the capitalisation rules of the name finder apply: a listed first or last name that is
    no English word anywhere, and the word after it unless that is an English word; a listed name that is also a
    word ("rose"), or a word no list holds, only where a name is expected ("my name is", "... said"). Any other
    text is returned as it is."""
    if any(ch.isupper() for ch in text):
        return text
    chars = list(text)
    words = list(_WORD.finditer(text))
    for i, m in enumerate(words):
        if m.group() in STOP_WORDS or not _name_here(text, m):
            continue
        parts = [m]
        if (
            i + 1 < len(words)
            and words[i + 1].group() not in STOP_WORDS
            and not is_common(words[i + 1].group())
            and text[m.end() : words[i + 1].start()] == " "
        ):
            parts.append(words[i + 1])
        for part in parts:
            cased = part.group().capitalize()
            if len(cased) == len(part.group()):  # a few letters change length when cased: leave those alone
                chars[part.start() : part.end()] = cased
    return "".join(chars)


def _name_here(text: str, m: re.Match[str]) -> bool:
    cased = m.group().capitalize()
    listed = cased in FIRST_NAMES or cased in LAST_NAMES
    if listed and not is_common(cased) and text[m.end() : m.end() + 1] not in ("@", ".", "/"):
        return True
    expected = bool(_BEFORE.search(text, 0, m.start()) or _AFTER.match(text, m.end()))
    return expected and (cased in FIRST_NAMES or not is_common(cased))
