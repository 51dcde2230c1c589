"""Pure sentiment logic: scales, irate rule, key phrases."""

from __future__ import annotations

import math

import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from services.sentiment.domain import (
    CS_LEVELS,
    IrateRule,
    build_analysis,
    cs_level,
    key_phrases,
    keyword_hit,
    sanitize,
    satisfaction,
)

VADER = SentimentIntensityAnalyzer()


@pytest.mark.parametrize(("score", "expected"), [(-1.0, 1), (-0.5, 3), (0.0, 5), (0.5, 7), (0.89, 9), (1.0, 10)])
def test_satisfaction_maps_score_onto_one_to_ten(score: float, expected: int) -> None:
    assert satisfaction(score) == expected


def test_cs_level_follows_label_and_intensity() -> None:
    assert cs_level("positive", 0.9, irate=False) == "HAPPY"
    assert cs_level("positive", 0.3, irate=False) == "SATISFIED"
    assert cs_level("neutral", 0.3, irate=False) == "NEUTRAL"
    assert cs_level("negative", -0.3, irate=False) == "FRUSTRATED"
    assert cs_level("negative", -0.7, irate=False) == "ANGRY"
    assert cs_level("negative", -0.7, irate=True) == "IRATE"
    assert set(CS_LEVELS) == {"HAPPY", "SATISFIED", "NEUTRAL", "FRUSTRATED", "ANGRY", "IRATE"}


def test_irate_by_threshold_and_by_whole_word_keyword() -> None:
    calm = build_analysis((0.5, 0.4, 0.1), "the parcel is late", IrateRule(), VADER)
    assert not calm.irate and calm.cs_level == "FRUSTRATED"
    furious = build_analysis((0.9, 0.05, 0.05), "the parcel is late", IrateRule(), VADER)
    assert furious.irate and furious.cs_level == "IRATE"
    keyword = build_analysis((0.4, 0.5, 0.1), "This is UNACCEPTABLE.", IrateRule(), VADER)
    assert keyword.irate and keyword.cs_level == "IRATE"
    assert not keyword_hit("a danger to the public", ("anger",))  # whole words only
    assert not build_analysis((0.9, 0.05, 0.05), "late", IrateRule(threshold=-0.95, keywords=()), VADER).irate


def test_irate_rule_from_seed_detection_threshold() -> None:
    rule = IrateRule.from_detection_threshold(0.7, [" Angry ", "furious", ""])
    assert rule.threshold == pytest.approx(-0.7)
    assert rule.keywords == ("angry", "furious")


def test_analysis_normalizes_probabilities_and_survives_garbage() -> None:
    a = build_analysis((2.0, 1.0, 1.0), "x", IrateRule(), VADER)
    assert math.isclose(a.negative + a.neutral + a.positive, 1.0) and a.label == "negative"
    assert a.score == pytest.approx(-0.25)
    broken = build_analysis((math.nan, 0.0, 0.0), "x", IrateRule(), VADER)
    assert broken.label == "neutral" and broken.neutral == 1.0


def test_key_phrases_come_from_the_text() -> None:
    text = "The agent was wonderful and very helpful, but the refund took forever and the app is terrible."
    positives, negatives = key_phrases(text, VADER)
    assert positives and negatives
    for phrase in positives + negatives:
        assert phrase in text
    assert any("terrible" in p for p in negatives)
    assert any("wonderful" in p or "helpful" in p for p in positives)


def test_sanitize_removes_what_breaks_tokenizers() -> None:
    assert sanitize("a\x00b\ud800  c\n") == "a b? c"
