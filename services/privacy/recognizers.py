"""Custom Presidio recognizers: take text, produce RecognizerResults for numbers, contacts and addresses."""

from __future__ import annotations

import re
from collections.abc import Iterator

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from libs.observability.pii_scrub import iban_ok, luhn_ok

# Internal (Presidio-style) entity names; domain.py maps them to the API's snake_case type names.
ACCOUNT = "ACCOUNT_NUMBER"
PHONE = "PHONE_NUMBER"
CARD = "CREDIT_CARD"
IBAN = "IBAN_CODE"
SSN = "US_SSN"
EMAIL = "EMAIL_ADDRESS"
ADDRESS = "STREET_ADDRESS"
DOB = "DATE_OF_BIRTH"
IP = "IP_ADDRESS"

L = r"[^\W\d_]"  # one Unicode letter (Python's re has no \p{L})
_WINDOW = 48  # characters before a candidate searched for context words


def _context(text: str, start: int, words: re.Pattern[str], window: int = _WINDOW) -> bool:
    return words.search(text, max(0, start - window), start) is not None


class PatternFinder(EntityRecognizer):
    """Base: subclasses yield (start, end, score); Presidio's NLP artifacts are not needed."""

    ENTITY = ""

    def __init__(self) -> None:
        super().__init__(supported_entities=[self.ENTITY], name=type(self).__name__)

    def load(self) -> None:
        """Nothing to load: patterns are compiled at class definition."""

    def find(self, text: str) -> Iterator[tuple[int, int, float]]:
        raise NotImplementedError

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        if entities and self.ENTITY not in entities:
            return []
        return [RecognizerResult(self.ENTITY, s, e, score) for s, e, score in self.find(text)]


class EmailFinder(PatternFinder):
    ENTITY = EMAIL
    PATTERN = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*\.[A-Za-z]{2,24}\b")

    def find(self, text: str) -> Iterator[tuple[int, int, float]]:
        for m in self.PATTERN.finditer(text):
            yield m.start(), m.end(), 1.0


class CardFinder(PatternFinder):
    """12-19 digits (optionally grouped) passing Luhn; issuer prefix 2-6 or a card word nearby."""

    ENTITY = CARD
    PATTERN = re.compile(r"(?<![\w-])\d{4}(?:[ -]?\d{2,4}){2,4}(?:[ -]?\d{1,3})?(?![\w-])")
    CONTEXT = re.compile(r"card|\bcc\b|visa|master|amex|debit|credit", re.I)

    def find(self, text: str) -> Iterator[tuple[int, int, float]]:
        for m in self.PATTERN.finditer(text):
            digits = re.sub(r"\D", "", m.group())
            if not (12 <= len(digits) <= 19 and luhn_ok(digits)):
                continue
            if _context(text, m.start(), self.CONTEXT):
                yield m.start(), m.end(), 1.0
            elif digits[0] in "23456" and len(digits) >= 13:
                yield m.start(), m.end(), 0.9


class IbanFinder(PatternFinder):
    ENTITY = IBAN
    PATTERN = re.compile(r"(?<!\w)[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?(?!\w)", re.I)

    def find(self, text: str) -> Iterator[tuple[int, int, float]]:
        for m in self.PATTERN.finditer(text):
            if iban_ok(m.group()):
                yield m.start(), m.end(), 1.0


class SsnFinder(PatternFinder):
    """Dashed SSNs in the valid ranges; bare 9-digit runs only next to SSN words."""

    ENTITY = SSN
    DASHED = re.compile(r"(?<![\w-])(?!000|666|9\d\d)\d{3}([- ])(?!00)\d{2}\1(?!0000)\d{4}(?![\w-])")
    BARE = re.compile(r"(?<!\w)(?!000|666|9\d\d)\d{9}(?!\w)")
    CONTEXT = re.compile(r"\bssn\b|social security|\bss#|social sec", re.I)

    def find(self, text: str) -> Iterator[tuple[int, int, float]]:
        for m in self.DASHED.finditer(text):
            yield m.start(), m.end(), 0.95 if _context(text, m.start(), self.CONTEXT) else 0.75
        for m in self.BARE.finditer(text):
            if _context(text, m.start(), self.CONTEXT):
                yield m.start(), m.end(), 0.9


