"""Pure sentiment logic: 3-class probabilities (+ VADER) in, the full analysis (score, CS level, phrases, irate) out."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

SentimentLabel = Literal["positive", "negative", "neutral"]
CsLevel = Literal["HAPPY", "SATISFIED", "NEUTRAL", "FRUSTRATED", "ANGRY", "IRATE"]
CS_LEVELS: tuple[CsLevel, ...] = ("HAPPY", "SATISFIED", "NEUTRAL", "FRUSTRATED", "ANGRY", "IRATE")
DEFAULT_IRATE_KEYWORDS = ("angry", "furious", "unacceptable")  # seed 002 irateProtocol.triggerKeywords

HAPPY_AT = 0.6  # positive label and score at or above → HAPPY, else SATISFIED
ANGRY_AT = -0.5  # negative label and score at or below → ANGRY, else FRUSTRATED
PHRASE_POLARITY = 0.3  # |VADER compound| a chunk needs to count as a key positive/negative
MAX_PHRASES = 5
MAX_PHRASE_WORDS = 6


@dataclass(frozen=True)
class SentimentAnalysis:
    label: SentimentLabel
    positive: float
    negative: float
    neutral: float
    score: float  # −1 (most negative) .. 1 (most positive): positive − negative
    cs_level: CsLevel
    satisfaction_score: int  # 1..10
    key_positives: list[str]
    key_negatives: list[str]
    irate: bool


@dataclass(frozen=True)
class IrateRule:
    """Per-company irate protocol: score at or below `threshold`, or any keyword (whole word), means irate."""

    threshold: float = -0.8
    keywords: tuple[str, ...] = DEFAULT_IRATE_KEYWORDS

    @classmethod
    def from_detection_threshold(cls, detection_threshold: float, keywords: Sequence[str]) -> IrateRule:
        """Seed 002 `irateProtocol.detectionThreshold` is a 0..1 negativity level: 0.7 means score ≤ −0.7."""
        level = min(1.0, max(0.0, float(detection_threshold)))
        return cls(threshold=-level, keywords=tuple(k.strip().lower() for k in keywords if k.strip()))


class PolarityScorer(Protocol):
    """VADER's SentimentIntensityAnalyzer shape: text → {'neg', 'neu', 'pos', 'compound'}."""

    def polarity_scores(self, text: str) -> dict[str, float]: ...


def sanitize(text: str) -> str:
    """Text every model can take: no NULs or lone surrogates (they break tokenizers), collapsed whitespace."""
    text = text.encode("utf-8", "replace").decode("utf-8", "replace").replace("\x00", " ")
    return " ".join(text.split())


def keyword_hit(text: str, keywords: Sequence[str]) -> bool:
    lowered = text.lower()
    return any(re.search(rf"(?<!\w){re.escape(k.lower())}(?!\w)", lowered) for k in keywords if k)


def satisfaction(score: float) -> int:
    """Maps −1..1 linearly onto 1..10 (floor, so 10 needs a near-perfect score)."""
    return int(min(10, max(1, math.floor(1 + 4.5 * (score + 1)))))


def cs_level(label: SentimentLabel, score: float, irate: bool) -> CsLevel:
    """The six-level scale follows the label so the two never disagree; intensity picks the step inside it."""
    if irate:
        return "IRATE"
    if label == "positive":
        return "HAPPY" if score >= HAPPY_AT else "SATISFIED"
    if label == "negative":
        return "ANGRY" if score <= ANGRY_AT else "FRUSTRATED"
    return "NEUTRAL"


_CHUNK_SPLIT = re.compile(r"[.!?;,:\n()\[\]]+|\s+(?:but|and|although|though|however|because|while|yet|so)\s+", re.I)
_LEADING_FILLER = {
    "i", "i'm", "im", "we", "we're", "you", "you're", "it", "it's", "this", "that", "the", "a", "an", "my", "our",
    "your", "is", "was", "am", "are", "has", "have", "had", "been", "just", "really", "also", "then", "well", "oh",
}  # fmt: skip
_WORD = re.compile(r"[\w'’-]+", re.UNICODE)


def _trim(chunk: str) -> str:
    words = chunk.split()
    while words and words[0].lower().strip("'’") in _LEADING_FILLER:
        words.pop(0)
    return " ".join(words[:MAX_PHRASE_WORDS]).strip(" -\"'")


def key_phrases(text: str, vader: PolarityScorer) -> tuple[list[str], list[str]]:
    """Chunks of the text (split at punctuation and conjunctions) that VADER finds clearly positive or negative."""
    positives: list[tuple[float, str]] = []
    negatives: list[tuple[float, str]] = []
    for chunk in _CHUNK_SPLIT.split(text):
        if not chunk or not _WORD.search(chunk):
            continue
        compound = vader.polarity_scores(chunk)["compound"]
        phrase = _trim(chunk)
        if not phrase:
            continue
        if compound >= PHRASE_POLARITY:
            positives.append((compound, phrase))
        elif compound <= -PHRASE_POLARITY:
            negatives.append((-compound, phrase))
    return _top(positives), _top(negatives)


def _top(scored: list[tuple[float, str]]) -> list[str]:
    seen: list[str] = []
    for _, phrase in sorted(scored, key=lambda item: -item[0]):
        if phrase.lower() not in (s.lower() for s in seen):
            seen.append(phrase)
    return seen[:MAX_PHRASES]


def build_analysis(
    probabilities: Sequence[float],
    text: str,
    rule: IrateRule,
    vader: PolarityScorer,
    phrases: tuple[list[str], list[str]] | None = None,
) -> SentimentAnalysis:
    """probabilities are (negative, neutral, positive) summing to 1; the rest is derived from them and the text.

    `phrases`: key_phrases(text, vader) when the caller already computed them (the batch path does, off the model's
    critical path)."""
    negative, neutral, positive = (max(0.0, float(p)) for p in probabilities)
    total = negative + neutral + positive
    if not math.isfinite(total) or total <= 0:
        negative, neutral, positive, total = 0.0, 1.0, 0.0, 1.0
    negative, neutral, positive = negative / total, neutral / total, positive / total
    label: SentimentLabel = ("negative", "neutral", "positive")[
        max(range(3), key=lambda i: (negative, neutral, positive)[i])
    ]
    score = max(-1.0, min(1.0, positive - negative))
    irate = score <= rule.threshold or keyword_hit(text, rule.keywords)
    key_positives, key_negatives = phrases if phrases is not None else key_phrases(text, vader)
    return SentimentAnalysis(
        label=label,
        positive=positive,
        negative=negative,
        neutral=neutral,
        score=score,
        cs_level=cs_level(label, score, irate),
        satisfaction_score=satisfaction(score),
        key_positives=key_positives,
        key_negatives=key_negatives,
        irate=irate,
    )
