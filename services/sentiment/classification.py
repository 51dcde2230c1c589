"""ai/classify: text + distinct categories + optional model name in; probabilities (best first, summing to 1), the
answering model and the source out. A named, configured cloud model answers through the LLM service; otherwise
(or when its reply is unusable) the local classifier (intent.Classifier) does, and the source says why."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from libs.errors import Invalid, Unavailable
from libs.llm import LLMService
from libs.llm.classify import classification_request, parse_probabilities
from services.sentiment.intent import MAX_CATEGORIES, MIN_CATEGORIES, TRAINED_ID, ZERO_SHOT_ID, Classifier

LOCAL_NAMES = frozenset({"local", "switchboard", ZERO_SHOT_ID, TRAINED_ID})
PRECISION = 6


@dataclass(frozen=True)
class Classification:
    scores: list[tuple[str, float]]  # best first, summing to 1
    model: str
    source: str


def check_request(text: str, categories: Sequence[str]) -> list[str]:
    """The categories, stripped; Invalid naming the field for an empty text or a bad/duplicated category list."""
    if not text.strip():
        raise Invalid("text must not be empty", {"text": "must not be empty"})
    cleaned = [c.strip() for c in categories]
    if any(not c for c in cleaned):
        raise Invalid("every category must be a non-empty string", {"categories": "non-empty strings only"})
    duplicates = sorted({c for c in cleaned if cleaned.count(c) > 1})
    if duplicates:
        raise Invalid("categories must be distinct", {"categories": f"duplicated: {', '.join(duplicates)}"})
    if not MIN_CATEGORIES <= len(cleaned) <= MAX_CATEGORIES:
        raise Invalid(
            "wrong number of categories", {"categories": f"between {MIN_CATEGORIES} and {MAX_CATEGORIES} required"}
        )
    return cleaned


def normalized(scores: Sequence[tuple[str, float]]) -> list[tuple[str, float]]:
    """Rounded, best first, and summing to exactly 1 once rounded (the rounding residue goes to the top one)."""
    ranked = sorted(((c, max(0.0, float(p))) for c, p in scores), key=lambda cp: -cp[1])
    total = sum(p for _, p in ranked) or 1.0
    rounded = [(c, round(p / total, PRECISION)) for c, p in ranked]
    residue = round(1.0 - sum(p for _, p in rounded), PRECISION)
    top, top_p = rounded[0]
    return [(top, round(top_p + residue, PRECISION)), *rounded[1:]]


class CategoryClassifier:
    def __init__(self, local: Classifier, llm: LLMService | None, *, timeout_s: float) -> None:
        self._local = local
        self._llm = llm
        self._timeout = timeout_s

    async def classify(self, text: str, categories: Sequence[str], model: str | None) -> Classification:
        labels = check_request(text, categories)
        if model is None or model in LOCAL_NAMES:
            return await self._classify_locally(text, labels, "local")
        llm = self._llm
        spec = llm.registry.find(model) if llm is not None else None
        if llm is None or spec is None:
            valid = sorted(LOCAL_NAMES | ({s.id for s in llm.registry.specs} if llm is not None else set()))
            raise Invalid(f"unknown model {model!r}", {"model": f"unknown model {model!r}", "valid_models": valid})
        if not spec.can("classification"):
            raise Invalid(f"{model} cannot classify", {"model": f"{model} has no classification capability"})
        if spec.provider == "local":
            return await self._classify_locally(text, labels, "local")
        if not llm.is_available(spec):
            return await self._classify_locally(text, labels, f"local_fallback: {model} is not configured")
        reason = await self._try_cloud(text, labels, model)
        if isinstance(reason, Classification):
            return reason
        return await self._classify_locally(text, labels, f"local_fallback: {reason}")

    async def _try_cloud(self, text: str, labels: list[str], model_id: str) -> Classification | str:
        """The cloud model's answer, or why it could not be used."""
        assert self._llm is not None
        try:
            async with asyncio.timeout(self._timeout):
                result = await self._llm.generate(classification_request(model_id, text, labels))
        except TimeoutError:
            return "timeout"
        except Unavailable:
            return "provider unavailable"
        if result.model_id != model_id:  # the chain fell through to another model: not what was asked for
            return "provider unavailable"
        scores = parse_probabilities(result.text, labels)
        if scores is None:
            return "unparseable reply"
        return Classification(normalized(list(scores.items())), result.model, model_id)

    async def _classify_locally(self, text: str, labels: list[str], source: str) -> Classification:
        # CPU-bound (embedding / intent head): off the event loop.
        scores, model_id = await asyncio.to_thread(self._local.classify, text, labels)
        return Classification(normalized(list(scores.items())), model_id, source)