class IpFinder(PatternFinder):
    ENTITY = IP
    _OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
    V4 = re.compile(rf"(?<![\w.]){_OCTET}(?:\.{_OCTET}){{3}}(?![\w.]|\.\d)")
    V6 = re.compile(r"(?<![\w:])(?:[0-9a-f]{1,4}:){2,7}(?::|[0-9a-f]{1,4})(?:(?::[0-9a-f]{1,4}){1,6})?(?![\w:])", re.I)

    def find(self, text: str) -> Iterator[tuple[int, int, float]]:
        for m in self.V4.finditer(text):
            yield m.start(), m.end(), 0.95
        for m in self.V6.finditer(text):
            if m.group().count(":") >= 3:
                yield m.start(), m.end(), 0.9


_ISO_DATE = re.compile(r"(?:19|20)\d\d-[01]\d-[0-3]\d\b")  # "2000-04-16 11:34" is a timestamp, not a number
_EXTENSION = re.compile(r"[ \t]*(?:x|ext\.?|extension)[ \t]*\d+$", re.I)


class PhoneFinder(PatternFinder):
    """International and national shapes; loose shapes (two groups, bare runs) only next to phone words."""

    ENTITY = PHONE
    PATTERN = re.compile(
        # "(0)" keeps the digit after it ("+33 (0)1 23 45 67 89"); a local part may be one run ("(03012) 345678").
        r"(?<![\w+/.-])(\+\d{1,3}[ .-]?)?(\(0\)[ ]?\d?[ .-]?|\(\d{1,5}\)[ .-]?)?"
        r"(?:\d{7,15}|\d{1,8}(?:[ .-]\d{2,8}){0,4})"
        # An extension stays with its number ("x123", "ext. 12"): Faker and US signatures write them so.
        r"(?:[ \t]*(?:x|ext\.?|extension)[ \t]*\d{1,6})?(?![\w/]|[.-]\d)"
    )
    CONTEXT = re.compile(
        r"phone|mobile|\bcell|\btel\b|tel:|\bcall|\btext|\bsms|number|\bfax|contact|reach|\bdial|whatsapp"
        r"|registered|messages to|\bph\b|\bmob\b",
        re.I,
    )
    # A phone word just after the number: "(office)", or "… is my number" / "is her mobile".
    AFTER = re.compile(
        r"[ \t\-(]*(office|home|mobile|work|cell|fax|ext)|[ \t]+(?:is|was)[ \t]+(?:my|his|her|their|our|the)[ \t]+"
        r"(?:[\w-]+[ \t]+)?(?:number|phone|mobile|cell|line)\b",
        re.I,
    )

    def find(self, text: str) -> Iterator[tuple[int, int, float]]:
        for m in self.PATTERN.finditer(text):
            value = m.group()
            digits = sum(ch.isdigit() for ch in _EXTENSION.sub("", value))
            if not 7 <= digits <= 15 or _ISO_DATE.match(value):
                continue
            groups = len(re.findall(r"\d+", value))
            # A lone first digit ("+33 6 02 42 06 44") only after a country code or "(0)".
            lone = re.match(r"\d\D", value) is not None
            strong = bool(m.group(1) or m.group(2)) or (groups >= 3 and digits >= 9 and not lone)
            near = _context(text, m.start(), self.CONTEXT) or bool(self.AFTER.match(text, m.end()))
            if near:
                yield m.start(), m.end(), 0.85
            elif strong:
                yield m.start(), m.end(), 0.6


