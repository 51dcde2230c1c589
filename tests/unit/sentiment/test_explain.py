"""Shapley attributions: exactness on known games, and real explanations of the packaged model."""

from __future__ import annotations

import numpy as np
import pytest

from libs.errors import NotFound
from libs.shapley import exact_shapley, sampled_shapley
from services.sentiment.explain import (
    INTENT_MODEL,
    SENTIMENT_MODEL,
    Explainer,
    render_html,
)
from services.sentiment.model import SentimentModel


def test_exact_shapley_on_known_games() -> None:
    weights = np.array([0.5, -0.2, 0.1])
    assert np.allclose(exact_shapley(lambda m: m @ weights, 3), weights)  # additive: Shapley = own weight
    # Pure interaction of features 0 and 1 (value 1 only when both present) splits evenly; 2 is a dummy.
    assert np.allclose(exact_shapley(lambda m: (m[:, 0] & m[:, 1]).astype(float), 3), [0.5, 0.5, 0.0])


def test_sampled_shapley_is_efficient_and_close() -> None:
    rng = np.random.default_rng(1)
    weights = rng.normal(size=12)

    def game(m: np.ndarray) -> np.ndarray:
        return m @ weights + 0.3 * (m[:, 0] & m[:, 1])

    phi = sampled_shapley(game, 12, evals=600)
    assert phi.sum() == pytest.approx(weights.sum() + 0.3)
    assert np.allclose(phi[2:], weights[2:])


@pytest.fixture(scope="module")
def explainer(model: SentimentModel) -> Explainer:
    return Explainer(model=lambda: model)


def test_sentiment_explanation_points_at_the_sentiment_words(explainer: Explainer) -> None:
    text = "The delivery was terrible and slow"
    e = explainer.explain(SENTIMENT_MODEL, text)
    assert e.prediction_label == "negative" and e.exact
    top_words = [w for w, _ in e.feature_importance[:2]]
    assert "terrible" in top_words
    # Efficiency holds up to int8 activations being quantized per batch (coalitions run in other batches).
    assert sum(p for _, p in e.feature_importance) == pytest.approx(e.confidence - e.base_value, abs=0.03)


def test_long_text_uses_sampling_and_stays_efficient(explainer: Explainer) -> None:
    text = "I love the new app, the transfers are quick and the support people were kind and patient with me"
    e = explainer.explain("sentiment", text)
    assert not e.exact and e.prediction_label == "positive"
    # Efficiency holds up to int8 activations being quantized per batch (coalitions run in other batches).
    assert sum(p for _, p in e.feature_importance) == pytest.approx(e.confidence - e.base_value, abs=0.03)


def test_intent_model_and_odd_inputs(explainer: Explainer) -> None:
    e = explainer.explain(INTENT_MODEL, "my card has not arrived")
    assert e.prediction_label == "card_arrival"
    for text in ["", "😡😡", "ÇA NE MARCHE PAS"]:
        assert explainer.explain(SENTIMENT_MODEL, text).prediction_label in ("negative", "neutral", "positive")


def test_unknown_model_and_registered_model(explainer: Explainer) -> None:
    with pytest.raises(NotFound):
        explainer.explain("financial-sentiment-prod", "hi")
    explainer.register("financial-sentiment-prod", lambda texts: np.array([[0.2, 0.8]] * len(texts)), ["neg", "pos"])
    assert "financial-sentiment-prod" in explainer.names()
    assert explainer.explain("financial-sentiment-prod", "hi there").prediction_label == "pos"


def test_render_html_escapes_and_highlights(explainer: Explainer) -> None:
    text = "<script>alert(1)</script> awful"
    page = render_html(text, explainer.explain(SENTIMENT_MODEL, text))
    assert "<script>" not in page and "&lt;" in page and "alert" in page
    assert page.count('class="tok"') >= 2 and page.startswith("<!DOCTYPE html>")
