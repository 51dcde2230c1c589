"""Explanations of a deployed model's prediction: model name + text in, Shapley token importances and HTML out.

Features are the text's tokens (words, emoji, punctuation); a coalition is the text with only those tokens kept,
and the value is the model's probability for the predicted label. Up to EXACT_MAX_FEATURES tokens the Shapley
values are exact (every coalition evaluated, batched); beyond, they are estimated from antithetic permutations
(unbiased, and each permutation still sums exactly to prediction − empty-text baseline).
"""

from __future__ import annotations

import html
import math
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from libs.errors import Invalid, NotFound
from services.sentiment.domain import sanitize
from services.sentiment.model import SentimentModel, shared_sentiment_model

SENTIMENT_MODEL = "switchboard-sentiment"
INTENT_MODEL = "switchboard-intent-banking77"
ALIASES = {"default": SENTIMENT_MODEL, "sentiment": SENTIMENT_MODEL, "intent": INTENT_MODEL}
METHOD = "shap"
EXACT_MAX_FEATURES = 8  # 2^8 = 256 model calls; exactness beyond this costs more than an explanation is worth
SAMPLED_EVALS = 384
MAX_FEATURES = 48  # later tokens stay in every coalition as context
MAX_CHARS = 2000
_TOKEN = re.compile(r"\w+(?:['’]\w+)*|[^\w\s]+", re.UNICODE)

Predict = Callable[[Sequence[str]], np.ndarray]  # texts → (n, n_labels) probabilities


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


def _coalition_text(text: str, spans: list[tuple[int, int]], keep: np.ndarray, tail: str) -> str:
    kept = [text[a:b] for (a, b), k in zip(spans, keep, strict=True) if k]
    return " ".join([*kept, tail]).strip() if tail else " ".join(kept)


def exact_shapley(value: Callable[[np.ndarray], np.ndarray], n: int) -> np.ndarray:
    """Exact Shapley values from all 2^n coalitions; `value` maps a (m, n) bool mask matrix to m values."""
    codes = np.arange(2**n)
    masks = ((codes[:, None] >> np.arange(n)) & 1).astype(bool)
    values = value(masks)
    sizes = masks.sum(axis=1)
    weights = np.array([math.factorial(s) * math.factorial(n - s - 1) / math.factorial(n) for s in range(n)])
    phi = np.zeros(n)
    for i in range(n):
        without = codes[~masks[:, i]]
        phi[i] = np.sum(weights[sizes[without]] * (values[without | (1 << i)] - values[without]))
    return phi


def sampled_shapley(value: Callable[[np.ndarray], np.ndarray], n: int, evals: int, seed: int = 0) -> np.ndarray:
    """Antithetic permutation sampling: each permutation and its reverse add features one at a time."""
    rng = np.random.default_rng(seed)
    pairs = max(1, evals // (2 * n))
    perms: list[np.ndarray] = []
    for _ in range(pairs):
        perm = rng.permutation(n)
        perms += [perm, perm[::-1]]
    masks = np.zeros((len(perms) * (n + 1), n), dtype=bool)
    for k, perm in enumerate(perms):
        for step in range(1, n + 1):
            masks[k * (n + 1) + step, perm[:step]] = True
    values = value(masks).reshape(len(perms), n + 1)
    phi = np.zeros(n)
    for k, perm in enumerate(perms):
        phi[perm] += np.diff(values[k])
    return phi / len(perms)


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
        probs = model.predict([clean])[0]
        target = int(np.argmax(probs))
        spans = [m.span() for m in _TOKEN.finditer(clean)]
        features, tail = spans[:MAX_FEATURES], clean[spans[MAX_FEATURES][0] :] if len(spans) > MAX_FEATURES else ""
        n = len(features)

        def value(masks: np.ndarray) -> np.ndarray:
            texts = [_coalition_text(clean, features, m, tail) for m in masks]
            texts = [clean if m.all() else t for m, t in zip(masks, texts, strict=True)]
            return np.asarray(model.predict(texts))[:, target]

        base = float(value(np.zeros((1, n), dtype=bool))[0])
        if n == 0:
            phi = np.zeros(0)
        else:
            phi = exact_shapley(value, n) if n <= EXACT_MAX_FEATURES else sampled_shapley(value, n, SAMPLED_EVALS)
        ranked = sorted(
            ((clean[a:b], float(p)) for (a, b), p in zip(features, phi, strict=True)), key=lambda fp: -abs(fp[1])
        )
        return Explanation(
            model_name=name,
            prediction_label=model.labels[target],
            confidence=float(probs[target]),
            feature_importance=ranked,
            spans=[(a, b, float(p)) for (a, b), p in zip(features, phi, strict=True)],
            base_value=base,
            exact=n <= EXACT_MAX_FEATURES,
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
