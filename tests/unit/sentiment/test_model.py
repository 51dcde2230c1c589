"""The packaged model end to end: real artifacts, real VADER, no mocks."""

from __future__ import annotations

import math

import numpy as np
import pytest

from services.sentiment.domain import CS_LEVELS, IrateRule, SentimentAnalysis
from services.sentiment.model import FALLBACK_ID, FINETUNED_ID, SentimentModel

ODD_INPUTS = [
    "",
    "   ",
    "😡😡😡",
    "👍",
    "THIS IS THE WORST SERVICE I HAVE EVER HAD!!!",
    "Das Paket ist nicht angekommen, muy mal servicio, 服务太差了",
    "a\x00b",
    "refund " * 2000,
    "<script>alert(1)</script>",
]


def assert_valid(a: SentimentAnalysis) -> None:
    assert a.label in ("positive", "negative", "neutral")
    probs = (a.positive, a.negative, a.neutral)
    assert all(0.0 <= p <= 1.0 for p in probs) and math.isclose(sum(probs), 1.0, abs_tol=1e-6)
    assert a.label == ("positive", "negative", "neutral")[int(np.argmax(probs))]
    assert -1.0 <= a.score <= 1.0 and 1 <= a.satisfaction_score <= 10
    assert a.cs_level in CS_LEVELS


@pytest.mark.parametrize("which", ["model", "fallback_model"])
def test_clear_cases_and_odd_inputs(which: str, request: pytest.FixtureRequest) -> None:
    model: SentimentModel = request.getfixturevalue(which)
    texts = [
        "Thank you so much, the support team resolved my issue quickly. Great service!",
        "I've been trying to contact support for days with no response! This is a disgrace.",
        *ODD_INPUTS,
    ]
    results = model.analyze(texts)
    assert len(results) == len(texts)
    for a in results:
        assert_valid(a)
    happy, angry = results[0], results[1]
    assert happy.label == "positive" and happy.cs_level in ("HAPPY", "SATISFIED") and happy.satisfaction_score >= 7
    assert angry.label == "negative" and angry.cs_level in ("FRUSTRATED", "ANGRY", "IRATE")
    assert results[6].label != "positive"  # all caps
    if which == "model":
        assert results[6].label == "negative"
    assert model.model_id == (FINETUNED_ID if which == "model" else FALLBACK_ID)


def test_batch_equals_one_by_one(model: SentimentModel) -> None:
    texts = ["great, thanks", "my card never arrived and nobody answers", "what time do you open?"]
    batch = model.analyze(texts)
    for text, a in zip(texts, batch, strict=True):
        (single,) = model.analyze([text])
        assert single.label == a.label
        assert single.positive == pytest.approx(a.positive, abs=0.02)  # int8 activations: per-batch ranges


def test_per_company_irate_rule(model: SentimentModel) -> None:
    text = "I am furious, you charged me twice"
    assert model.analyze([text])[0].irate  # default keywords include "furious"
    lenient = IrateRule(threshold=-1.0, keywords=("lawyer",))
    assert not model.analyze([text], lenient)[0].irate
    assert model.analyze(["I will call my lawyer"], lenient)[0].irate


def test_empty_batch(model: SentimentModel) -> None:
    assert model.analyze([]) == []


def test_intent_probabilities(model: SentimentModel) -> None:
    probs = model.intent_probabilities(["My new card still hasn't arrived", "😀"])
    assert probs.shape == (2, 77) and np.allclose(probs.sum(axis=1), 1.0)
    assert model.intent_labels[int(probs[0].argmax())] == "card_arrival"
