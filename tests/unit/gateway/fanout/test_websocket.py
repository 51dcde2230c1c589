"""The seed 000 WebSocket feed on a real uvicorn server: auth by header or `token`, system_status on connect,
queue_update within a second of POST /api/v1/review/queue, sentiment_alert at the tenant's level, ping/pong,
and a slow client dropped without holding up anyone."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.client import ClientProtocol
from websockets.exceptions import InvalidStatus
from websockets.uri import parse_uri

from libs.bus import MemoryBus
from libs.contracts.models.sentiment import SentimentAnalyzedV1
from libs.observability import HealthState
from libs.runtime import PlatformSettings
from libs.store import open_store
from services.escalation.bootstrap import bootstrap as bootstrap_escalation
from services.escalation.settings import EscalationSettings
from services.gateway.dialects.insights import websocket_routes
from services.gateway.fanout.hub import Hub, QueueSink
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


async def test_a_slow_client_is_dropped_and_the_others_still_get_every_frame(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a real socket (frames written straight to it): a client that stops reading is dropped once its unsent
    bytes pass the bound, then cut after the grace; a reading client gets every frame, in order, meanwhile."""
    monkeypatch.setattr(websocket_routes, "DROPPED_GRACE_S", 0.2)
    bus = MemoryBus(service_name="test")
    gateway = gateway_for_tests(PlatformSettings(bus="memory", data_dir=tmp_path), bus, ws_client_buffer_bytes=64 << 10)
    hub: Hub = gateway.app.state.fanout.hub  # type: ignore[union-attr]
    async with serving(bus, [gateway]), serve_asgi(gateway.app) as port:
        url = f"ws://127.0.0.1:{port}/websocket?token={API_KEY}"
        stalled = await _stalled_client(url)
        async with connect(url, max_size=None) as fast:
            await next_frame(fast, "system_status")
            blob, sent = "x" * 16_000, 0
            while hub.publish("default", "queue_update", {"n": sent, "blob": blob}) == 2:
                assert (await next_frame(fast, "queue_update"))["data"]["n"] == sent  # nothing waits on the slow one
                sent += 1
                assert sent < 5_000, "the stalled client was never dropped"
            assert (await next_frame(fast, "queue_update"))["data"]["n"] == sent  # the fast one still got it
        async with asyncio.timeout(2):
            while hub.connections:  # noqa: ASYNC110 - polls a count: the stalled client's handler ended
                await asyncio.sleep(0.01)
        # Cut after the grace (0.2 s here, not uvicorn's 10 s close timeout, which waits for the unsent bytes to
        # drain): reading what the kernel already holds, the stalled client meets the end of the stream soon.
        with stalled:
            async with asyncio.timeout(3):
                while await asyncio.get_running_loop().sock_recv(stalled, 1 << 16):
                    pass


async def _stalled_client(url: str) -> socket.socket:
    """A WebSocket client that completes the handshake and then never reads (small receive buffer, so the server's
    side fills soon)."""
    protocol = ClientProtocol(parse_uri(url))
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # before connect: it bounds the advertised window
    sock.setblocking(False)
    loop = asyncio.get_running_loop()
    await loop.sock_connect(sock, ("127.0.0.1", parse_uri(url).port))
    protocol.send_request(protocol.connect())
    await loop.sock_sendall(sock, b"".join(protocol.data_to_send()))
    async with asyncio.timeout(2):
        answer = await loop.sock_recv(sock, 1024)  # the 101 (and maybe the first frames): then it stops reading
    assert answer.startswith(b"HTTP/1.1 101")
    return sock


async def test_a_server_without_the_frame_writer_still_serves_the_feed(tmp_path: Path) -> None:
    """Plain uvicorn (no `switchboard.frame_writer` in the scope): frames go through ASGI `send` from a pump task."""
    bus = MemoryBus(service_name="test")
    gateway = gateway_for_tests(PlatformSettings(bus="memory", data_dir=tmp_path), bus)
    async with (
        serving(bus, [gateway]),
        serve_asgi(gateway.app, ws="websockets-sansio") as port,
        connect(f"ws://127.0.0.1:{port}/websocket?token={API_KEY}") as ws,
    ):
        await next_frame(ws, "system_status")
        await bus.publish("sentiment.events", _analyzed("IRATE"), key="c1", tenant_id="default")
        assert (await next_frame(ws, "sentiment_alert"))["data"]["conversation_id"] == "c1"
        await ws.send("ping")
        await next_frame(ws, "pong")


async def test_without_a_frame_writer_frames_queue_with_the_same_bound() -> None:
    """A server that offers no frame writer (not libs.runtime's protocol): frames wait in a byte-bounded queue for the
    handler's pump; a client that lets it fill is dropped, the others keep every frame."""
    hub = Hub(HealthState("t"), buffer_bytes=250, alert_levels={})
    slow, fast = hub.join("acme", None), hub.join("acme", None)
    assert isinstance(slow.sink, QueueSink) and isinstance(fast.sink, QueueSink)
    for n in range(5):
        assert hub.publish("acme", "queue_update", {"n": n}) >= 1
        assert orjson.loads(await fast.sink.get())["data"] == {"n": n}  # the fast client keeps up
    assert slow.dropped.is_set() and not fast.dropped.is_set()
    assert hub.publish("acme", "queue_update", {"n": 5}) == 1
