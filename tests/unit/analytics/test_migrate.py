"""A store written by an older layout (facts, no schema marker) is rebuilt from the event log when the service
starts, and marked current; a fresh store is marked at once and nothing is rebuilt."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from libs.bus import MemoryBroker, MemoryBus
from libs.runtime import PlatformSettings, Service
from libs.store import DocumentStore, open_store
from services.analytics.bootstrap import bootstrap
from services.analytics.epoch import META
from services.analytics.migrate import SCHEMA, VERSION
from services.analytics.report import build_report
from services.analytics.settings import AnalyticsSettings
from services.analytics.store import FACTS, FactStore, Scope
from tests.support.analytics_traffic import DAY, SCRIPT, send_day

# A fact the older layout stored and no rollup holds; the log does not hold its event either, so after the
# rebuild it is gone (the numbers are the log's).
STALE = {"id": "old-1", "tenant_id": "acme", "kind": "conversation", "at": "2026-03-02T05:00:00.000000+00:00",
         "session_id": "gone", "customer_id": "c-gone"}  # fmt: skip


def service_on(broker: MemoryBroker, tmp_path: Path, store: DocumentStore, *, migrate: bool = True) -> Service:
    platform = PlatformSettings(bus="memory", data_dir=tmp_path)
    settings = AnalyticsSettings(platform=platform, rebuild_idle_s=0.5, rebuild_join_s=3, migrate_on_start=migrate)

    def replay() -> tuple[MemoryBus, DocumentStore]:
        return MemoryBus(broker, service_name="analytics"), open_store(database="analytics", sqlite_dir=tmp_path)

    return bootstrap(settings, bus=MemoryBus(broker, service_name="analytics"), store=store, replay=replay)


async def marker(store: DocumentStore, within_s: float = 20) -> dict[str, object]:
    deadline = asyncio.get_running_loop().time() + within_s
    while (found := await store.collection(META).get(SCHEMA)) is None:
        assert asyncio.get_running_loop().time() < deadline, "the store was never marked current"
        await asyncio.sleep(0.1)
    return found


async def test_an_old_store_is_rebuilt_from_the_log_at_start(tmp_path: Path) -> None:
    broker = MemoryBroker()
    client = MemoryBus(broker, service_name="gateway")
    await client.start()
    await send_day(client, "acme")  # the log the old store was counted from
    store = open_store(database="analytics", sqlite_dir=tmp_path)
    await store.collection(FACTS).insert(STALE)
    service = service_on(broker, tmp_path, store)
    await service.start()
    try:
        assert (await marker(store))["version"] == VERSION
        assert await store.collection(FACTS).get("old-1") is None
        facts = FactStore(store)
        scope = Scope("acme", DAY - timedelta(days=1), DAY + timedelta(days=3))
        args = {"window": timedelta(days=7), "now": datetime(2026, 6, 1, tzinfo=UTC)}
        rolled = await build_report(facts, scope, "day", **args)  # type: ignore[arg-type]
        assert rolled.model_dump() == (await build_report(facts, scope, "day", rollups=False, **args)).model_dump()
        assert rolled.totals.conversations == len(SCRIPT)
    finally:
        await service.stop()
        await client.stop()


async def test_a_fresh_store_is_marked_current_without_a_rebuild(tmp_path: Path) -> None:
    store = open_store(database="analytics", sqlite_dir=tmp_path)
    service = service_on(MemoryBroker(), tmp_path, store)
    await service.start()
    try:
        found = await store.collection(META).get(SCHEMA)
        assert found is not None and found["version"] == VERSION
        assert await store.collection(META).find({"kind": "epoch", "n": {"$gt": 0}}) == []  # no rebuild fenced
    finally:
        await service.stop()


async def test_with_migration_off_an_old_store_is_left_as_it_is(tmp_path: Path) -> None:
    """SWITCHBOARD_ANALYTICS_MIGRATE_ON_START=false: the topics may retain less than the store holds."""
    store = open_store(database="analytics", sqlite_dir=tmp_path)
    await store.collection(FACTS).insert(STALE)
    service = service_on(MemoryBroker(), tmp_path, store, migrate=False)
    await service.start()
    try:
        await asyncio.sleep(0.5)
        assert await store.collection(META).get(SCHEMA) is None
        assert await store.collection(FACTS).get("old-1") is not None
    finally:
        await service.stop()
