"""Consumes sentiment.commands (AnalyzeSentiment), replies with SentimentResult and emits SentimentAnalyzed events."""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from typing import Any

from libs.bus import Publisher
from libs.bus.base import MessageContext
from libs.bus.envelope import derived_id
from libs.contracts.models.sentiment import AnalyzeSentimentV1, SentimentAnalyzedV1, SentimentResultV1
from services.sentiment.domain import IrateRule
from services.sentiment.model import SentimentModel
from services.sentiment.store import AnalysisRepository

EVENTS_TOPIC = "sentiment.events"


def _rule(cmd: AnalyzeSentimentV1) -> IrateRule:
    defaults = IrateRule()
    return IrateRule(
        threshold=cmd.irate_threshold if cmd.irate_threshold is not None else defaults.threshold,
        keywords=tuple(cmd.irate_keywords) if cmd.irate_keywords is not None else defaults.keywords,
    )


async def handle_analyze_sentiment(
    cmd: AnalyzeSentimentV1,
    *,
    ctx: MessageContext,
    model: SentimentModel,
    repo: AnalysisRepository,
    publish: Publisher,
) -> SentimentResultV1:
    texts = [item.text for item in cmd.texts]
    # The model is CPU-bound: run it off the event loop so replies and heartbeats keep flowing.
    analyses = await asyncio.to_thread(model.analyze, texts, _rule(cmd))
    results: list[dict[str, Any]] = [{"id": item.id, **asdict(a)} for item, a in zip(cmd.texts, analyses, strict=True)]
    for result in results:
        await repo.record(derived_id(ctx.event_id, result["id"]), ctx.tenant_id, result, ctx.event_id)
    # Events are re-published on redelivery with the same derived ids, so consumers see each one once.
    await asyncio.gather(
        *(publish(EVENTS_TOPIC, _event(r, model.model_id, ctx.event_id), key=r["id"]) for r in results)
    )
    return SentimentResultV1.model_validate({"results": results, "model": model.model_id, "analysis_source": "local"})


def _event(result: dict[str, Any], model_id: str, request_id: str) -> SentimentAnalyzedV1:
    return SentimentAnalyzedV1.model_validate(
        {
            "id": result["id"],
            "label": result["label"],
            "score": result["score"],
            "cs_level": result["cs_level"],
            "irate": result["irate"],
            "satisfaction_score": result["satisfaction_score"],
            "model": model_id,
            "source_request_id": request_id,
        }
    )


HANDLERS = {"sentiment.AnalyzeSentiment.v1": handle_analyze_sentiment}
