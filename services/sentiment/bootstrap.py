"""Builds the sentiment service: model (lazy, shared), classifier, explainer, LLM (use_ai, cloud classification),
repositories, bus subscription on sentiment.commands."""

from __future__ import annotations

import asyncio

from libs.bus import build_topic_handler
from libs.bus.base import Bus
from libs.llm import LLMService, LLMSettings
from libs.observability import HealthState
from libs.runtime import Service, make_bus, open_service_store
from libs.store import DocumentStore
from services.sentiment.ai_analysis import AiAnalyst
from services.sentiment.classification import CategoryClassifier
from services.sentiment.explain import Explainer, shared_explainer
from services.sentiment.explanations import ExplanationService
from services.sentiment.handlers import HANDLERS, analysis_batcher
from services.sentiment.intent import Classifier
from services.sentiment.model import SentimentModel, shared_sentiment_model
from services.sentiment.settings import SentimentSettings
from services.sentiment.store import AnalysisRepository, ExplanationRepository

NAME = "sentiment"


def bootstrap(
    settings: SentimentSettings,
    *,
    bus: Bus | None = None,
    store: DocumentStore | None = None,
    model: SentimentModel | None = None,
    llm: LLMService | None = None,
    explainer: Explainer | None = None,
) -> Service:
    """`llm` defaults to one built from SWITCHBOARD_LLM_* (no key: local only, so use_ai falls back locally)."""
    bus = bus or make_bus(settings.platform, NAME)
    store = store or open_service_store(settings.platform, NAME)
    sentiment_model = model or shared_sentiment_model()
    own_llm = llm is None
    llm_service = llm or LLMService(LLMSettings())
    repo = AnalysisRepository(store)
    pages = ExplanationRepository(store)
    deps = {
        "model": sentiment_model,
        "analyzer": analysis_batcher(sentiment_model),
        "repo": repo,
        "analyst": AiAnalyst(llm_service, timeout_s=settings.ai_timeout_s, max_texts=settings.ai_max_texts),
        "classifier": CategoryClassifier(
            Classifier(model=lambda: sentiment_model), llm_service, timeout_s=settings.ai_timeout_s
        ),
        "explanations": ExplanationService(
            explainer or (shared_explainer() if model is None else Explainer(model=lambda: sentiment_model)),
            pages,
            deployments=settings.deployments,
            ttl_s=settings.explanation_ttl_s,
        ),
    }
    bus.subscribe(
        "sentiment.commands",
        group=settings.consumer_group,
        handler=build_topic_handler(bus, HANDLERS, deps=deps),
    )

    async def prepare() -> None:
        await repo.ensure_indexes()
        await pages.ensure_indexes()
        if settings.warm_model_on_start:
            # Load weights before joining the group so the first command is not slowed by the load.
            await asyncio.to_thread(sentiment_model.analyze, ["warm up"])

    async def close() -> None:
        if own_llm:
            await llm_service.aclose()
        await store.close()

    async def store_up() -> bool:
        return await store.ping()

    async def bus_up() -> bool:
        return bus.healthy

    health = HealthState(NAME, checks={"bus": bus_up, "store": store_up})
    return Service(name=NAME, bus=bus, health=health, on_start=[prepare], on_stop=[close])
