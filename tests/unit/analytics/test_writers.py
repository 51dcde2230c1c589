"""A rebuild beside a live writer: the rebuild drops the store and replays every event while the live writer
keeps storing new traffic in the same hours, days and months; no increment is lost or counted twice."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from libs.bus import Envelope
from libs.bus.base import TopicHandler
from libs.errors import DomainError
from libs.store import open_store
from services.analytics.handlers import event_handler
from services.analytics.report import build_report
from services.analytics.store import FactStore, Scope
from tests.support.analytics_history import START, history

NOW = datetime(2026, 6, 1, tzinfo=UTC)


async def deliver(handle: TopicHandler, sessions: list[list[Envelope]], lanes: int = 8) -> int:
    """As the bus does: one session's events in order, several sessions at once, a failed event redelivered."""
    queue = list(sessions)
    refused = 0

    async def lane() -> None:
        nonlocal refused
        while queue:
            for env in queue.pop(0):
                while True:
                    try:
                        await handle(env)
                        break
                    except DomainError:  # fenced or refused while the rebuild drops the store
                        refused += 1
                        await asyncio.sleep(0.001)

    await asyncio.gather(*(lane() for _ in range(lanes)))
    return refused


async def test_a_rebuild_beside_the_live_writer_loses_and_doubles_nothing() -> None:
    store = open_store(database="writers")
    live = FactStore(store, writer="live")
    await live.ensure_indexes()
    sessions = history(300)
    before, after = sessions[::2], sessions[1::2]  # interleaved in time: the same buckets
    await deliver(event_handler(live), before)

    async def rebuild() -> int:
        replay = FactStore(store, writer="rebuild")
        await replay.drop_all()
        return await deliver(event_handler(replay), sessions)  # everything the broker still holds

    await asyncio.gather(deliver(event_handler(live), after), rebuild())
    scope = Scope("acme", START, START + timedelta(days=12))
    args = {"window": timedelta(days=7), "now": NOW}
    rolled = await build_report(live, scope, "day", **args)  # type: ignore[arg-type]
    scanned = await build_report(live, scope, "day", rollups=False, **args)  # type: ignore[arg-type]
    assert rolled.totals.conversations == 300 == await live.count(scope.filter("conversation"))
    assert rolled.model_dump() == scanned.model_dump()
    writers = {doc["id"].rsplit("|", 1)[1] for doc in await live.rollup_docs.find({})}
    assert writers == {"live", "rebuild"}  # both wrote rows of their own after the drop
    await store.close()
