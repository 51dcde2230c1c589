"""use_ai: customer texts in, a cloud LLM's satisfaction score and key positive/negative phrases out (parsed from
its JSON reply), or a fallback reading naming why the local analysis stands (no provider, timeout, bad reply)."""

from __future__ import annotations

import asyncio
import json
import logging
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from libs.errors import Invalid, Unavailable
from libs.llm import GenerateRequest, LLMService

log = logging.getLogger(__name__)

SYSTEM = (
    "You analyse one customer-service message. Reply with a single JSON object and nothing else: "
    '{"satisfaction_score": <integer 1-10, 10 = delighted>, "key_positives": [<up to 5 short phrases from the '
    'message>], "key_negatives": [<up to 5 short phrases from the message>]}.'
)
MAX_PROMPT_CHARS = 8000  # a longer message is cut: the gist is at the start and cost grows with length
MAX_REPLY_CHARS = 20_000  # bounds the JSON scan below
MAX_OBJECTS = 50
MAX_PHRASES = 5
MAX_PHRASE_CHARS = 200
MAX_TOKENS = 300


@dataclass(frozen=True)
class AiReading:
    """What the LLM said about one text; `satisfaction_score` is None when the local analysis must stand."""

    source: str
    satisfaction_score: int | None = None
    key_positives: list[str] = field(default_factory=list)
    key_negatives: list[str] = field(default_factory=list)

    @property
    def answered(self) -> bool:
        return self.satisfaction_score is not None


def fallback(reason: str) -> AiReading:
    return AiReading(source=f"local_fallback: {reason}")


def _json_objects(reply: str) -> Iterator[dict[str, Any]]:
    """Every JSON object embedded in the reply (code fences and prose around it are ignored), in order."""
    text = reply[:MAX_REPLY_CHARS]
    decoder = json.JSONDecoder()
    start, tried = text.find("{"), 0
    while start != -1 and tried < MAX_OBJECTS:
        tried += 1
        try:
            obj, end = decoder.raw_decode(text, start)
        except json.JSONDecodeError:
            start = text.find("{", start + 1)
            continue
        if isinstance(obj, dict):
            yield obj
        start = text.find("{", end)


def _score(value: Any) -> int | None:
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    if not 0 <= value <= 10:
        return None
    return int(min(10, max(1, math.floor(value + 0.5))))


def _phrases(value: Any) -> list[str]:
    if not isinstance(value, list):
        return []
    cleaned = [" ".join(v.split())[:MAX_PHRASE_CHARS] for v in value if isinstance(v, str)]
    return list(dict.fromkeys(p for p in cleaned if p))[:MAX_PHRASES]


def parse_ai_analysis(reply: str) -> tuple[int, list[str], list[str]] | None:
    """(satisfaction 1..10, key positives, key negatives) from the first usable JSON object, else None."""
    for obj in _json_objects(reply):
        score = _score(obj.get("satisfaction_score"))
        if score is not None:
            return score, _phrases(obj.get("key_positives")), _phrases(obj.get("key_negatives"))
    return None


class AiAnalyst:
    """Asks the first available cloud model of the LLM registry; never raises for a provider's failure."""

    def __init__(self, llm: LLMService | None, *, timeout_s: float, max_texts: int) -> None:
        self._llm = llm
        self._timeout = timeout_s
        self._max_texts = max_texts

    def _cloud_model(self, text: str) -> str | None:
        if self._llm is None:
            return None
        chain = self._llm.router.plan(text).chain
        return next((spec.id for spec in chain if spec.provider != "local"), None)

    async def analyze(self, texts: Sequence[str]) -> list[AiReading]:
        model_id = self._cloud_model(texts[0]) if texts else None
        if model_id is None:
            return [fallback("no AI provider configured")] * len(texts)
        if len(texts) > self._max_texts:
            return [fallback(f"more than {self._max_texts} texts")] * len(texts)
        return list(await asyncio.gather(*(self._one(text, model_id) for text in texts)))

    async def _one(self, text: str, model_id: str) -> AiReading:
        assert self._llm is not None  # _cloud_model found a model, so there is a service
        request = GenerateRequest(
            prompt=f"Message: {json.dumps(text[:MAX_PROMPT_CHARS])}",
            model_id=model_id,
            max_tokens=MAX_TOKENS,
            temperature=0.0,
            system_prompt=SYSTEM,
        )
        try:
            async with asyncio.timeout(self._timeout):
                result = await self._llm.generate(request)
        except TimeoutError:
            return self._fell_back(model_id, "timeout")
        except (Unavailable, Invalid):
            return self._fell_back(model_id, "provider unavailable")
        if result.provider == "local":  # every cloud model of the chain failed and the extractive one answered
            return self._fell_back(model_id, "provider unavailable")
        parsed = parse_ai_analysis(result.text)
        if parsed is None:
            return self._fell_back(model_id, "unparseable reply")
        score, positives, negatives = parsed
        return AiReading(result.model_id, score, positives, negatives)

    @staticmethod
    def _fell_back(model_id: str, reason: str) -> AiReading:
        log.warning("sentiment.ai_fallback", extra={"model_id": model_id, "reason": reason})
        return fallback(reason)
