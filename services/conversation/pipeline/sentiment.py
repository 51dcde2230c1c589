"""Sentiment step: redacted customer text in, label/score/CS level/irate out (sentiment.AnalyzeSentiment.v1)."""

from __future__ import annotations

from libs.bus.base import Bus
from libs.contracts.models.sentiment import AnalyzeSentimentV1, SentimentResultV1
from services.conversation.pipeline.ports import SentimentReading

UNAVAILABLE = SentimentReading(available=False)  # neutral, and says so


class BusSentiment:
    def __init__(self, bus: Bus) -> None:
        self._bus = bus

    async def analyze(self, text: str, *, tenant_id: str, key: str, deadline_s: float) -> SentimentReading:
        # The turn reads label, score, level and irate flag, which always come from the local model: no LLM call.
        command = AnalyzeSentimentV1.model_validate({"texts": [{"id": key, "text": text}], "use_ai": False})
        reply = await self._bus.ask(command, SentimentResultV1, key=key, tenant_id=tenant_id, timeout=deadline_s)
        result = reply.results[0]
        return SentimentReading(
            label=result.label, score=float(result.score), cs_level=result.cs_level, irate=bool(result.irate)
        )
