"""Seed 000's WebSocket feed (`/websocket`): frames `{"event", "timestamp", "data"}` as typed `Event`s."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.client import connect as connect_async
from websockets.sync.client import connect as connect_sync

from switchboard_sdk._transport import DEFAULT_BASE_URL
from switchboard_sdk.errors import SwitchboardError


@dataclass(frozen=True)
class Event:
    event: str  # queue_update, sentiment_alert, system_status
    timestamp: str | None
    data: dict[str, Any] = field(default_factory=dict)


def parse_frame(frame: str | bytes) -> Event:
    """One frame as an Event; a frame that is not the documented shape raises SwitchboardError, not KeyError."""
    try:
        body = json.loads(frame)
    except ValueError as exc:
        raise SwitchboardError(f"WebSocket frame is not JSON: {frame[:100]!r}") from exc
    if not isinstance(body, dict) or not isinstance(body.get("event"), str):
        raise SwitchboardError(f"WebSocket frame has no event name: {str(body)[:100]}")
    data = body.get("data")
    return Event(body["event"], body.get("timestamp"), data if isinstance(data, dict) else {"value": data})


def websocket_url(base_url: str | None = None, path: str = "/websocket") -> str:
    base = (base_url or os.environ.get("SWITCHBOARD_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
    return base.replace("https://", "wss://", 1).replace("http://", "ws://", 1) + path


class EventStream:
    """`for event in EventStream(api_key).events(): ...` (or `async for ... in .aevents()`).

    The key (API key or JWT) goes in the Authorization header; `only` keeps just the named events.
    """

    def __init__(
        self, api_key: str | None = None, *, base_url: str | None = None, only: set[str] | None = None
    ) -> None:
        self.url = websocket_url(base_url)
        key = api_key if api_key is not None else os.environ.get("SWITCHBOARD_API_KEY")
        self.headers = {"Authorization": f"Bearer {key}"} if key else {}
        self.only = only

    def events(self) -> Iterator[Event]:
        with connect_sync(self.url, additional_headers=self.headers) as ws:
            for frame in ws:
                event = parse_frame(frame)
                if self.only is None or event.event in self.only:
                    yield event

    async def aevents(self) -> AsyncIterator[Event]:
        async with connect_async(self.url, additional_headers=self.headers) as ws:
            async for frame in ws:
                event = parse_frame(frame)
                if self.only is None or event.event in self.only:
                    yield event
