"""The WebSocket feed's fan-out: per-tenant clients, each with a bounded buffer. Publishing never waits on a client:
a frame is encoded once and written to every client's socket in one pass (no task or ASGI `send` per client); a
client whose unsent bytes would pass the bound is dropped (closed), so a slow reader cannot slow the others down."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import orjson

from libs.observability import HealthState
from libs.runtime.websocket import FrameWriter, text_frame
from services.gateway.dialects.base import naive_utc_timestamp

CS_LEVELS = ("HAPPY", "SATISFIED", "NEUTRAL", "FRUSTRATED", "ANGRY", "IRATE")  # best to worst


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One frame, encoded once for every client: the JSON text and the same as a ready WebSocket frame."""

    payload: bytes  # UTF-8 JSON text
    wire: bytes  # `payload` as one server-to-client text frame, written as is to every direct socket


def frame(event: str, data: dict[str, Any]) -> Outgoing:
    """Seed 000's frame: {"event", "timestamp", "data"} (its timestamp style)."""
    payload = orjson.dumps({"event": event, "timestamp": naive_utc_timestamp(), "data": data})
    return Outgoing(payload, text_frame(payload))


class DirectSink:
    """Frames go straight to the socket (uvicorn's `FrameWriter`); the bound is the bytes the kernel has not taken."""

    def __init__(self, writer: FrameWriter, limit: int) -> None:
        self.writer = writer
        self._limit = limit

    def put(self, out: Outgoing) -> bool:
        if self.writer.buffered() + len(out.wire) > self._limit:
            return False
        self.writer.write(out.wire)  # False once closing: the connection handler is finishing anyway
        return True


class QueueSink:
    """Frames wait for the connection's pump task, which sends them through ASGI `send` (a server offering no
    frame writer); the bound is the bytes queued."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._queued = 0
        self._frames: asyncio.Queue[Outgoing] = asyncio.Queue()

    def put(self, out: Outgoing) -> bool:
        if self._queued + len(out.payload) > self._limit:
            return False
        self._queued += len(out.payload)
        self._frames.put_nowait(out)
        return True

    async def get(self) -> str:
        out = await self._frames.get()
        self._queued -= len(out.payload)
        return out.payload.decode()


@dataclass(eq=False)
class Client:
    tenant_id: str
    sink: DirectSink | QueueSink
    dropped: asyncio.Event = field(default_factory=asyncio.Event)

    def offer(self, out: Outgoing) -> bool:
        if self.dropped.is_set():
            return False
        if not self.sink.put(out):
            self.dropped.set()  # the connection handler sees it and closes the socket
            return False
        return True


class Hub:
    def __init__(
        self,
        health: HealthState,
        *,
        buffer_bytes: int = 1 << 20,
        alert_level: str = "IRATE",
        alert_levels: dict[str, str],
    ) -> None:
        self._health = health
        self._buffer_bytes = buffer_bytes
        self._default_level = alert_level
        self._levels = alert_levels  # tenant -> level at or beyond which a sentiment_alert is sent
        self._clients: dict[str, set[Client]] = {}

    def join(self, tenant_id: str, writer: FrameWriter | None) -> Client:
        """A client fed through `writer` when the server offers one, else through a queue its handler pumps."""
        sink = DirectSink(writer, self._buffer_bytes) if writer else QueueSink(self._buffer_bytes)
        client = Client(tenant_id, sink)
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
        """Offer one frame to every client of the tenant, now: a direct client's frame is on its socket (or in its
        transport's buffer) when this returns. Nothing here waits on a client."""
        out = frame(event, data)  # serialised and framed once for every client
        return sum(client.offer(out) for client in list(self._clients.get(tenant_id, ())))

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
