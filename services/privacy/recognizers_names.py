"""Person-name recognizer: takes text and spaCy's entities, produces PERSON results (NER, naming cues, dialogue
speakers, letter and address blocks, listed given names), none in a firm's position."""

from __future__ import annotations

import re
from collections.abc import Iterator

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from services.privacy import recognizers_places as rpl
from services.privacy.gazetteer import PLACES
from services.privacy.names import FIRST_NAMES, LAST_NAMES, all_common, is_common, is_compound, recase

PERSON = "PERSON"
_NAME_WORD = r"(?=[A-ZÀ-ÖØ-ÞĀ-Ž])[^\W\d_]+(?:[-'’][^\W\d_]+)*"
_PARTICLE = r"(?:van|von|de|der|den|da|di|del|della|du|la|le|bin|ibn|al|el|ter|ten|dos|das|y)"
_INITIAL = r"[A-Z]\.?(?=[ \t]+[A-Z])"
_NAME = rf"{_NAME_WORD}(?:[ \t]+(?:{_PARTICLE}[ \t]+){{0,2}}(?:{_NAME_WORD}|{_INITIAL}))" + "{0,3}"
# Cues after which one capitalised word is already a name ("Dear Anna", "called Luís", "Mr. Kim") ...
_STRONG_CUE = (
    r"(?:\b(?:[Mm]y name is|[Nn]ame is|[Nn]ame|I am|I'm|[Tt]his is|[Cc]all me|[Dd]ear|[Hh]i|[Hh]ello|[Hh]ey"
    r"|[Tt]hanks|[Tt]hank you|[Rr]egards|[Ss]incerely|[Cc]heers|Mr|Mrs|Ms|Miss|Mx|Dr|Prof|[Ss]igned"
    r"|[Ss]peak (?:to|with)"
    r"|[Aa]sk for|[Cc]alled|[Nn]amed|[Ss]aid|[Ss]ays|[Ss]houted at|[Aa]ssistant to|[Mm]aiden name is|[Ll]ast name is"
    r"|[Ff]irst name is|[Mm]eet|[Ss]ir|[Mm]adam|[Pp]lease (?:call|text|tell|ask|email|remind)|[Cc]all|[Tt]ext"
    r"|[Rr]emind|[Nn]amed (?:him|her|them)|(?:mrs?|ms|dr|prof)(?=\.))\b[ \t,:.?]*)"
)
# ... and after which only a full name (two words or more) is taken ("change it to Sofia Lima").
_WEAK_CUE = (
    r"(?:\b(?:to|with|and|by|By|under|add|contact|[Cc]ustomer|agent|[Aa]gent|mother|father|wife|husband|son"
    r"|daughter|brother|sister|partner|friend|colleague|technician|engineer|manager|neighbou?r|boss|driver)[ \t:,]+)"
)
_TITLE = r"(?:(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof)\.?[ \t]+)?"  # a title after a cue word ("ask for Dr. Kim")
_FULL_NAME = rf"{_NAME_WORD}(?:[ \t]+(?:{_PARTICLE}[ \t]+){{0,2}}(?:{_NAME_WORD}|{_INITIAL})){{1,3}}"
_STOP_WORDS = """
I The A An This That My Your Our We You He She They It Team Support Sir Madam All Everyone There
Here Thanks Thank Please Yes No Ok Okay Hi Hello Hey Dear Customer Service Bank Account Card Mr Mrs
Ms Dr Prof Miss Mx Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June
July August September October November December Name Phone Mobile Fax Email E-mail Website Address
Date Time Subject From To Cc Re Note Notes Answer Question Title Company Personal Info User Bot
Agent Q Summary Description Status Price Total Directed By Starring Warning Error Update Important
Reminder Example Inc Ltd LLC Corp Corporation Group Company Co Bank Street Avenue Road University
Hospital And Of New North South East West Mount Port Saint St Lake City County State Republic United
Kingdom When Where Who What Why How Which Weekly TV Club Country Associates Investments Solutions
Capital Technologies Global Insurance Incorporated Agency Systems Services Partners Holdings Labs
Media Studio Studios Records Foundation Institute Society Association Museum Hotel Restaurant Cafe
Airport Station Suite Apt Apartment Unit Desk Office Cell Tel
"""
# Words that end a firm's name, not a person's ("Norrland Mutual", "Brightwater Logistics"): spaCy's small model
# calls many made-up firm names persons.
_FIRM_WORDS = """
Logistics Mutual Analytics Consulting Consultants Freight Foods Brokerage Realty Motors Airlines Airways
    Energy Financial Ventures Enterprises Industries Networks Dynamics Electronics Manufacturing Construction
    Healthcare Communications Supply Supplies Trust Bancorp Pharmaceuticals Pharma Logistik Shipping Transport
    Ltd LLC Inc Corp Corporation Group Company Partners Holdings Associates Investments Solutions Capital
    Technologies Insurance Systems Services Labs Media Studios Foundation"""
