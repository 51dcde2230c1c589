"""Builds the sentiment service: model (lazy, shared), repository, bus subscription on sentiment.commands."""

from __future__ import annotations

import asyncio

from libs.bus import build_topic_handler
from libs.bus.base import Bus
from libs.observability import HealthState
from libs.runtime import Service, make_bus, open_service_store
from libs.store import DocumentStore
from services.sentiment.handlers import HANDLERS
from services.sentiment.model import SentimentModel, shared_sentiment_model
from services.sentiment.settings import SentimentSettings
from services.sentiment.store import AnalysisRepository

NAME = "sentiment"


def bootstrap(
    settings: SentimentSettings,
    *,
    bus: Bus | None = None,
    store: DocumentStore | None = None,
    model: SentimentModel | None = None,
) -> Service:
    bus = bus or make_bus(settings.platform, NAME)
    store = store or open_service_store(settings.platform, NAME)
    sentiment_model = model or shared_sentiment_model()
    repo = AnalysisRepository(store)
    bus.subscribe(
        "sentiment.commands",
        group=settings.consumer_group,
        handler=build_topic_handler(bus, HANDLERS, deps={"model": sentiment_model, "repo": repo}),
    )

    async def prepare() -> None:
        await repo.ensure_indexes()
        if settings.warm_model_on_start:
            # Load weights before joining the group so the first command is not slowed by the load.
            await asyncio.to_thread(sentiment_model.analyze, ["warm up"])

    async def store_up() -> bool:
        return await store.ping()

    async def bus_up() -> bool:
        return bus.healthy

    health = HealthState(NAME, checks={"bus": bus_up, "store": store_up})
    return Service(name=NAME, bus=bus, health=health, on_start=[prepare], on_stop=[store.close])