class AccountNumberFinder(PatternFinder):
    """Runs of 6-17 digits (dashes/spaces allowed) after an account word, unless a phone word is nearer."""

    ENTITY = ACCOUNT
    PATTERN = re.compile(r"(?<![\w-])\d[\d -]{4,20}\d(?![\w-])")
    CONTEXT = re.compile(r"\b(?:account|acct|acc|a/c|routing|member (?:id|number)|customer (?:id|number))\b", re.I)
    PHONE_WORDS = re.compile(r"phone|mobile|\bcell|\btel\b|\bcall|\bfax|whatsapp|\bsms\b", re.I)

    def find(self, text: str) -> Iterator[tuple[int, int, float]]:
        for m in self.PATTERN.finditer(text):
            digits = sum(ch.isdigit() for ch in m.group())
            if not 6 <= digits <= 17:
                continue
            lo = max(0, m.start() - 40)
            account = [c.end() for c in self.CONTEXT.finditer(text, lo, m.start())]
            phone = [c.end() for c in self.PHONE_WORDS.finditer(text, lo, m.start())]
            if account and (not phone or phone[-1] < account[-1]):
                yield m.start(), m.end(), 0.9


_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)


class DateOfBirthFinder(PatternFinder):
    """Calendar dates preceded by a birth word ("born", "DOB", "date of birth", "birthday")."""

    ENTITY = DOB
    PATTERN = re.compile(
        r"(?<![\w/.-])(?:\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})|\d{4}-\d{1,2}-\d{1,2}"
        rf"|{_MONTHS} \d{{1,2}}(?:st|nd|rd|th)?,? \d{{4}}|\d{{1,2}}(?:st|nd|rd|th)? (?:of )?{_MONTHS},? \d{{4}})"
        r"(?![\w/])",
        re.I,
    )
    CONTEXT = re.compile(r"\bborn\b|birth|\bdob\b|d\.o\.b|b-?day", re.I)

    def find(self, text: str) -> Iterator[tuple[int, int, float]]:
        for m in self.PATTERN.finditer(text):
            if _context(text, m.start(), self.CONTEXT, window=60):
                yield m.start(), m.end(), 0.85