_FIRM_TAIL = frozenset(_FIRM_WORDS.split())
# Brands and services customers name in passing ("my Netflix bill"): one capitalised word, never a person.
_BRANDS = frozenset(
    str.split(
        """Netflix Spotify Verizon Comcast Xfinity Gmail Hotmail Outlook Skype Paypal PayPal Venmo Zelle Uber Lyft
    Airbnb Whatsapp WhatsApp Instagram Twitter Tiktok TikTok Samsung Huawei Xiaomi Nokia Motorola Lenovo Toshiba
    Sony Nintendo Xbox Playstation PlayStation Android Windows Yahoo Bing Safari Firefox Zoom Slack Dropbox
    Shopify Stripe Visa Mastercard Amex Fedex FedEx Walmart Costco Ikea Tesla Toyota Honda Nissan Hyundai Kia
    Volkswagen Audi Peugeot Renault Fiat Vodafone Telekom Klarna Revolut Monzo Etsy Ebay eBay Alexa Siri Kindle
    Roku Hulu Disney Reddit Linkedin LinkedIn Facebook Youtube YouTube Google Amazon Apple Microsoft Maestro
    Discover Diners MoneyGram Moneygram Transferwise Coinbase Binance"""
    )
)
_BRAND_PHRASES = frozenset(["American Express", "Apple Pay", "Google Pay", "Samsung Pay", "Western Union"])
_STOP = frozenset(_STOP_WORDS.split()) | _FIRM_TAIL | frozenset(["I'm", "I've", "I'd", "I'll", "I’m", "I’ve"])
# Given names of Faker's locales (see names/build.py for provenance and the words left out).
_FIRST_NAMES = FIRST_NAMES
# A listed given name followed by capitalised words (a full name), or alone before a verb that people do.
_LISTED = re.compile(rf"(?<![\w-])({_NAME_WORD})((?:[ \t]+(?:{_INITIAL}|{_NAME_WORD})){{0,2}})")
_PERSON_VERB = re.compile(
    r"[ \t]+(?:(?:just|also|really|never|always|still|then|finally|only|even)[ \t]+)?"
    r"(?:is|was|has|had|will|would|said|says|told|asked|shouted|spent|lives|lived|works|worked|called"
    r"|wrote|sent|and|who|from|can|could|did|does)\b|'s\b|’s\b"
)
# After ", " a listed given name alone called out at a sentence end ("Don't go to town, Mirela!").
_CALLED_OUT = re.compile(r"[ \t]*[!?]")
# Before a listed given name alone: words that take a person ("forward this to Jessica", "add Jessica").
_SINGLE_CUE = re.compile(
    r"\b(?:to|with|add|for|by|help|tell|ask|thank|meet|met|forward|and|from|belongs to)[ \t]+(?:[Mm]y[ \t]+)?$"
)
# For a word no list holds (a given name from elsewhere: "Asya", "Darijo"), only the contexts that take a person
# alone: an adverb before the verb ("but Asya just has to"), a verb of speech, writing or living.
_STRICT_VERB = re.compile(
    r"[ \t]+(?:(?:just|also|really|never|always|still|then|finally|only|even)[ \t]+(?:is|was|has|had|will|would|can"
    r"|could|did|does|wants|needs|[a-z]+ed)|said|says|told|asked|shouted|wrote|lives|lived|works|worked|wants"
    r"|wanted)\b"
)
_PLACE_WORDS = frozenset(w for place in PLACES for w in place.split())
# A name after "name is" stays one even when it is also a word ("My name is Quarto").
_NAME_IS = re.compile(r"\b[Nn]ame is[ \t]+$")
_ORG_LIKE = frozenset(["ORG", "GPE", "LOC", "FAC", "NORP", "PRODUCT", "WORK_OF_ART"])
_SHAPE = re.compile(rf"{_FULL_NAME}")


