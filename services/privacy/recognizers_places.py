"""Place recognizers: take text (and spaCy's entities), produce LOCATION (city, state, country where a person lives
or is) and ZIP_CODE (US ZIP, Canadian and UK postal codes, other 4-6 digit codes after a postcode word) results."""

from __future__ import annotations

import re
from collections.abc import Iterator

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from services.privacy import gazetteer as gz
from services.privacy import recognizers as rz
from services.privacy.names import FIRST_NAMES
from services.privacy.recognizers import PatternFinder

LOCATION = "LOCATION"
NER_ALONE = 0.0
ZIP = "ZIP_CODE"

# Places that are also common first names or words: taken only after a place cue ("lives in Georgia").
_AMBIGUOUS = frozenset(
    gz.names(
        """Georgia Chad Jordan Charlotte Austin Sofia Santiago Salvador Washington Victoria Columbus Phoenix Mesa
        Turkey Guinea Niger Mali Cali Arlington Florence Lima Paris Sydney Regina Santa Cruz Oman Cuba Wales""",
        " ",
    )
)
# Looked up by word n-grams (a set probe per capitalised word) rather than one regex alternation of all names,
# which Python's re tries name by name at every position (~5 ms a message).
_KNOWN = frozenset(gz.PLACES) | frozenset(n.upper() for n in gz.PLACES)
_LONGEST = max(len(n.split()) for n in gz.PLACES)
_WORDS = re.compile(r"[^\W_][\w'’.\-]*")
_STATE_CODE = "|".join(gz.STATE_CODES)
_STATE_NAME = "|".join(re.escape(v) for v in gz.US_STATES.values())
# One capitalised (or all-capitals) place word; particles join words of one name ("Stratford upon Avon").
_PW = r"(?=[A-ZÀ-ÖØ-ÞĀ-ŽΑ-ΩА-Я])[^\W\d_][\w'’.\-]*"
_PLACE = rf"{_PW}(?:[ \t]+(?:(?:upon|de|del|la|le|am|im|sur|di)[ \t]+)?{_PW}){{0,2}}"
# Phrases after which a capitalised name is where someone lives, is, goes or comes from; strong enough to
# override spaCy calling the same word a person ("she moved to Valencia").
_CUE = (
    r"\b(?:lives?|living|grew up|born|raised|based|located|stay(?:ing|ed)?|settled|resid(?:e|es|ing|ent)|holiday"
    r"|vacation|stationed|branch|office|depot|warehouse|store|shop|clinic|hospital|hotel|currently|I am|I'm|we are"
    r"|we're|am|is|are|was|were|died|passed away|just)[ \t]+(?:here[ \t]+)?(?:in|near|outside)"
    r"|\b(?:moved|moving|move|relocat\w*|travel+(?:ing|ed)?|trip|fl(?:y|ying|ew|ight)|going|went|go|drive|driving"
    r"|returned|return|back|emigrated|immigrated|commute|shipped|sent|posted|originally|hails?|hailing"
    r"|drove|deliver(?:y|ed|ing)?|ship(?:s|ping)?)"
    r"(?:[ \t]+(?:here|back|home|out))?[ \t]+(?:to|from|in|into)"
    r"|\b(?:native of|citizen of|resident of|hometown(?: is| of)?|outside|arriv(?:e|es|ed|ing)[ \t]+(?:at|in))"
)
# Weaker: "from X" is as often a firm or a person; "visiting X" a person.
_FROM = r"\b(?:from|visit(?:ing|ed)?|near|came from|comes? from|coming from)"
_CUED = re.compile(rf"(?:{_CUE})[ \t]+(?:the[ \t]+)?({_PLACE})")
_CUED_WEAK = re.compile(rf"(?:{_FROM})[ \t]+(?:the[ \t]+)?({_PLACE})")
# "the Kraków branch", "our Lyon office".
_BEFORE_SITE = re.compile(
    rf"\b(?:the|[Oo]ur|[Yy]our)[ \t]+({_PLACE})[ \t]+(?:branch|office|store|depot|warehouse|area|team)\b"
)
# Form fields that name a place ("Where: Tucson", "City: Lyon").
_FIELD = re.compile(
    rf"(?i:\b(?:where|location|city|town|country|state|province|region|hometown|birthplace|place of birth))"
    rf"[ \t]*:[ \t]*({_PLACE})"
)
# A bare preposition before a capitalised word: weaker evidence, kept when no name or organisation claims it.
_PREP = re.compile(rf"\b(?:in|to|from|near)[ \t]+({_PLACE})")
# "in X": a person seldom follows "in" (unlike to/from/with), so this beats spaCy calling X a person
# ("never showed up in Lyon"); not before a possessive ("in Maria's car").
_IN = re.compile(rf"\b[Ii]n[ \t]+({_PLACE})(?![\w'’])")
_PREP_BEFORE = re.compile(r"\b(?:in|to|at|from|near|of|visit\w*|between|and)[ \t]+(?:the[ \t]+)?$")
# Town-name shapes (US-style, as Faker also builds them): a compass/lake/port word before a name ("Port
# Kirstenland", "Lake Jennifer"), or a name ending in a town suffix that surnames seldom have ("Michaelmouth";
# not before another capitalised word: "Berkshire Hathaway").
_TOWN = re.compile(
    rf"(?<![\w-])(?:(?:North|South|East|West|New|Lake|Port|Fort|Mount)[ \t]+{_PW}"
    r"|[A-Z][a-z]+(?:mouth|burgh|borough|haven|side|view|stad|ville|furt|shire)(?![ \t]+[A-Z]))(?![\w-])"
)
_CITY_STATE = re.compile(rf"(?<![\w-])({_PLACE}),[ \t]*(?:{_STATE_CODE}|{_STATE_NAME})(?![\w-])")
_NOT_PLACE = frozenset(
    gz.names(
        """I The A An My Your Our This That It We You He She They Monday Tuesday Wednesday Thursday Friday Saturday
    Sunday January February March April May June July August September October November December Mr Mrs Ms Dr
    Prof Christmas Easter Apt Suite Unit Room Floor Amazon Google Apple Support Customer Service Team Account ATM
    St St. Street Avenue Road English French Spanish German Internet""",
        " ",
    )
)