# --- street addresses -------------------------------------------------------------------------------------
_NUM = r"\d{1,6}[A-Za-z]?(?:[-/]\d{1,4})?"
_WORD = rf"{L}[\w'’.\-]*"
_CAP = r"(?=[A-ZÀ-ÖØ-ÞĀ-ŽΑ-ΩА-ЯÞ])" + _WORD  # a word starting with an upper-case letter
_SUFFIX = (
    r"(?:street|st|avenue|ave|av|road|rd|lane|ln|drive|dr|boulevard|blvd|court|ct|place|pl|way|terrace|ter"
    r"|circle|cir|parkway|pkwy|highway|hwy|square|sq|trail|trl|crescent|cres|close|row|walk|alley|plaza|loop"
    r"|path|pike|ridge|hills?|heights|park|gardens|grove|mews|green|point|crossing|run|view|estates?|islands?"
    r"|harbou?r|junction|valley|village|vista|wells?|bypass|causeway|expressway|freeway|turnpike|forks?|glen"
    r"|haven|landing|manor|meadows?|mills?|mount|orchard|pass|pines|prairie|ranch|rapids|route|shores?"
    r"|springs?|summit|trace|union|ville|wharf|creek|lake|lakes|brook|burg|center|centre|common|cove|dale"
    r"|field|fields|ford|fort|gateway|isle|key|knolls?|light|lodge|neck|oval|parade|rise|river|tunnel"
    # More USPS street suffixes (Publication 28), minus nouns that follow a count in support text ("station").
    r"|str|dam|flats?|mall|points|squares|greens|glens|groves|harbou?rs|junctions|manors|mountains?|overpass"
    r"|underpass|parkways|radial|ridges|shoals?|skyway|spurs?|stravenue|throughway|trafficway|viaduct|villages"
    r"|valleys|extensions?|crossroads?|crest|canyon|cliffs?|ferry|falls|fords|forges?|inlet|plains?|ports|hollow"
    r"|bridge|brooks|burgs|cape|circles|commons|corners|courts|coves|curve|divide|drives|locks|loaf|motorway"
    r"|roads|streets|unions|walks|ways)\b\.?"
)
_EURO = (
    r"\w{2,}?(?:straat|strasse|straße|str\.|weg|vej|veien|vegen|gata|gatan|gade|gasse|laan|plein|allee|platz"
    r"|dreef|kade|singel|katu|tie|utca|vägen|väg|stræde|torv|gränd|polku|kuja|damm)"
)
_PREFIX = (
    r"(?:c/|rue|via|viale|calle|carrer|rua|rúa|avenida|avenue|boulevard|chemin|place|plaza|ulica|ul\.|piazza|largo"
    r"|travessa|strada|corso|paseo|camino|allée|impasse|quai|route|rambla|praça|plac|aleja|al\.)"
)
# Words that show "number ... suffix" is a count in a sentence ("2 hours in the mall"), not a street name.
_NOT_COUNTED = (
    r"(?!(?:in|the|at|of|for|to|a|an|and|or|my|our|your|his|her|their|with|on|from|by|per|was|is|are|were"
    r"|minutes?|hours?|days?|weeks?|months?|years?|times|items?|dollars?|euros?|pounds?)\b)"
)
_LEAD_UNIT = r"(?:(?:apt\.?|suite|unit|flat)[ \t]+\d+\w*(?:[ \t]*,?[ \t]*\n[ \t]*|[ \t]+))?"  # "Flat 5\n12 High St"
_STREET = (
    rf"{_LEAD_UNIT}(?:"
    rf"{_NUM}[ \t]+(?:{_NUM}[ \t]+)?(?:{_NOT_COUNTED}{_WORD}[ \t]+){{1,3}}{_SUFFIX}"  # 590 Edington Drive
    # 1072 Pohlstrasse 9; words before the street word only capitalised ("ship it to Mannerheimintie 12")
    rf"|(?:{_NUM}[ \t]+){{0,2}}(?:(?-i:{_CAP})[ \t]+){{0,2}}{_EURO}[ \t]+\d{{1,5}}[a-z]?\b"
    rf"|(?:{_NUM}[ \t]+){{0,2}}(?:{_WORD}[ \t]+){{1,3}}(?:u\.|utca|út|útja|tér|rkp\.|ul\.)[ \t]+\d{{1,5}}\.?"
    rf"|{_NUM},?[ \t]+(?:{_NUM}[ \t]+)?{_PREFIX}[ \t]+(?:{_WORD}[ \t]+){{0,3}}{_WORD}(?:,?[ \t]+\d{{1,5}}[a-z]?\b)?"
    rf"|{_PREFIX}[ \t]+(?:{_WORD}[ \t]+){{0,3}}?{_WORD},?[ \t]+\d{{1,5}}[a-z]?(?:/\d{{1,4}})?\b"  # rue La Boétie 5
    rf"|corner[ \t]+of[ \t]+[^\n,?!]{{3,60}}?[ \t]+and[ \t]+(?:{_WORD}[ \t]+){{0,3}}{_WORD}"
    r")"
)
_MILITARY = (
    r"(?:(?:PSC|Unit|CMR)[ \t]+\d{3,5},?[ \t]+Box[ \t]+\d{3,5}"
    r"|(?:USNS|USS|USNV|USCGC)[ \t]+[\w'’.\-]+(?:[ \t][A-Z][\w'’.\-]*)?)"
    r"[ \t]*\n?[ \t,]*(?:APO|FPO|DPO)[ \t]+(?:AA|AE|AP)[ \t]+\d{5}"
    r"|P\.?[ \t]?O\.?[ \t]?Box[ \t]+\d{1,6}(?:[ \t]+(?:{_CAP}[ \t]+){0,3}{_CAP})?"
).replace("{_CAP}", _CAP)
_GENERIC = rf"{_NUM}[ \t]+(?:{_NUM}[ \t]+)?{_WORD}(?:[ \t]+{_WORD}){{0,2}}[ \t]+\d{{1,5}}[a-z]?\b"
_UNIT = r"(?:[ \t]*,?[\s>]*(?:apt\.?|apartment|suite|ste\.?|unit|flat|floor|fl\.|room|rm\.?|bldg\.?|#)[ \t]*\d+\w*)?"
_ZIP = r"(?:\d{3,6}(?:[ -]\d{2,4})?|\d{2}-\d{3}|[A-Z]\d[A-Z][ ]?\d[A-Z]\d|[A-Z]{1,2}\d[A-Z\d]?[ ]?\d[A-Z]{2})\b"
_PART = r"(?:de|la|le|les|des|del|van|von|am|an|im|der|di|du|da|do|dos|das|nad|pod|sur|upon|on|en|y|nan)"
# A locality line: place words with an optional ZIP; a ZIP line (not a number line); or "nan", which is how
# Faker-made records (presidio-research style) write a missing state, with the ZIP after it.
_PLACE_WORDS = rf"{_CAP}(?:[ \t]+(?:{_CAP}|{_PART}))*"
# ZIP first ("SW1A 1AA" is not a place word), then its town on the same line ("75002 Paris", "80-831 Gdańsk").
_SEG = rf"(?:{_ZIP}(?:[ \t]+{_PLACE_WORDS})?(?![ \t]*\d)|{_PLACE_WORDS}(?:[ \t]+{_ZIP})?|nan\b(?:[ \t]+{_ZIP})?)"
_TAIL = rf"(?:(?:[ \t]*\n[ \t>]*,?[ \t]*|[ \t]*,[ \t]*(?:\n[ \t>]*)?){_SEG}){{0,4}}"


