"""The seed 000 WebSocket feed on a real uvicorn server: auth by header or `token`, system_status on connect,
queue_update within a second of POST /api/v1/review/queue, sentiment_alert at the tenant's level, ping/pong,
and a slow client dropped without holding up anyone."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidStatus

from libs.bus import MemoryBus
from libs.contracts.models.sentiment import SentimentAnalyzedV1
from libs.observability import HealthState
from libs.runtime import PlatformSettings
from libs.store import open_store
from services.escalation.bootstrap import bootstrap as bootstrap_escalation
from services.escalation.settings import EscalationSettings
from services.gateway.fanout.hub import Hub
from tests.support.platform import API_KEY, gateway_for_tests, serving
from tests.unit.gateway.fanout.receiver import serve_asgi


@dataclass
class Live:
    http: httpx.AsyncClient
    bus: MemoryBus
    ws_url: str


@pytest.fixture
async def live(tmp_path: Path) -> AsyncIterator[Live]:
    common = PlatformSettings(bus="memory", data_dir=tmp_path)
    bus = MemoryBus(service_name="test")
    escalation = bootstrap_escalation(EscalationSettings(platform=common), bus=bus, store=open_store(database="esc"))
    gateway = gateway_for_tests(common, bus, sentiment_alert_levels={"globex": "FRUSTRATED"}, ws_status_interval_s=0.3)
    async with (
        serving(bus, [escalation, gateway]),
        serve_asgi(gateway.app) as port,
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http,
    ):
        yield Live(http=http, bus=bus, ws_url=f"ws://127.0.0.1:{port}/websocket")


async def next_frame(ws: ClientConnection, event: str, timeout: float = 1.0) -> dict[str, Any]:  # noqa: ASYNC109
    async with asyncio.timeout(timeout):
        while True:
            frame = orjson.loads(await ws.recv())
            if frame["event"] == event:
                return dict(frame)


async def test_queue_update_within_a_second_of_post(live: Live) -> None:
    async with connect(f"{live.ws_url}?token={API_KEY}") as ws:
        status = await next_frame(ws, "system_status")
        assert set(status) == {"event", "timestamp", "data"} and status["data"]["status"] == "ok"
        started = time.perf_counter()
        body = {"query": "Where is my refund?", "response": "It was sent yesterday.", "category": "billing"}
        resp = await live.http.post("/api/v1/review/queue", json=body, headers={"Authorization": f"Bearer {API_KEY}"})
        assert resp.status_code == 200, resp.text
        update = await next_frame(ws, "queue_update")
        assert time.perf_counter() - started < 1.0
        assert update["data"]["action"] == "queued" and update["data"]["item_id"] == resp.json()["data"]["item_id"]
        assert update["data"]["queue_length"] >= 1
        await ws.send("ping")
        assert (await next_frame(ws, "pong"))["data"] == {}


async def test_system_status_repeats_on_its_interval(live: Live) -> None:
    async with connect(f"{live.ws_url}?token={API_KEY}") as ws:
        await next_frame(ws, "system_status")
        again = await next_frame(ws, "system_status", timeout=1.0)  # every 0.3 s here (30 s by default)
        assert again["data"]["connections"] >= 1 and set(again["data"]["checks"]) == {"bus", "store"}


async def test_header_auth_and_refusals(live: Live) -> None:
    async with connect(live.ws_url, additional_headers={"Authorization": f"Bearer {API_KEY}"}) as ws:
        await next_frame(ws, "system_status")
        await ws.send(orjson.dumps({"event": "ping"}).decode())
        await next_frame(ws, "pong")
    for url in (live.ws_url, f"{live.ws_url}?token=sb_forged_key"):
        with pytest.raises((InvalidStatus, ConnectionError, OSError)):
            async with connect(url) as ws:
                await ws.recv()


def _analyzed(level: str) -> SentimentAnalyzedV1:
    return SentimentAnalyzedV1(
        id="t1",
        label="negative",
        score=-0.9,
        cs_level=level,  # type: ignore[arg-type]
        irate=level == "IRATE",
        satisfaction_score=1.2,
        model="test",
        source_request_id="r1",
    )


async def test_sentiment_alert_at_the_tenant_level_only(live: Live) -> None:
    async with connect(f"{live.ws_url}?token={API_KEY}") as ws:
        await next_frame(ws, "system_status")
        await live.bus.publish("sentiment.events", _analyzed("ANGRY"), key="c1", tenant_id="default")
        await live.bus.publish("sentiment.events", _analyzed("IRATE"), key="c1", tenant_id="globex")
        await live.bus.publish("sentiment.events", _analyzed("IRATE"), key="c1", tenant_id="default")
        alert = await next_frame(ws, "sentiment_alert")
        assert alert["data"]["cs_level"] == "IRATE" and alert["data"]["conversation_id"] == "c1"
        with pytest.raises(TimeoutError):  # neither ANGRY (below IRATE) nor another tenant's alert came
            await next_frame(ws, "sentiment_alert", timeout=0.2)


async def test_a_slow_client_is_dropped_and_the_others_still_get_every_frame() -> None:
    hub = Hub(HealthState("t"), buffer=3, alert_levels={})
    slow, fast = hub.join("acme"), hub.join("acme")
    for n in range(5):
        hub.publish("acme", "queue_update", {"n": n})
        await fast.buffer.get()  # the fast client keeps up
    assert slow.dropped.is_set() and not fast.dropped.is_set()
    assert hub.publish("acme", "queue_update", {"n": 5}) == 1
