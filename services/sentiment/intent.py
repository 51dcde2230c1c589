"""Text classification into caller-given categories: text + 2..100 labels in, probabilities summing to 1 out.

When every category is a BANKING77 intent the trained intent model answers (restricted to those labels);
otherwise zero-shot: cosine similarity between the text's MiniLM embedding and each category's description.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence

import numpy as np

from libs.embeddings import SentenceEncoder, get_encoder
from libs.errors import Invalid
from services.sentiment.domain import sanitize
from services.sentiment.model import SentimentModel, shared_sentiment_model, softmax

MIN_CATEGORIES, MAX_CATEGORIES = 2, 100
MAX_CATEGORY_CHARS = 200
ZERO_SHOT_ID = "switchboard-zero-shot-minilm-int8"
TRAINED_ID = "switchboard-banking77-minilm-ft-int8"
# Cosine similarities of MiniLM sit in a narrow band; this temperature spreads them into usable probabilities.
ZERO_SHOT_SCALE = 25.0
_CACHE_SIZE = 4096


def normalize_label(label: str) -> str:
    """'Card Arrival', 'card-arrival' and 'card_arrival' are the same label."""
    return re.sub(r"[\s\-]+", "_", label.strip().lower())


def describe(label: str) -> str:
    """What the zero-shot encoder sees for a category: words, not identifiers."""
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", label.strip())
    return re.sub(r"[_\-./]+", " ", words).strip().lower() or label


def validate_categories(categories: Sequence[str]) -> list[str]:
    if isinstance(categories, str) or not isinstance(categories, Sequence):
        raise Invalid("categories must be a list of strings", {"categories": "must be a list"})
    cleaned = [c.strip() for c in categories if isinstance(c, str)]
    if len(cleaned) != len(categories) or any(not c for c in cleaned):
        raise Invalid("every category must be a non-empty string", {"categories": "non-empty strings only"})
    if any(len(c) > MAX_CATEGORY_CHARS for c in cleaned):
        raise Invalid("a category is too long", {"categories": f"at most {MAX_CATEGORY_CHARS} characters each"})
    unique = list(dict.fromkeys(cleaned))
    if not MIN_CATEGORIES <= len(unique) <= MAX_CATEGORIES:
        raise Invalid(
            f"between {MIN_CATEGORIES} and {MAX_CATEGORIES} distinct categories are required",
            {"categories": f"got {len(unique)} distinct"},
        )
    return unique


class Classifier:
    """Zero-shot or trained classification; thread-safe, category embeddings cached (LRU)."""

    def __init__(
        self,
        model: Callable[[], SentimentModel] = shared_sentiment_model,
        encoder: Callable[[], SentenceEncoder] = get_encoder,
    ) -> None:
        self._model = model
        self._encoder = encoder
        self._label_cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def classify(self, text: str, categories: Sequence[str]) -> tuple[dict[str, float], str]:
        """({category: probability} sorted best first, summing to 1; model id)."""
        labels = validate_categories(categories)
        clean = sanitize(text if isinstance(text, str) else "")
        model = self._model()
        index = {normalize_label(name): i for i, name in enumerate(model.intent_labels)}
        if all(normalize_label(c) in index for c in labels):
            probs = model.intent_probabilities([clean])[0]
            picked = np.array([probs[index[normalize_label(c)]] for c in labels], dtype=np.float64)
            scores, model_id = picked / max(picked.sum(), 1e-12), TRAINED_ID
        else:
            scores, model_id = self._zero_shot(clean, labels), ZERO_SHOT_ID
        ranked = sorted(zip(labels, scores, strict=True), key=lambda item: -item[1])
        return {label: float(p) for label, p in ranked}, model_id

    def _zero_shot(self, text: str, labels: list[str]) -> np.ndarray:
        encoder = self._encoder()
        text_vec = encoder.encode([text])[0]
        label_vecs = np.stack([self._label_vector(encoder, label) for label in labels])
        return softmax(ZERO_SHOT_SCALE * (label_vecs @ text_vec)).astype(np.float64)

    def _label_vector(self, encoder: SentenceEncoder, label: str) -> np.ndarray:
        key = describe(label)
        with self._lock:
            if key in self._label_cache:
                self._label_cache.move_to_end(key)
                return self._label_cache[key]
        vec = encoder.encode([key])[0]
        with self._lock:
            self._label_cache[key] = vec
            while len(self._label_cache) > _CACHE_SIZE:
                self._label_cache.popitem(last=False)
        return vec