class StreetAddressFinder(PatternFinder):
    """Street line (English suffixes, European street words, military, P.O. boxes) plus unit and locality lines;
    the shape-only form "number word number" needs an address word nearby or to start a line."""

    ENTITY = ADDRESS
    STRONG = re.compile(rf"(?<![\w-])(?:{_STREET}|{_MILITARY}){_UNIT}(?-i:{_TAIL})", re.I)
    # A leading unit ("Suite 541 6343 Skogstien 106") is address evidence like a context word.
    WEAK = re.compile(rf"(?<![\w-])(?P<unit>{_LEAD_UNIT}){_GENERIC}{_UNIT}(?-i:{_TAIL})", re.I)
    BARE = re.compile(_GENERIC, re.I)
    CONTEXT = re.compile(
        r"address|\blives?\b|living|located|\bis at\b|\bat:?\s*$|sent to|send (?:it|them|this)? ?to|ship|deliver"
        r"|moved|\breside|\bmeet|office|drops? you|mail(?:ed)? to|billing|residence|home is|\bto:?\s*$",
        re.I | re.M,
    )
    LINE_START = re.compile(r"(?:^|\n)[ \t>]*$")

    def find(self, text: str) -> Iterator[tuple[int, int, float]]:
        for m in self.STRONG.finditer(text):
            yield m.start(), m.end(), 0.8
        for m in self.WEAK.finditer(text):
            line_start = self.LINE_START.search(text, max(0, m.start() - 8), m.start()) is not None
            # At a line start, "number word number" alone could be anything; with a unit or locality after it
            # ("213 Pilekrogen 53 Apt. 263, Grand-Leez") it is an address line.
            bare = self.BARE.match(text, m.end("unit"))
            longer = bare is not None and m.end() - bare.end() > 3
            cued = m.group("unit") or _context(text, m.start(), self.CONTEXT, window=60)
            if cued or (line_start and ("\n" in m.group() or longer)):
                yield m.start(), m.end(), 0.75
