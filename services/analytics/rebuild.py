"""`python -m services.analytics rebuild`: drop every fact, replay the event topics from the earliest offset."""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass

from libs.bus.base import Bus
from libs.observability import get_logger
from libs.runtime import open_service_store
from libs.store import DocumentStore
from services.analytics.bootstrap import EVENT_TOPICS, NAME, bootstrap
from services.analytics.lag_watch import LagWatch
from services.analytics.metrics import REBUILD_EVENTS
from services.analytics.migrate import mark_current
from services.analytics.settings import AnalyticsSettings
from services.analytics.store import FactStore

log = get_logger("analytics.rebuild")
LAG_EVERY_S = 0.5


@dataclass
class Progress:
    events: int = 0
    last_event: float = 0.0

    def tick(self) -> None:
        self.events += 1
        self.last_event = time.monotonic()
        REBUILD_EVENTS.set(self.events)


async def rebuild(settings: AnalyticsSettings, *, bus: Bus | None = None, store: DocumentStore | None = None) -> int:
    """Returns the number of events replayed. A fresh consumer group starts at the earliest offset (the bus's
    `auto_offset_reset`), so every retained event is read again; facts keep their event ids, so a live service
    running meanwhile and the replay never count one event twice."""
    progress = Progress()
    group = f"{settings.consumer_group}-rebuild-{uuid.uuid4().hex[:8]}"
    store = store or open_service_store(settings.platform, NAME)
    dropped = await FactStore(store).drop_all()
    service = bootstrap(
        settings, bus=bus, store=store, group=group, on_event=progress.tick, serve_queries=False, migrate=False
    )
    log.info("analytics.rebuild.started", group=group, dropped=dropped)
    await service.start()
    watch = LagWatch(service.bus, group, EVENT_TOPICS, interval_s=settings.lag_interval_s)
    try:
        await _until_replayed(settings, progress, watch)
        await mark_current(store)  # the store now holds this version's layout (migrate.py)
    finally:
        await watch.stop()
        await service.stop()
    log.info("analytics.rebuild.finished", events=progress.events)
    return progress.events


async def _caught_up(watch: LagWatch) -> bool:
    """The replay group has handled and committed every event the topics hold now (live traffic goes on
    meanwhile: the live service counts what comes later). False when the broker cannot say."""
    try:
        return not any((await watch.read()).values())
    except Exception as exc:
        log.warning("analytics.rebuild.lag_unavailable", error=str(exc))
        return False


async def _until_replayed(settings: AnalyticsSettings, progress: Progress, watch: LagWatch) -> None:
    """Until the group's lag is 0 on every partition, or (lag unreadable) no event has arrived for
    rebuild_idle_s; before the first event (the group still joining) the idle wait is bounded by
    rebuild_join_s, after which the topics are taken to be empty."""
    started = time.monotonic()
    deadline, next_lag = started + settings.rebuild_timeout_s, started
    while (
        time.monotonic() - progress.last_event < settings.rebuild_idle_s
        if progress.events
        else time.monotonic() - started < settings.rebuild_join_s
    ):
        if time.monotonic() > deadline:
            raise TimeoutError(f"rebuild still receiving events after {settings.rebuild_timeout_s}s")
        if time.monotonic() >= next_lag:
            if await _caught_up(watch):
                return
            next_lag = time.monotonic() + LAG_EVERY_S
        await asyncio.sleep(0.1)
