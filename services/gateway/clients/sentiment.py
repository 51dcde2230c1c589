"""Gateway → sentiment service: AnalyzeSentiment (split into parallel chunks for large batches), Classify, Explain
and GetExplanation requests over the bus; typed replies out."""

from __future__ import annotations

import asyncio
import base64
import binascii
from dataclasses import dataclass
from typing import Any

from libs.contracts.models.sentiment import (
    AnalyzeSentimentV1,
    ClassificationResultV1,
    ClassifyV1,
    ExplainV1,
    ExplanationResultV1,
    ExplanationViewV1,
    GetExplanationV1,
    SentimentResultV1,
)
from services.gateway.auth import Principal
from services.gateway.clients.base import BusClient

SENTIMENT_CHUNK = 256  # texts per command: small enough that a crashed consumer redoes little, large enough to batch


@dataclass(frozen=True)
class SentimentBatch:
    results: list[dict[str, Any]]
    model: str
    analysis_source: str


class SentimentClient(BusClient):
    async def analyze_sentiment(
        self, caller: Principal, items: list[tuple[str, str]], *, use_ai: bool
    ) -> SentimentBatch:
        """Analyse (id, text) pairs; large inputs go out as parallel chunks so the sentiment consumers share them."""
        chunks = [items[i : i + SENTIMENT_CHUNK] for i in range(0, len(items), SENTIMENT_CHUNK)]
        long = len(chunks) > 1
        replies = await asyncio.gather(*(self._analyze_chunk(caller, chunk, use_ai, long) for chunk in chunks))
        results = [r for reply in replies for r in reply.model_dump(mode="json")["results"]]
        return SentimentBatch(results=results, model=replies[0].model, analysis_source=replies[0].analysis_source)

    async def _analyze_chunk(
        self, caller: Principal, chunk: list[tuple[str, str]], use_ai: bool, long: bool
    ) -> SentimentResultV1:
        command = AnalyzeSentimentV1.model_validate(
            {"texts": [{"id": item_id, "text": text} for item_id, text in chunk], "use_ai": use_ai}
        )
        return await self.ask(caller, command, SentimentResultV1, key=chunk[0][0], long=long)

    async def classify(
        self, caller: Principal, text: str, categories: list[str], model: str | None
    ) -> ClassificationResultV1:
        fields: dict[str, Any] = {"text": text, "categories": categories}
        if model is not None:
            fields["model"] = model
        # A named cloud model may be tried before the local fallback answers: the long budget.
        return await self.ask(caller, ClassifyV1.model_validate(fields), ClassificationResultV1, long=True)

    async def explain(self, caller: Principal, model_name: str, text: str, method: str) -> ExplanationResultV1:
        command = ExplainV1.model_validate({"model_name": model_name, "text": text, "method": method})
        # Shapley values cost a few hundred model calls: the long budget.
        return await self.ask(caller, command, ExplanationResultV1, long=True)

    async def explanation_page(
        self, tenant_id: str, explanation_id: str, access_token: str | None
    ) -> ExplanationViewV1:
        """The stored page in `tenant_id` (the caller's, or the one the access token was issued in)."""
        fields: dict[str, Any] = {"explanation_id": explanation_id}
        if access_token is not None:
            fields["access_token"] = access_token
        return await self.ask(tenant_id, GetExplanationV1.model_validate(fields), ExplanationViewV1, key=explanation_id)


def token_tenant(token: str) -> str | None:
    """The tenant an explanation access token was issued in (format `<base64url(tenant)>.<secret>`, see the
    sentiment service's explanations.issue_token), or None when the token is malformed."""
    head, sep, secret = token.partition(".")
    if not sep or not head or len(secret) < 16:
        return None
    try:
        tenant = base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    return tenant or None
