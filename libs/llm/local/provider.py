"""Local provider (no network): extractive cited answers, MiniLM embeddings, similarity classification."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence

import numpy as np

from libs.errors import Invalid
from libs.llm.adapters.base import ProviderAdapter
from libs.llm.local.extractive import compose
from libs.llm.local.sentences import Encoder, SentenceCache, count_tokens
from libs.llm.registry import ModelSpec
from libs.llm.types import Completion, GenerateRequest, Passage, Usage

LOCAL_DIMENSIONS = 384
# Softmax temperature over cosine similarities: 0.05 turns a 0.1 cosine lead into ~7x more probability.
CLASSIFY_TEMPERATURE = 0.05


class LocalAdapter(ProviderAdapter):
    """Always available. A few ms of CPU per call, so it runs inline on the loop (a thread hop costs more)."""

    provider = "local"

    def __init__(self, encoder_factory: Callable[[], Encoder]) -> None:
        self._encoder_factory = encoder_factory
        self._encoder: Encoder | None = None
        self._cache: SentenceCache | None = None
        self._labels: dict[str, np.ndarray] = {}

    def available(self) -> bool:
        return True

    def _enc(self) -> Encoder:
        if self._encoder is None:
            self._encoder = self._encoder_factory()
        return self._encoder

    def _sentences(self) -> SentenceCache:
        if self._cache is None:
            self._cache = SentenceCache(self._enc())
        return self._cache

    def warm(self, passages: Sequence[Passage]) -> None:
        """Embed passage sentences ahead of the first question (rag can call this at indexing time)."""
        self._sentences().warm([p.content for p in passages])

    def clear_sentence_cache(self) -> None:
        """Drop cached passage sentences and vectors (the next answers run cold)."""
        self._sentences().clear()

    def _answer(self, req: GenerateRequest, max_tokens: int) -> Completion:
        given = req.query_vector is not None
        # Without the retrieval's query vector, the prompt is embedded in the same encoder call as any
        # passage sentences not cached yet.
        cached, extra = self._sentences().get_many([p.content for p in req.passages], () if given else (req.prompt,))
        query = np.asarray(req.query_vector, dtype=np.float32) if given else extra[0]
        answer = compose(query, req.passages, cached, req.sentiment, max_tokens)
        # Billed-as-read tokens: the prompt plus every passage, as a cloud model would have been sent them.
        prompt_tokens = count_tokens(req.prompt) + sum(count_tokens(p.content) for p in req.passages)
        return Completion(
            text=answer.text,
            usage=Usage(prompt_tokens, count_tokens(answer.text)),
            model="",
            confidence=round(answer.confidence, 4),
            citations=answer.citations,
            answered=answer.answered,
        )

    async def generate(self, spec: ModelSpec, req: GenerateRequest, max_tokens: int) -> Completion:
        completion = self._answer(req, max_tokens)
        return Completion(
            text=completion.text,
            usage=completion.usage,
            model=spec.model,
            confidence=completion.confidence,
            citations=completion.citations,
            answered=completion.answered,
        )

    async def stream(self, spec: ModelSpec, req: GenerateRequest, max_tokens: int) -> AsyncIterator[str | Completion]:
        completion = await self.generate(spec, req, max_tokens)
        words = completion.text.split(" ")
        for start in range(0, len(words), 8):
            yield ("" if start == 0 else " ") + " ".join(words[start : start + 8])
        yield completion

    async def embed(
        self, spec: ModelSpec, texts: Sequence[str], dimensions: int | None
    ) -> tuple[list[list[float]], Usage, str]:
        if dimensions not in (None, LOCAL_DIMENSIONS):
            raise Invalid(
                f"{spec.id} embeds in {LOCAL_DIMENSIONS} dimensions",
                {"dimensions": f"must be {LOCAL_DIMENSIONS} for {spec.id}"},
            )
        vectors = self._enc().encode(list(texts))
        usage = Usage(sum(count_tokens(t) for t in texts), 0)
        return vectors.tolist(), usage, spec.embedding_model or spec.model

    def classify(self, text: str, categories: Sequence[str]) -> dict[str, float]:
        """Probabilities over categories from cosine(text, category label), label vectors cached per name."""
        missing = [c for c in categories if c not in self._labels]
        if missing:
            vectors = self._enc().encode([c.replace("_", " ").replace("-", " ") for c in missing])
            self._labels.update(zip(missing, vectors, strict=True))
        query = self._enc().encode([text])[0]
        sims = np.array([float(self._labels[c] @ query) for c in categories])
        weights = np.exp((sims - sims.max()) / CLASSIFY_TEMPERATURE)
        probs = weights / weights.sum()
        return {c: round(float(p), 4) for c, p in sorted(zip(categories, probs, strict=True), key=lambda x: -x[1])}
