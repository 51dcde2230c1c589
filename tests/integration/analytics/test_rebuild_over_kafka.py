"""Analytics on a real Kafka-protocol broker: live rollups, a rebuild that replays from the earliest offset and
gives the same numbers, and a restart that changes none (offsets committed only after the facts are stored)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from libs.bus.base import Bus
from libs.contracts.models.analytics import QueryReportV1, ReportV1
from libs.runtime import PlatformSettings, Service, make_bus
from libs.store import open_store
from services.analytics.bootstrap import bootstrap
from services.analytics.rebuild import rebuild
from services.analytics.settings import AnalyticsSettings
from tests.support.analytics_traffic import send_day
from tests.support.kafka import Broker, own_broker

__all__ = ["own_broker"]
pytestmark = pytest.mark.integration

TENANTS = ("acme", "globex")


def settings_for(broker: Broker, tmp_path: Path) -> AnalyticsSettings:
    platform = PlatformSettings(
        bus="kafka", kafka_bootstrap=broker.bootstrap, data_dir=tmp_path, kafka_session_timeout_ms=2000
    )
    return AnalyticsSettings(platform=platform, rebuild_idle_s=2.0, rebuild_timeout_s=60)


def start_live(settings: AnalyticsSettings, tmp_path: Path) -> Service:
    store = open_store(database="analytics", sqlite_dir=tmp_path)
    return bootstrap(settings, bus=make_bus(settings.platform, "analytics"), store=store)


async def report_of(client: Bus, tenant: str) -> ReportV1:
    cmd = QueryReportV1(start="2026-03-01T00:00:00Z", end="2026-03-05T00:00:00Z", granularity="hour")
    reply = await client.request("analytics.commands", cmd, key=tenant, tenant_id=tenant, timeout=20)
    return ReportV1.model_validate(reply.data)


async def reports(client: Bus) -> dict[str, ReportV1]:
    return {tenant: await report_of(client, tenant) for tenant in TENANTS}


async def until_counted(client: Bus, tenant: str, sessions: int) -> ReportV1:
    for _ in range(200):
        found = await report_of(client, tenant)
        if found.totals.conversations == sessions and found.totals.satisfaction_count:
            return found
        await asyncio.sleep(0.1)
    raise AssertionError(f"rollups of {tenant} never reached {sessions} sessions: {found}")


async def test_rebuild_and_restart_give_the_live_numbers(own_broker: Broker, tmp_path: Path) -> None:
    settings = settings_for(own_broker, tmp_path)
    client = make_bus(settings.platform, "gateway")
    live = start_live(settings, tmp_path)
    await live.start()
    await client.start()
    try:
        sent = await send_day(client, TENANTS[0]) + await send_day(client, TENANTS[1])
        for tenant in TENANTS:
            await until_counted(client, tenant, 4)
        before = await reports(client)
        assert before["acme"].totals.resolved == 2 and before["acme"].totals.escalated_sessions == 2

        replayed = await rebuild(
            settings,
            bus=make_bus(settings.platform, "analytics"),
            store=open_store(database="analytics", sqlite_dir=tmp_path),
        )
        assert replayed == sent  # every event of both tenants, read again from offset 0
        assert await reports(client) == before

        # Kill and restart the live service: same group, committed offsets, nothing counted twice or lost.
        await live.stop()
        await send_day(client, "later")  # arrives while the service is down
        live = start_live(settings, tmp_path)
        await live.start()
        await until_counted(client, "later", 4)
        assert await reports(client) == before
    finally:
        await client.stop()
        await live.stop()
