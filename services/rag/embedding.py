"""Texts in, embeddings out: the Encoder port the rag service needs and the seed 000 `ai/embed` helper."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np

from libs.errors import Invalid

MAX_EMBED_TEXTS = 256
MAX_EMBED_CHARS = 100_000


class Encoder(Protocol):
    """What libs.embeddings.SentenceEncoder offers: unit float32 vectors of `dim` dimensions."""

    dim: int
    model_id: str

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


def embed_texts(texts: Sequence[str], dimensions: int | None, encoder: Encoder) -> tuple[list[list[float]], str, int]:
    """(vectors, model id, dimensions) for `texts`; the local model answers only in its native dimensions.

    MiniLM was not trained for truncated (Matryoshka) embeddings, so any other size is refused rather than
    silently degraded: Invalid (400) naming `dimensions` and the sizes that are available.
    """
    if isinstance(texts, str) or not isinstance(texts, Sequence) or not texts:
        raise Invalid("texts must be a non-empty list of strings", {"field": "texts"})
    if len(texts) > MAX_EMBED_TEXTS:
        raise Invalid(f"at most {MAX_EMBED_TEXTS} texts per request", {"field": "texts", "limit": MAX_EMBED_TEXTS})
    for i, text in enumerate(texts):
        if not isinstance(text, str) or not text.strip():
            raise Invalid("every text must be a non-empty string", {"field": f"texts[{i}]"})
        if len(text) > MAX_EMBED_CHARS:
            raise Invalid(f"a text is longer than {MAX_EMBED_CHARS} characters", {"field": f"texts[{i}]"})
    if dimensions is not None and dimensions != encoder.dim:
        raise Invalid(
            f"no configured embedding model produces {dimensions} dimensions",
            {"field": "dimensions", "requested": dimensions, "supported": [encoder.dim], "model": encoder.model_id},
        )
    vectors = encoder.encode(list(texts))
    return vectors.astype(float).tolist(), encoder.model_id, encoder.dim
