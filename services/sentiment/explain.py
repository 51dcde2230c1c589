"""Explanations of a deployed model's prediction: model name + text in, Shapley token importances (libs.shapley)
and HTML out.
"""

from __future__ import annotations

import html
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from libs.errors import Invalid, NotFound
from libs.shapley import Predict, attribute
from services.sentiment.domain import sanitize
from services.sentiment.model import SentimentModel, shared_sentiment_model

SENTIMENT_MODEL = "switchboard-sentiment"
INTENT_MODEL = "switchboard-intent-banking77"
ALIASES = {"default": SENTIMENT_MODEL, "sentiment": SENTIMENT_MODEL, "intent": INTENT_MODEL}
METHOD = "shap"
MAX_CHARS = 2000


@dataclass(frozen=True)
class Explanation:
    model_name: str
    prediction_label: str
    confidence: float
    feature_importance: list[tuple[str, float]]  # best first by |importance|; positive = pushes toward the label
    spans: list[tuple[int, int, float]]  # (start, end, importance) in text order, for rendering
    base_value: float  # the label's probability for an empty text
    method: str = METHOD
    exact: bool = True


@dataclass(frozen=True)
class ExplainableModel:
    predict: Predict
    labels: tuple[str, ...]


class Explainer:
    """Registry of explainable models (the built-in ones plus any deployed later) and the attribution itself."""

    def __init__(self, model: Callable[[], SentimentModel] = shared_sentiment_model) -> None:
        self._models: dict[str, Callable[[], ExplainableModel]] = {
            SENTIMENT_MODEL: lambda: ExplainableModel(
                model().sentiment_probabilities, ("negative", "neutral", "positive")
            ),
            INTENT_MODEL: lambda: ExplainableModel(model().intent_probabilities, model().intent_labels),
        }
        self._lock = threading.Lock()

    def register(self, name: str, predict: Predict, labels: Sequence[str]) -> None:
        """Adds (or hot-swaps) a deployed model under `name`."""
        with self._lock:
            self._models[name] = lambda: ExplainableModel(predict, tuple(labels))

    def names(self) -> list[str]:
        return sorted(self._models)

    def explain(self, model_name: str, text: str) -> Explanation:
        name = ALIASES.get(model_name, model_name)
        if name not in self._models:
            raise NotFound(f"unknown model {model_name!r}", {"model_name": model_name, "known": self.names()})
        if not isinstance(text, str):
            raise Invalid("text must be a string", {"text": "must be a string"})
        clean = sanitize(text)[:MAX_CHARS]
        model = self._models[name]()
        found = attribute(model.predict, clean)
        return Explanation(
            model_name=name,
            prediction_label=model.labels[found.target],
            confidence=found.confidence,
            feature_importance=found.ranked,
            spans=found.spans,
            base_value=found.base_value,
            exact=found.exact,
        )


def render_html(text: str, explanation: Explanation) -> str:
    """A standalone HTML page: the text with each token shaded by its importance (green for, red against)."""
    clean = sanitize(text)[:MAX_CHARS]
    peak = max((abs(p) for _, _, p in explanation.spans), default=0.0) or 1.0
    parts, cursor = [], 0
    for start, end, importance in explanation.spans:
        if end > len(clean):
            break
        parts.append(html.escape(clean[cursor:start]))
        alpha = min(1.0, abs(importance) / peak)
        rgb = "22,163,74" if importance >= 0 else "220,38,38"
        parts.append(
            f'<span class="tok" style="background: rgba({rgb},{alpha:.2f})" '
            f'title="{importance:+.4f}">{html.escape(clean[start:end])}</span>'
        )
        cursor = end
    parts.append(html.escape(clean[cursor:]))
    label = html.escape(explanation.prediction_label)
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Explanation</title>'
        "<style>body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;line-height:1.9}"
        ".tok{border-radius:3px;padding:0 2px}.meta{color:#555;font-size:.9rem}</style></head><body>"
        f'<p class="meta">model <b>{html.escape(explanation.model_name)}</b> · prediction <b>{label}</b> '
        f"({explanation.confidence:.2f}) · method {html.escape(explanation.method)}"
        f"{'' if explanation.exact else ' (sampled)'} · green pushes toward {label}, red away</p>"
        f'<p class="text">{"".join(parts)}</p></body></html>'
    )


_lock = threading.Lock()
_shared: Explainer | None = None


def shared_explainer() -> Explainer:
    global _shared
    if _shared is None:
        with _lock:
            if _shared is None:
                _shared = Explainer()
    return _shared


def known_models() -> list[str]:
    """Model names `explain` accepts (aliases: default, sentiment, intent)."""
    return shared_explainer().names()


def explain(model_name: str, text: str) -> Explanation:
    """Shapley token importances for `model_name`'s prediction on `text`; unknown model → NotFound."""
    return shared_explainer().explain(model_name, text)