class NameFinder(EntityRecognizer):
    """PERSON from spaCy's NER; capitalised names after naming cues, as dialogue speakers ("Anna: ...") or as
    the first line of a letter block; name-shaped ORG/GPE entities (spaCy's small model often mislabels)."""

    CUED = re.compile(rf"{_STRONG_CUE}{_TITLE}({_NAME})|{_WEAK_CUE}{_TITLE}({_FULL_NAME})")
    SPEAKER = re.compile(rf"(?m)^[ \t>]*({_NAME})[ \t]*:[ \t]*(?=\S)")
    FIRST_LINE = re.compile(rf"\A[ \t>]*({_FULL_NAME})[ \t]*\n\s*\S")
    # A full name on its own line just above a street line ("Send it to:\nAda Lind\n12 Elm St").
    ABOVE_ADDRESS = re.compile(rf"(?m)^[ \t>]*({_FULL_NAME})[ \t]*\n[ \t>]*\d")
    # One capitalised word owning something only a person has ("Kalani's phone number").
    POSSESSOR = re.compile(
        rf"(?<![\w-])({_NAME_WORD})['’]s[ \t]+(?:new[ \t]+|old[ \t]+|current[ \t]+)?(?:phone|mobile|cell|number"
        r"|e-?mail|address|ssn|social|licen[cs]e|driver|passport|birthday|date of birth|card|account|iban"
        r"|wife|husband|mother|father|son|daughter|sister|brother|maiden)\b"
    )
    # A message that opens by addressing someone: "Danial, can I please speak to your boss?"
    # A sentence that opens with one name and a verb only people do ("Glyceria called about the bill").
    SUBJECT = re.compile(
        rf"(?:\A|[.!?][ \t]+|\n)[ \t]*({_NAME_WORD})(?=[ \t]+(?:called|wants|wanted|lives|lived|said|says|told|asked"
        r"|wrote|is a (?:good |close |old )?friend|and I\b|(?:is|was) (?:originally )?from|(?:is|was) born\b))"
    )
    VOCATIVE = re.compile(
        rf"\A[ \t]*({_NAME_WORD}),[ \t]+(?=(?:can|could|would|will|please|I|we|do|did|are|is|have|thank|thanks)\b)"
    )

    def __init__(self) -> None:
        super().__init__(supported_entities=[PERSON], name="NameFinder")

    def load(self) -> None:
        """The spaCy model is owned by the NLP engine; the patterns are compiled at class definition."""

    def analyze(self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts) -> list[RecognizerResult]:
        if entities and PERSON not in entities:
            return []
        doc = getattr(nlp_artifacts, "tokens", None)
        other = tuple(
            (e.start_char, e.end_char) for e in (doc.ents if doc is not None else []) if e.label_ in _NOT_NAME
        )
        found = [*self._from_ner(text, nlp_artifacts), *self._from_rules(text), *self._from_list(text, other)]
        # Not a span made only of English words that no name list holds ("Awarded Salesperson of the Month",
        # "see Guilty Pleasures"): spaCy's small model calls many capitalised titles and jobs persons.
        return [
            RecognizerResult(PERSON, s, e, score)
            for s, e, score in found
            if not rpl.firm_at(text, s, e)
            and (not all_common(text[s:e]) or _NAME_IS.search(text, max(0, s - 12), s))
            and text[s:e].split()[0] not in _BRANDS
            and text[s:e] not in _BRAND_PHRASES
        ]

    def _from_ner(self, text: str, nlp_artifacts: NlpArtifacts | None) -> Iterator[tuple[int, int, float]]:
        doc = getattr(nlp_artifacts, "tokens", None)
        for ent in doc.ents if doc is not None else []:
            if any(ch.isdigit() or ch == "@" for ch in ent.text):
                continue
            start, end = ent.start_char, ent.end_char
            # The small model lets entities run across line breaks (letter blocks): keep the first line.
            newline = text.find("\n", start, end)
            end = newline if newline > start else end
            end = len(text[start:end].rstrip(" \t>,")) + start
            if text[end - 2 : end] in ("'s", "’s"):
                end -= 2
            words = [w.strip(".,:") for w in text[start:end].split()]
            if ent.label_ == PERSON and words and words[-1] not in _FIRM_TAIL and not all(w in _STOP for w in words):
                yield start, end, 0.85  # (not a field header such as "Email:" that spaCy calls a person)
            elif ent.label_ in _ORG_LIKE and _SHAPE.fullmatch(text, start, end) and _clean(text[start:end]):
                yield start, end, 0.55

    def _from_rules(self, text: str) -> Iterator[tuple[int, int, float]]:
        for pattern in (
            self.CUED,
            self.SPEAKER,
            self.FIRST_LINE,
            self.VOCATIVE,
            self.ABOVE_ADDRESS,
            self.POSSESSOR,
            self.SUBJECT,
        ):
            for m in pattern.finditer(text):
                group = 1 if m.group(1) is not None else 2
                words = list(re.finditer(r"\S+", m.group(group)))
                if words and words[-1].group() in _FIRM_TAIL:
                    continue  # a firm's name ("Norrland Mutual" above an address), not a person minus a word
                while words and words[-1].group() in _STOP:
                    words.pop()
                if words and _clean(m.group(group)[: words[-1].end()]):
                    yield m.start(group), m.start(group) + words[-1].end(), 0.7

    @staticmethod
    def _from_list(text: str, other: tuple[tuple[int, int], ...] = ()) -> Iterator[tuple[int, int, float]]:
        """Names that start with a listed given name: "Ulrike Iwasaki", or "Enrico" alone before "shouted"; in an
        all-lowercase text, the same on a recased copy ("eva kleist")."""
        text = recase(text)
        for m in _LISTED.finditer(text):
            if m.group(1)[-2:] in ("'s", "’s") and m.group(1)[:-2] in _FIRST_NAMES:
                yield m.start(), m.end(1) - 2, 0.7  # "Yusuf's": the name word took the possessive with it
                continue
            if m.group(1) in _STOP:
                continue
            words = list(re.finditer(r"\S+", m.group()))
            while len(words) > 1 and words[-1].group().strip(".") in _STOP:
                words.pop()
            end = m.start() + words[-1].end()
            core = end - 2 if text[end - 2 : end] in ("'s", "’s") else end  # "Quolani's": the name without 's
            if len(words) == 1 and _loose_single(text, m.start(), core) and not _inside(other, m.start(), core):
                yield m.start(), core, 0.55 if text[m.start() : core] in _FIRST_NAMES | LAST_NAMES else 0.5
            if m.group(1) not in _FIRST_NAMES:
                yield from _unlisted(text, m.start(), [w.group() for w in words], end)
            elif len(words) > 1 and _clean(text[m.start() : end]):
                yield m.start(), end, 0.75
            elif len(words) == 1 and _single_name_context(text, m.start(), end):
                yield m.start(), end, 0.6