# A name with one of these words is a firm or a product, not a place ("from Acme Corp", "in Chrome").
_NOT_IN_PLACE = frozenset(
    gz.names(
        """Inc Inc. Ltd Ltd. LLC Corp Corp. Corporation Company Co Co. Group GmbH AG SA PLC Bank Insurance
        Solutions Technologies Systems Services Partners Holdings Labs Media Studio Software App Apps Windows
        Chrome Firefox Safari Android iOS iPhone Excel Word Outlook Teams Zoom Slack Store Pay Prime Plus Pro TV
        Radio News Magazine""",
        " ",
    )
)


# Where a capitalised name is an employer or a firm ("I work for Thinknum", "a year at Walk Score", "Coden is a
# design agency"): spaCy's small model calls many such made-up firm names persons.
_FIRM_BEFORE = re.compile(
    r"\b(?:work(?:s|ed|ing)?[ \t]+(?:for|at)|employed[ \t]+(?:by|at)|employer[ \t]+is|joined|(?:later[ \t]+)?became"
    r"|acquired[ \t]+by|(?:year|month|week)s?[ \t]+at|intern(?:ed|ship)?[ \t]+at|customer[ \t]+of|client[ \t]+of)"
    r"[ \t]+(?:the[ \t]+)?$"
)
_FIRM_AFTER = re.compile(
    r"[ \t]+(?:is|was)[ \t]+(?:an?|the)[ \t]+(?:[\w-]+[ \t]+){0,2}(?:company|agency|firm|startup|corporation"
    r"|business|brand|organi[sz]ation|enterprise|vendor|supplier|provider|consultancy|manufacturer|retailer)\b"
    r"|,?[ \t]+(?:Inc|Ltd|LLC|Corp|Corporation|Incorporated|Group|Company|GmbH|PLC)\b"
)


def firm_at(text: str, start: int, end: int) -> bool:
    """A name in a firm's place, unless it opens with a listed given name ("I work for Ada Lind")."""
    if text[start:end].split(" ")[0] in FIRST_NAMES:
        return False
    return bool(_FIRM_BEFORE.search(text, max(0, start - 40), start) or _FIRM_AFTER.match(text, end))


def _clean_place(value: str) -> str:
    """Drop trailing words that are not part of a place ("Tucson Monday" → "Tucson"); '' when nothing is left
    or when a word shows a firm or product."""
    words = value.split()
    if any(w.strip(".,") in _NOT_IN_PLACE for w in words):
        return ""
    while words and words[-1].strip(".,") in _NOT_PLACE:
        words.pop()
    return " ".join(words) if words and words[0].strip(".,") not in _NOT_PLACE else ""


# A question about where the business serves ("Do you ship to the USA?") names no one's place: the place stays
# readable (for retrieval) unless the asker says it is theirs ("… ship to my flat in Lyon").
_SERVICE_QUESTION = re.compile(
    r"(?i:\b(?:do|does|can|could|will|would|are)[ \t]+(?:you|they|u)[ \t]+(?:also[ \t]+)?(?:ship|deliver|send|post"
    r"|operate|sell|offer|serve|work|available|open)\w*)(?:(?!\b(?:my|me|I|our|us)\b)[^.?!\n])*"
)


