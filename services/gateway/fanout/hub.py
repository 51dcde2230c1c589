"""The WebSocket feed's fan-out: per-tenant clients, each with a bounded frame buffer. Publishing never waits on a
client: one whose buffer is full is dropped (closed), so a slow reader cannot slow the others down."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import orjson

from libs.observability import HealthState
from services.gateway.dialects.base import naive_utc_timestamp

CS_LEVELS = ("HAPPY", "SATISFIED", "NEUTRAL", "FRUSTRATED", "ANGRY", "IRATE")  # best to worst


def frame(event: str, data: dict[str, Any]) -> str:
    """Seed 000's frame: {"event", "timestamp", "data"} (its timestamp style)."""
    return orjson.dumps({"event": event, "timestamp": naive_utc_timestamp(), "data": data}).decode()


@dataclass(eq=False)
class Client:
    tenant_id: str
    buffer: asyncio.Queue[str]
    dropped: asyncio.Event = field(default_factory=asyncio.Event)

    def offer(self, text: str) -> bool:
        if self.dropped.is_set():
            return False
        try:
            self.buffer.put_nowait(text)
        except asyncio.QueueFull:
            self.dropped.set()  # the connection handler sees it and closes the socket
            return False
        return True


class Hub:
    def __init__(
        self, health: HealthState, *, buffer: int = 256, alert_level: str = "IRATE", alert_levels: dict[str, str]
    ) -> None:
        self._health = health
        self._buffer = buffer
        self._default_level = alert_level
        self._levels = alert_levels  # tenant -> level at or beyond which a sentiment_alert is sent
        self._clients: dict[str, set[Client]] = {}

    def join(self, tenant_id: str) -> Client:
        client = Client(tenant_id, asyncio.Queue(maxsize=self._buffer))
        self._clients.setdefault(tenant_id, set()).add(client)
        return client

    def leave(self, client: Client) -> None:
        clients = self._clients.get(client.tenant_id, set())
        clients.discard(client)
        if not clients:
            self._clients.pop(client.tenant_id, None)

    @property
    def connections(self) -> int:
        return sum(len(c) for c in self._clients.values())

    def publish(self, tenant_id: str, event: str, data: dict[str, Any]) -> int:
        text = frame(event, data)  # serialised once for every client
        return sum(client.offer(text) for client in list(self._clients.get(tenant_id, ())))

    def alerts_at(self, tenant_id: str, cs_level: str) -> bool:
        threshold = self._levels.get(tenant_id, self._default_level)
        return CS_LEVELS.index(cs_level) >= CS_LEVELS.index(threshold)

    async def status(self) -> dict[str, Any]:
        checks = await self._health.readiness()
        return {
            "status": "ok" if all(checks.values()) else "degraded",
            "checks": checks,
            "connections": self.connections,
        }

    async def broadcast_status(self) -> None:
        data = await self.status()
        for tenant_id in list(self._clients):
            self.publish(tenant_id, "system_status", data)

    async def status_loop(self, interval_s: float) -> None:
        while True:
            await asyncio.sleep(interval_s)
            await self.broadcast_status()
