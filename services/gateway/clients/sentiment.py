"""Gateway → sentiment service: AnalyzeSentiment requests, split into parallel chunks for large batches."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from libs.bus.base import Bus
from libs.contracts.models.sentiment import AnalyzeSentimentV1, SentimentResultV1
from services.gateway.auth import Principal

SENTIMENT_CHUNK = 256  # texts per command: small enough that a crashed consumer redoes little, large enough to batch


@dataclass(frozen=True)
class SentimentBatch:
    results: list[dict[str, Any]]
    model: str
    analysis_source: str


class SentimentClient:
    def __init__(self, bus: Bus, *, timeout_s: float, batch_timeout_s: float) -> None:
        self._bus = bus
        self._timeout = timeout_s
        self._batch_timeout = batch_timeout_s

    async def analyze_sentiment(
        self, caller: Principal, items: list[tuple[str, str]], *, use_ai: bool, correlation_id: str
    ) -> SentimentBatch:
        """Analyse (id, text) pairs; large inputs go out as parallel chunks so the sentiment consumers share them."""
        chunks = [items[i : i + SENTIMENT_CHUNK] for i in range(0, len(items), SENTIMENT_CHUNK)]
        timeout = self._timeout if len(chunks) == 1 else self._batch_timeout
        replies = await asyncio.gather(
            *(self._analyze_chunk(caller, chunk, use_ai, correlation_id, timeout) for chunk in chunks)
        )
        results = [r for reply in replies for r in reply.model_dump(mode="json")["results"]]
        return SentimentBatch(results=results, model=replies[0].model, analysis_source=replies[0].analysis_source)

    async def _analyze_chunk(
        self, caller: Principal, chunk: list[tuple[str, str]], use_ai: bool, correlation_id: str, deadline_s: float
    ) -> SentimentResultV1:
        command = AnalyzeSentimentV1.model_validate(
            {"texts": [{"id": item_id, "text": text} for item_id, text in chunk], "use_ai": use_ai}
        )
        reply = await self._bus.request(
            "sentiment.commands",
            command,
            key=chunk[0][0],
            tenant_id=caller.tenant_id,
            timeout=deadline_s,
            correlation_id=correlation_id,
        )
        return SentimentResultV1.model_validate(reply.data)