# A town named by a landmark of it, lower-case ("Brno bridge is closed", "the Kaunas airport"): the town.
_LANDMARK = re.compile(
    r"(?<![\w-])([A-Z][^\W\d_]+(?:[ \t]+[A-Z][^\W\d_]+)?)(?=[ \t]+(?:bridge|airport|train station|station"
    r"|harbou?r|cathedral|castle|old town|city cent(?:er|re)|city hall)\b)"
)


def recase_places(text: str) -> str:
    """For a text with no capital letter ("i moved to canada"), a copy of the same length with every gazetteer
    place capitalised (longest first), so that the place rules apply; any other text is returned as it is."""
    if any(ch.isupper() for ch in text):
        return text
    chars, words, i = list(text), [m.span() for m in _WORDS.finditer(text)], 0
    while i < len(words):
        size = next(
            (n for n in range(min(_LONGEST, len(words) - i), 0, -1) if _span_title(text, words[i : i + n]) in _KNOWN),
            0,
        )
        for s, e in words[i : i + size]:
            if len(text[s:e].capitalize()) == e - s:
                chars[s] = text[s:e].capitalize()[0]
        i += max(size, 1)
    return "".join(chars)


def _span_title(text: str, words: list[tuple[int, int]]) -> str:
    return " ".join(text[s:e] for s, e in words).rstrip(".").title()


class LocationFinder(EntityRecognizer):
    """Countries, states and large cities from the gazetteer (ambiguous ones only after a place cue), any
    capitalised name after a place cue, "City, ST", and spaCy's GPE/LOC entities."""

    def __init__(self) -> None:
        super().__init__(supported_entities=[LOCATION], name="LocationFinder")

    def load(self) -> None:
        """The gazetteer and patterns are compiled at import."""

    def analyze(self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None) -> list[RecognizerResult]:
        if entities and LOCATION not in entities:
            return []
        cased = recase_places(text)
        found = [*self._from_gazetteer(cased), *self._from_cues(cased), *self._from_ner(text, nlp_artifacts)]
        asks = [m.span() for m in _SERVICE_QUESTION.finditer(text)]
        return [
            RecognizerResult(LOCATION, s, e, score)
            for s, e, score in found
            if not any(a <= s and e <= b for a, b in asks)
        ]

    def _from_gazetteer(self, text: str) -> Iterator[tuple[int, int, float]]:
        words = [(m.start(), m.end()) for m in _WORDS.finditer(text)]
        i = 0
        while i < len(words):
            size = self._known_at(text, words, i) if text[words[i][0]].isupper() else 0
            if size:  # (≥ spaCy's person: ambiguous names are left out above); a full stop ends the sentence
                yield words[i][0], words[i + size - 1][1] - text[words[i + size - 1][1] - 1].count("."), 0.86
            i += max(size, 1)
        for m in _TOWN.finditer(text):
            place = _clean_place(m.group())
            if place == m.group():
                yield m.start(), m.end(), 0.86
        for m in _CITY_STATE.finditer(text):
            place = _clean_place(m.group(1))
            if place:
                yield m.start(1) + m.group(1).find(place), m.end(), 0.75

    @staticmethod
    def _known_at(text: str, words: list[tuple[int, int]], i: int) -> int:
        """How many words from the i-th form a known, unambiguous place name (longest first); 0 if none."""
        for size in range(min(_LONGEST, len(words) - i), 0, -1):
            name = " ".join(text[s:e] for s, e in words[i : i + size]).rstrip(".")
            if name in _KNOWN and name.title() not in _AMBIGUOUS and name not in _AMBIGUOUS:
                return size
        return 0

    def _from_cues(self, text: str) -> Iterator[tuple[int, int, float]]:
        rules = ((_CUED, 0.9), (_BEFORE_SITE, 0.9), (_FIELD, 0.9), (_CUED_WEAK, 0.65), (_IN, 0.86), (_PREP, 0.51),
                 (_LANDMARK, 0.86))  # fmt: skip
        for pattern, score in rules:
            for m in pattern.finditer(text):
                place = _clean_place(m.group(1).rstrip(".,"))
                if pattern is _PREP and place.split(" ")[0] in FIRST_NAMES and place not in _KNOWN:
                    continue  # "said Gladys to Logan": a bare preposition before a given name is no place cue
                if place and not firm_at(text, m.start(1), m.start(1) + len(place)):
                    yield m.start(1), m.start(1) + len(place), score

    def _from_ner(self, text: str, nlp_artifacts: NlpArtifacts | None) -> Iterator[tuple[int, int, float]]:
        doc = getattr(nlp_artifacts, "tokens", None)
        for ent in doc.ents if doc is not None else []:
            if ent.label_ in ("GPE", "LOC") and not any(ch.isdigit() for ch in ent.text) and "\n" not in ent.text:
                # Without a preposition before it, the small model's GPE is as often a person or a firm.
                cued = _PREP_BEFORE.search(text, max(0, ent.start_char - 16), ent.start_char) is not None
                if not firm_at(text, ent.start_char, ent.end_char):
                    yield ent.start_char, ent.end_char, 0.6 if cued else NER_ALONE


