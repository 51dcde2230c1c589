"""Old stores migrate by themselves. The store holds a schema marker (`meta` document `schema`, `VERSION`); a
store written by an older layout (facts without the rollups, session states and revisions this version reads:
no marker, or an older one, beside facts) is rebuilt from the event log when the service starts, in the
background: the live service goes on counting beside the replay, as beside `python -m services.analytics rebuild`
(epoch.py), and the views show the rebuilt numbers once the replay has caught up. The rebuild marks the store
current when it finishes; a crash before that rebuilds again at the next start. A fresh store is marked at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

from libs.bus.base import Bus
from libs.observability import get_logger
from libs.store import DocumentStore
from services.analytics.epoch import META
from services.analytics.settings import AnalyticsSettings
from services.analytics.store import FACTS

SCHEMA = "schema"
# 1: facts only (no marker); 2: per-writer rollup rows with revisions, session states, breaks, the epoch fence.
VERSION = 2

log = get_logger("analytics.migrate")


async def mark_current(store: DocumentStore) -> None:
    marker = {"id": SCHEMA, "kind": "schema", "version": VERSION, "at": datetime.now(UTC).isoformat()}
    await store.collection(META).upsert(marker)


async def outdated(store: DocumentStore) -> bool:
    """True when the store holds facts of an older layout; a fresh store is marked current here."""
    marker = await store.collection(META).get(SCHEMA)
    if marker is not None:
        return int(marker.get("version", 0)) < VERSION
    if not await store.collection(FACTS).find({}, limit=1):
        await mark_current(store)
        return False
    return True


class Migration:
    """Started with the live service: checks the marker and, for an old store, runs the rebuild in a task on a
    bus and a store of its own (`replay`: the rebuild's service closes them when it stops)."""

    def __init__(
        self, settings: AnalyticsSettings, store: DocumentStore, replay: Callable[[], tuple[Bus, DocumentStore]]
    ) -> None:
        self._settings, self._store, self._replay = settings, store, replay
        self.task: asyncio.Task[int] | None = None

    async def start(self) -> None:
        if not await outdated(self._store):
            return
        if not self._settings.migrate_on_start:  # retention may be shorter than the history: by hand
            log.warning("analytics.migrate.needed", hint="python -m services.analytics rebuild", version=VERSION)
            return
        log.warning("analytics.migrate.rebuilding", reason="store written by an older layout", version=VERSION)
        self.task = asyncio.create_task(self._rebuild(), name="analytics:migrate")

    async def _rebuild(self) -> int:
        # Imported here: the rebuild builds its replaying service with bootstrap(), which starts a Migration.
        from services.analytics.rebuild import rebuild

        bus, store = self._replay()
        events = await rebuild(self._settings, bus=bus, store=store)
        log.info("analytics.migrate.done", events=events, version=VERSION)
        return events

    async def stop(self) -> None:
        if self.task is not None and not self.task.done():
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)
