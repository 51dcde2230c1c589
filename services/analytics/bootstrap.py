"""Builds the analytics service: the fact store, one subscription per domain event topic, analytics.commands."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

from libs.bus import build_topic_handler
from libs.bus.base import Bus
from libs.observability import HealthState
from libs.runtime import Service, make_bus, open_service_store
from libs.store import DocumentStore
from services.analytics.handlers import HANDLERS, event_handler
from services.analytics.lag_watch import LagWatch
from services.analytics.migrate import Migration
from services.analytics.notify import UpdateNotifier
from services.analytics.settings import AnalyticsSettings
from services.analytics.store import FactStore

NAME = "analytics"

# Every topic whose events the rollups count (contracts/topics.yaml lists `analytics` among their consumers).
EVENT_TOPICS = (
    "conversation.events",
    "escalation.events",
    "sentiment.events",
    "privacy.events",
    "rag.events",
    "training.events",
)


def bootstrap(
    settings: AnalyticsSettings,
    *,
    bus: Bus | None = None,
    store: DocumentStore | None = None,
    group: str | None = None,
    on_event: Callable[[], None] | None = None,
    serve_queries: bool = True,
    migrate: bool = True,
    replay: Callable[[], tuple[Bus, DocumentStore]] | None = None,
) -> Service:
    """`group` overrides the consumer group (a rebuild replays under a fresh one); `serve_queries=False` leaves
    analytics.commands to the running service. `migrate`: rebuild a store of an older layout at start
    (migrate.py), replaying on `replay()`'s bus and store (default: new ones from the settings)."""
    bus = bus or make_bus(settings.platform, NAME)
    store = store or open_service_store(settings.platform, NAME)
    window = timedelta(days=settings.durable_window_days)
    facts = FactStore(store, window=window)
    notifier = UpdateNotifier(bus, interval_s=settings.notify_interval_s)
    handler = event_handler(facts, on_event=on_event, notifier=notifier)
    for topic in EVENT_TOPICS:
        # Many events in flight: a session's events wait for each other (one key), and each batch commit
        # rewrites its rollup rows whole, so the more sessions' events are in flight, the larger the batches.
        bus.subscribe(topic, group=group or settings.consumer_group, handler=handler, max_in_flight=settings.in_flight)
    if serve_queries:
        deps = {"facts": facts, "durable_window": window}
        bus.subscribe(
            "analytics.commands",
            group=settings.consumer_group,
            handler=build_topic_handler(bus, HANDLERS, deps),
        )

    async def store_up() -> bool:
        return await store.ping()

    async def bus_up() -> bool:
        return bus.healthy

    health = HealthState(NAME, checks={"bus": bus_up, "store": store_up})
    watch = LagWatch(bus, group or settings.consumer_group, EVENT_TOPICS, interval_s=settings.lag_interval_s)
    on_start: list[Callable[[], Awaitable[None]]] = [facts.ensure_indexes, watch.start, notifier.start]
    on_stop: list[Callable[[], Awaitable[None]]] = [store.close, watch.stop, notifier.stop]
    if migrate:
        own = replay or (lambda: (make_bus(settings.platform, NAME), open_service_store(settings.platform, NAME)))
        migration = Migration(settings, store, own)
        on_start.append(migration.start)
        on_stop.append(migration.stop)  # stopped first (the hooks run in reverse)
    return Service(name=NAME, bus=bus, health=health, on_start=on_start, on_stop=on_stop)