_POSTCODE = r"\d{5}(?:-\d{4})?|[A-Z]\d[A-Z][ ]?\d[A-Z]\d|[A-Z]{1,2}\d[A-Z\d]?[ ]?\d[A-Z]{2}|\d{4,6}"


class ZipFinder(PatternFinder):
    """A code after a ZIP/postcode word, a 5-digit ZIP after a US state, or after "near"/"around"/"area"."""

    ENTITY = ZIP
    CUED = re.compile(rf"(?i:\b(?:zip|zip ?code|zipcode|postal ?code|post ?code|postcode|plz)\b)[^\w\n]{{0,3}}"
                      rf"(?:(?i:is|was|to|of|=|should be|changed to)[ \t]+){{0,2}}({_POSTCODE})(?![\w-])")  # fmt: skip
    AFTER_STATE = re.compile(rf"(?<![\w-])(?:{_STATE_CODE}|{_STATE_NAME})[ \t]+(\d{{5}}(?:-\d{{4}})?)(?![\w-])")
    NEAR = re.compile(r"(?i:\b(?:near|around|area|within|in|outside))[ \t]+(\d{5}(?:-\d{4})?)(?![\w-])")
    # A ZIP right after a town named after "in/at/near/from/to" ("support Acme in Cork 87984-7856").
    AFTER_TOWN = re.compile(
        r"\b(?:in|at|near|from|to)[ \t]+(?!(?:Order|Invoice|Account|Room|Ticket|Case|Suite|Apt|Unit|Box|Ref\w*"
        r"|No|Number|Flight|Item|Gate|Line|Version|Model|Page|Row|Seat|Batch)\b)"
        r"(?:[A-Z][^\W\d_]+[ \t]+){1,3},?[ \t]*(\d{5}(?:-\d{4})?)(?![\w-])"
    )
    # The code first: "02139 is my zip code", "Is K1A 0B1 your zip?", "the 94107 area".
    BEFORE_WORD = re.compile(
        rf"(?<![\w-])({_POSTCODE})(?=[ \t]+(?:[\w']+[ \t]+){{0,2}}(?i:zip|postal|post ?code|postcode)\b)"
        r"|(?<![\w-])(\d{5}(?:-\d{4})?)(?=[ \t]+area\b)"
    )

    def find(self, text: str) -> Iterator[tuple[int, int, float]]:
        for m in self.BEFORE_WORD.finditer(text):
            group = 1 if m.group(1) else 2
            yield m.start(group), m.end(group), 0.85
        for pattern, score in ((self.CUED, 0.9), (self.AFTER_STATE, 0.85), (self.NEAR, 0.6), (self.AFTER_TOWN, 0.6)):
            for m in pattern.finditer(text):
                yield m.start(1), m.end(1), score


# First words that make "X Drive/Way/…" a product or a phrase, not a street ("on Google Drive", "on the Way").
_PRODUCT = "Google|One|Hard|Flash|USB|Network|Shared|My|The|This|That|Our|Your|Memory|Easy"


class StreetNameFinder(PatternFinder):
    """A street named without a house number where someone lives, is or goes ("lives on Birchwood Court", "the
    station is on Thistle Road"): capitalised words and a street word after "on"; not a product ("Google Drive")."""

    ENTITY = rz.ADDRESS
    PATTERN = re.compile(
        rf"\b(?:on|off)[ \t]+((?:(?!(?:{_PRODUCT})\b){_PW}[ \t]+){{1,3}}"
        r"(?:Street|St\.|Avenue|Ave\.?|Road|Rd\.?|Lane|Ln\.?|Drive|Dr\.|Boulevard|Blvd\.?|Court|Ct\.?|Way|Terrace"
        r"|Place|Parkway|Crescent|Close|Hollow|Row|Square|Highway)(?![\w'’-]))"
    )

    def find(self, text: str) -> Iterator[tuple[int, int, float]]:
        for m in self.PATTERN.finditer(text):
            yield m.start(1), m.end(1), 0.9  # above spaCy's person ("on Ashcombe Lane")
