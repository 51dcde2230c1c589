"""Shapley token attributions of any text classifier: a predict function (texts -> label probabilities) and a text
in, the predicted label, its probability, each token's importance and the empty-text baseline out.

Features are the text's tokens (words, emoji, punctuation); a coalition is the text with only those tokens kept,
and the value is the model's probability for the predicted label. Up to EXACT_MAX_FEATURES tokens the Shapley
values are exact (every coalition evaluated, batched); beyond, they are estimated from antithetic permutations
(unbiased, and each permutation still sums exactly to prediction − empty-text baseline). Used by the sentiment
service (its built-in models) and the training service (deployed models).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

EXACT_MAX_FEATURES = 8  # 2^8 = 256 model calls; exactness beyond this costs more than an explanation is worth
SAMPLED_EVALS = 384
MAX_FEATURES = 48  # later tokens stay in every coalition as context
_TOKEN = re.compile(r"\w+(?:['’]\w+)*|[^\w\s]+", re.UNICODE)

Predict = Callable[[Sequence[str]], np.ndarray]  # texts → (n, n_labels) probabilities


@dataclass(frozen=True)
class Attribution:
    target: int  # index of the predicted label
    confidence: float
    ranked: list[tuple[str, float]]  # best first by |importance|; positive = pushes toward the label
    spans: list[tuple[int, int, float]]  # (start, end, importance) in text order, for rendering
    base_value: float  # the label's probability for an empty text
    exact: bool


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


def attribute(predict: Predict, text: str) -> Attribution:
    """Shapley importances of `text`'s tokens for the label `predict` gives it (text already sanitized)."""
    probs = predict([text])[0]
    target = int(np.argmax(probs))
    spans = [m.span() for m in _TOKEN.finditer(text)]
    features, tail = spans[:MAX_FEATURES], text[spans[MAX_FEATURES][0] :] if len(spans) > MAX_FEATURES else ""
    n = len(features)

    def value(masks: np.ndarray) -> np.ndarray:
        texts = [_coalition_text(text, features, m, tail) for m in masks]
        texts = [text if m.all() else t for m, t in zip(masks, texts, strict=True)]
        return np.asarray(predict(texts))[:, target]

    base = float(value(np.zeros((1, n), dtype=bool))[0])
    if n == 0:
        phi = np.zeros(0)
    else:
        phi = exact_shapley(value, n) if n <= EXACT_MAX_FEATURES else sampled_shapley(value, n, SAMPLED_EVALS)
    ranked = sorted(
        ((text[a:b], float(p)) for (a, b), p in zip(features, phi, strict=True)), key=lambda fp: -abs(fp[1])
    )
    return Attribution(
        target=target,
        confidence=float(probs[target]),
        ranked=ranked,
        spans=[(a, b, float(p)) for (a, b), p in zip(features, phi, strict=True)],
        base_value=base,
        exact=n <= EXACT_MAX_FEATURES,
    )
