"""The WebSocket helper against a tiny local server speaking the `/websocket` frame format of seed 000's feed."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest
from websockets.asyncio.server import ServerConnection, serve

from switchboard_sdk import Event, EventStream, SwitchboardError

FRAMES = [
    {"event": "system_status", "timestamp": "2026-01-12T15:40:00Z", "data": {"status": "ok"}},
    {"event": "queue_update", "timestamp": "2026-01-12T15:40:01Z", "data": {"item_id": "rev_1", "action": "added"}},
    {"event": "sentiment_alert", "timestamp": "2026-01-12T15:40:02Z", "data": {"score": -0.9}},
]


@pytest.fixture
async def feed() -> AsyncIterator[tuple[str, list[str]]]:
    auth_seen: list[str] = []

    async def handler(ws: ServerConnection) -> None:
        auth_seen.append(ws.request.headers.get("Authorization", "") if ws.request else "")
        if ws.request and ws.request.path != "/websocket":
            await ws.close(4404)
            return
        for frame in FRAMES:
            await ws.send(json.dumps(frame))
        await ws.close()

    async with serve(handler, "127.0.0.1", 0) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        yield f"http://127.0.0.1:{port}", auth_seen


async def test_async_events_are_typed_and_filtered(feed: tuple[str, list[str]]) -> None:
    url, auth_seen = feed
    stream = EventStream("sb_key", base_url=url, only={"queue_update", "sentiment_alert"})
    got = [event async for event in stream.aevents()]
    assert [e.event for e in got] == ["queue_update", "sentiment_alert"]
    assert got[0] == Event("queue_update", "2026-01-12T15:40:01Z", {"item_id": "rev_1", "action": "added"})
    assert auth_seen == ["Bearer sb_key"]


async def test_sync_events(feed: tuple[str, list[str]]) -> None:
    url, _ = feed
    got = await asyncio.to_thread(lambda: list(EventStream("sb_key", base_url=url).events()))
    assert [e.event for e in got] == ["system_status", "queue_update", "sentiment_alert"]


def test_malformed_frames_raise_sdk_errors() -> None:
    from switchboard_sdk.events import parse_frame

    with pytest.raises(SwitchboardError):
        parse_frame("not json")
    with pytest.raises(SwitchboardError):
        parse_frame(json.dumps({"data": {}}))
