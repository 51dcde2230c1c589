"""Builds the rag service: document store, Qdrant index, knowledge base, upload indexer, bus subscription."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from libs.bus import Publisher, build_topic_handler
from libs.bus.base import Bus, MessageContext
from libs.bus.envelope import derived_id
from libs.observability import HealthState, get_logger
from libs.runtime import Service, make_bus, open_service_store
from libs.store import DocumentStore
from services.rag.chunking import TokenChunker
from services.rag.fusion import FusionConfig
from services.rag.handlers import HANDLERS, INGEST_HANDLERS
from services.rag.index import VectorIndex
from services.rag.knowledge import KnowledgeBase
from services.rag.sandbox import ParseBudget
from services.rag.settings import RagSettings
from services.rag.store import CommandInbox, RagRepository
from services.rag.uploads import Indexer, UploadStore

NAME = "rag"

log = get_logger("rag.bootstrap")


def open_index(settings: RagSettings) -> VectorIndex:
    """A Qdrant server when SWITCHBOARD_QDRANT_URL is set, else local mode on disk under the data folder."""
    if settings.platform.qdrant_url:
        return VectorIndex(
            url=settings.platform.qdrant_url, api_key=settings.qdrant_api_key, collection=settings.collection
        )
    path = settings.qdrant_path()
    path.mkdir(parents=True, exist_ok=True)
    return VectorIndex(path=path, collection=settings.collection)


def bootstrap(
    settings: RagSettings,
    *,
    bus: Bus | None = None,
    store: DocumentStore | None = None,
    index: VectorIndex | None = None,
) -> Service:
    bus = bus or make_bus(settings.platform, NAME)
    store = store or open_service_store(settings.platform, NAME)
    index = index or open_index(settings)
    repo = RagRepository(store)
    kb = KnowledgeBase(
        repo=repo,
        index=index,
        chunker=TokenChunker(chunk_size=settings.chunk_size, chunk_overlap=settings.chunk_overlap),
        fusion=FusionConfig(settings.fusion, settings.dense_weight, focus_margin=settings.focus_margin),
        candidates=settings.candidates,
        parse_budget=ParseBudget(
            base_cpu_s=settings.parse_base_cpu_s,
            cpu_s_per_mb=settings.parse_cpu_s_per_mb,
            max_cpu_s=settings.parse_max_cpu_s,
            memory_bytes=settings.parse_memory_mb * 1024 * 1024,
        ),
    )
    uploads = UploadStore(store)
    indexer = Indexer(
        kb, repo, uploads,
        async_index_bytes=settings.async_index_bytes, sync_wait_s=settings.sync_wait_s,
        max_parallel=settings.max_parallel_indexing,
    )  # fmt: skip
    deps: dict[str, Any] = {"kb": kb, "uploads": uploads, "indexer": indexer, "inbox": CommandInbox(store)}
    bus.subscribe("rag.commands", group=settings.consumer_group, handler=build_topic_handler(bus, HANDLERS, deps=deps))
    bus.subscribe(
        "rag_ingest.commands",
        group=settings.ingest_consumer_group,
        handler=build_topic_handler(bus, INGEST_HANDLERS, deps=deps),
    )

    def publisher_for(record: dict[str, Any]) -> Publisher:
        # Resumed work publishes as if from the upload itself: same derived ids as the interrupted attempt.
        cause = derived_id(record["id"], "resume")
        ctx = MessageContext(cause, record["tenant_id"], record["id"], record["id"], "rag.UploadPart.v1")
        return Publisher(bus, ctx)

    async def prepare() -> None:
        await store.recover()  # finish a store commit a crash cut short (MongoDB journal), before serving
        await repo.setup()
        await uploads.setup()
        purged = await uploads.purge_stale(timedelta(seconds=settings.upload_ttl_s))
        resumed = await indexer.recover(publisher_for)
        log.info("rag.uploads_recovered", resumed=resumed, purged_parts=purged)
        if settings.warm_model_on_start:
            # Load the model before joining the group so the first query is not slowed by the load.
            await kb.warm_up()

    async def close_index() -> None:
        await asyncio.to_thread(index.close)

    async def store_up() -> bool:
        return await store.ping()

    async def bus_up() -> bool:
        return bus.healthy

    async def index_up() -> bool:
        return await asyncio.to_thread(index.health) != "unhealthy"

    health = HealthState(NAME, checks={"bus": bus_up, "store": store_up, "index": index_up})
    return Service(
        name=NAME, bus=bus, health=health, on_start=[prepare], on_stop=[store.close, close_index, indexer.stop]
    )
