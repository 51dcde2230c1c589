"""Dashboards refresh from the event stream: once the analytics service has counted a tenant's events it
publishes analytics.RollupsUpdated, and the gateway's WebSocket sends that tenant (only) an `analytics_update`
frame, by which time a report already holds the new numbers."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import orjson
from websockets.asyncio.client import ClientConnection, connect

from libs.bus import MemoryBus
from libs.runtime import PlatformSettings
from libs.store import open_store
from services.analytics.bootstrap import bootstrap
from services.analytics.settings import AnalyticsSettings
from tests.support.analytics_traffic import SCRIPT, events
from tests.support.platform import API_KEY, gateway_for_tests, serving
from tests.unit.gateway.fanout.receiver import serve_asgi


async def frames(ws: ClientConnection, event: str, timeout: float) -> list[dict[str, Any]]:  # noqa: ASYNC109
    """Every `event` frame received within `timeout`."""
    found: list[dict[str, Any]] = []
    try:
        async with asyncio.timeout(timeout):
            while True:
                frame = orjson.loads(await ws.recv())
                if frame["event"] == event:
                    found.append(frame)
    except TimeoutError:
        return found


async def test_counted_events_reach_the_tenants_dashboards_as_one_frame_a_second(tmp_path: Path) -> None:
    common = PlatformSettings(bus="memory", data_dir=tmp_path)
    bus = MemoryBus(service_name="test")
    analytics = bootstrap(
        AnalyticsSettings(platform=common, notify_interval_s=0.2), bus=bus, store=open_store(database="a")
    )
    gateway = gateway_for_tests(common, bus)
    async with (
        serving(bus, [analytics, gateway]),
        serve_asgi(gateway.app) as port,
        connect(f"ws://127.0.0.1:{port}/websocket?token={API_KEY}") as ws,
    ):
        sent = 0
        for script in SCRIPT[:2]:
            for event in events(script):
                await bus.publish("conversation.events", event, key=script.session_id, tenant_id="default")
                sent += 1
        for event in events(SCRIPT[2]):  # another tenant's traffic: no frame for this dashboard
            await bus.publish("conversation.events", event, key="x", tenant_id="globex")
        updates = await frames(ws, "analytics_update", timeout=1.0)
        assert updates and sum(u["data"]["events"] for u in updates) == sent
        assert len(updates) < sent  # batched: at most one notice per tenant per interval, not one per event
        assert updates[-1]["data"]["last_activity_at"].startswith("2026-03-02")
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            resp = await http.get(
                "/api/v1/analytics/summary",
                params={"start_date": "2026-03-01", "end_date": "2026-03-05"},
                headers={"Authorization": f"Bearer {API_KEY}"},
            )
        assert resp.status_code == 200 and resp.json()["data"]["total_conversations"] == 2, resp.text