def _unlisted(text: str, start: int, words: list[str], end: int) -> Iterator[tuple[int, int, float]]:
    """A name that opens with a word no given-name list holds: a full name ending in a listed surname ("Ubul
    Csonka"), or one unknown word where only a person fits (before "just has", "said"; called out: ", Asya!")."""
    if is_common(words[0]) or words[0] in _PLACE_WORDS or len(words[0]) < 3 or words[0].isupper():
        return
    if len(words) == 1 and words[0] not in LAST_NAMES and (is_compound(words[0]) or words[0] in _BRANDS):
        return
    if len(words) > 1:
        if (
            words[-1] in LAST_NAMES
            and not any(is_common(w) or w in _PLACE_WORDS for w in words[1:])
            and _clean(text[start:end])
        ):
            yield start, end, 0.7
    elif _STRICT_VERB.match(text, end) or _called_out(text, start, end):
        yield start, end, 0.65  # above the weakest place guess ("and X"): the verb is one a person does


# spaCy labels under which a lone capitalised word is no name ("great Peruvian food", "a Kestrel product").
_NOT_NAME = frozenset(["NORP", "LANGUAGE"])


def _inside(spans: tuple[tuple[int, int], ...], start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in spans)


_MID = re.compile(r"[^\W\d_,;)\]][ \t]+$|[,;][ \t]+$")
_NOT_BEFORE = re.compile(r"\b(?:the|a|an|this|that|my|your|our|of|on|at|in|into|via|from)[ \t]+$", re.I)


def _loose_single(text: str, start: int, end: int) -> bool:
    """One capitalised word inside a sentence that is no English word, place or header: most often a name."""
    word = text[start:end]
    if re.search(r"['’](?:m|ve|d|ll|re|t|s)$", word, re.I):
        return False  # a contraction ("I've", "Don't")
    if is_common(word) or word in _PLACE_WORDS or word in _STOP or len(word) < 3 or not word[1:].islower():
        return False
    if word not in _FIRST_NAMES and word not in LAST_NAMES and (is_compound(word) or word in _BRANDS):
        return False
    after = text[end : end + 2]
    if re.match(r"[ \t]+[A-Z]", text[end : end + 3]):
        return False  # a word of a longer name ("Norrland Mutual"): the full-name rules decide
    if after[:1].isdigit() or after[1:2].isdigit() or (after[:1] in "@.-_/" and after[1:2].isalnum()):
        return False
    return bool(_MID.search(text, max(0, start - 4), start)) and not _NOT_BEFORE.search(text, max(0, start - 8), start)


def _single_name_context(text: str, start: int, end: int) -> bool:
    """Where a listed given name alone is a person: before a verb people do, after a word that takes a person,
    or called out."""
    return bool(
        _PERSON_VERB.match(text, end)
        or _STRICT_VERB.match(text, end)
        or _SINGLE_CUE.search(text, 0, start)
        or _called_out(text, start, end)
    )


def _called_out(text: str, start: int, end: int) -> bool:
    """A name alone after ", " before "!" or "?" ("Don't go to town, Mirela!")."""
    return text[max(0, start - 2) : start] == ", " and bool(_CALLED_OUT.match(text, end))


def is_stop_word(word: str) -> bool:
    """A capitalised word that is not a name (pronoun, title, weekday, header, firm or place word)."""
    return word.strip(".,:") in _STOP


def _clean(name: str) -> bool:
    """A candidate name with no stop word in it (titles, weekdays, field headers, org/place words)."""
    return not any(w.strip(".,") in _STOP for w in name.split())
