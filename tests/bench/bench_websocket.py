"""WebSocket feed speed (issue 15: 1,000 clients connected, event -> all clients p99 <= 200 ms): review-queue events
published on the bus reach every client of the tenant. The gateway (uvicorn, in this process) serves the feed;
the clients run in a second process, so their cost is not the gateway's. Latency is each frame's arrival at each
client minus the event's publish time (wall clock, one machine), beside the same with one client.
Run: python -m tests.bench.bench_websocket [clients] [events]"""

from __future__ import annotations

import asyncio
import os
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import orjson
from websockets.client import ClientProtocol
from websockets.frames import Frame, Opcode
from websockets.http11 import Response
from websockets.uri import parse_uri

from libs.bus import MemoryBus
from libs.contracts.models.escalation import ReviewQueuedV1
from libs.observability import setup_observability
from libs.runtime import PlatformSettings
from tests.support.platform import API_KEY, gateway_for_tests, serving
from tests.unit.gateway.fanout.receiver import serve_asgi

EVENTS_PER_S = 5  # well apart, so each measures one event's fan-out to every client
CONNECTS_AT_ONCE = 50


def _raise_fd_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 65536)), hard))


# -- the client process --------------------------------------------------------------------------------------
class _FeedClient(asyncio.Protocol):
    """One real WebSocket client (websockets' sans-I/O client: handshake, unmasked frames, pings answered) that
    stamps each frame with the time its bytes reached this process. An asyncio `connect()` client per socket costs
    ~30 us of this process's CPU per frame (a task wake-up, its queue) on the same 2 CPUs as the gateway: 1,000 of
    them added ~30 ms to the last client's figure that no real client (its own machine) would add."""

    def __init__(self, url: str, events: int) -> None:
        self._ws = ClientProtocol(parse_uri(url), max_size=None)
        self._events = events
        self.opened: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.done: asyncio.Future[list[float]] = asyncio.get_running_loop().create_future()
        self.latencies: list[float] = []
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]
        self._ws.send_request(self._ws.connect())
        self._flush()

    def data_received(self, data: bytes) -> None:
        arrived = time.time()
        self._ws.receive_data(data)
        for event in self._ws.events_received():
            if isinstance(event, Response):
                self._opened(event.status_code)
            elif isinstance(event, Frame) and event.opcode is Opcode.TEXT:
                self._on_text(bytes(event.data), arrived)
        self._flush()  # pongs, close replies

    def _opened(self, status: int) -> None:
        if self.opened.done():
            return
        if status == 101:
            self.opened.set_result(None)
        else:
            self.opened.set_exception(ConnectionError(f"handshake answered {status}"))

    def close(self) -> None:
        self._ws.send_close()
        self._flush()

    def _on_text(self, payload: bytes, arrived: float) -> None:
        frame = orjson.loads(payload)
        if frame["event"] == "queue_update" and not self.done.done():
            published = datetime.fromisoformat(frame["data"]["created_at"]).timestamp()
            self.latencies.append((arrived - published) * 1000)
            if len(self.latencies) == self._events:
                self.done.set_result(self.latencies)

    def connection_lost(self, exc: Exception | None) -> None:
        for future in (self.opened, self.done):
            if not future.done():
                future.set_exception(exc or ConnectionError("closed early"))

    def _flush(self) -> None:
        if self._transport is not None and (out := self._ws.data_to_send()):
            self._transport.write(b"".join(out))


async def _client(url: str, gate: asyncio.Semaphore, events: int) -> _FeedClient:
    host, port = parse_uri(url).host, parse_uri(url).port
    async with gate:
        _transport, client = await asyncio.get_running_loop().create_connection(
            lambda: _FeedClient(url, events), host, port
        )
        await asyncio.wait_for(client.opened, 60)
    return client


async def clients_main(url: str, count: int, events: int) -> None:
    """Connect `count` clients, say "ready" on stdout, then print every frame latency as one JSON list."""
    gate = asyncio.Semaphore(CONNECTS_AT_ONCE)
    clients = await asyncio.gather(*(_client(url, gate, events) for _ in range(count)))
    print("ready", flush=True)
    cpu = time.process_time()
    results = await asyncio.gather(*(c.done for c in clients))
    out = {"latencies": [x for r in results for x in r], "cpu_s": time.process_time() - cpu}
    for client in clients:
        client.close()
    print(orjson.dumps(out).decode(), flush=True)


# -- the gateway process -------------------------------------------------------------------------------------
@asynccontextmanager
async def _feed() -> AsyncIterator[tuple[MemoryBus, str]]:
    bus = MemoryBus(service_name="bench")
    with tempfile.TemporaryDirectory() as tmp:
        common = PlatformSettings(bus="memory", data_dir=Path(tmp))
        gateway = gateway_for_tests(common, bus, ws_status_interval_s=3600.0)
        async with serving(bus, [gateway]), serve_asgi(gateway.app) as port:
            yield bus, f"ws://127.0.0.1:{port}/websocket?token={API_KEY}"


async def _run(clients: int, events: int) -> tuple[list[float], float, float]:
    """Every frame latency, and the CPU seconds per event of the gateway and of the clients' process."""
    async with _feed() as (bus, url):
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.bench.bench_websocket", "--clients", url, str(clients), str(events),
            stdout=asyncio.subprocess.PIPE, limit=64 << 20,  # the latencies come back as one JSON line
        )  # fmt: skip
        assert proc.stdout is not None
        async with asyncio.timeout(300):
            assert (await proc.stdout.readline()).strip() == b"ready"
        await asyncio.sleep(1.0)  # connections settled (their system_status frames sent)
        cpu = time.process_time()
        for n in range(events):
            queued = ReviewQueuedV1(
                item_id=f"rev_{n}",
                category="billing",
                priority=3,
                created_at=datetime.now(UTC).isoformat(),  # the publish time every client measures from
                estimated_review_time="5 minutes",
                queue_length=n + 1,
            )
            await bus.publish("escalation.events", queued, key=f"rev_{n}", tenant_id="default")
            await asyncio.sleep(1 / EVENTS_PER_S)
        async with asyncio.timeout(120):
            out = orjson.loads(await proc.stdout.readline())
        gateway_cpu = time.process_time() - cpu
        await proc.wait()
    return list(out["latencies"]), gateway_cpu / events, out["cpu_s"] / events


def _report(name: str, run: tuple[list[float], float, float]) -> float:
    samples, gateway_cpu, clients_cpu = run
    p50, p99 = statistics.median(samples), statistics.quantiles(samples, n=100, method="inclusive")[98]
    print(
        f"{name:<32} n {len(samples):6d}   p50 {p50:7.2f} ms   p99 {p99:7.2f} ms   max {max(samples):7.2f} ms   "
        f"CPU per event: gateway {gateway_cpu * 1000:6.1f} ms, clients {clients_cpu * 1000:6.1f} ms"
    )
    return p99


async def main(clients: int, events: int) -> None:
    # Latency on a shared machine follows its load; the CPU per event does not.
    print(f"load average (1 min) {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    _report("event -> 1 client (baseline)", await _run(1, events))
    p99 = _report(f"event -> all of {clients} clients", await _run(clients, events))
    print(f"p99 {p99:.1f} ms (target <= 200 ms)")


if __name__ == "__main__":
    _raise_fd_limit()
    if len(sys.argv) > 1 and sys.argv[1] == "--clients":
        asyncio.run(clients_main(sys.argv[2], int(sys.argv[3]), int(sys.argv[4])))
    else:
        setup_observability("bench", level="WARNING", json_logs=False)
        args = sys.argv[1:]
        asyncio.run(main(int(args[0]) if args else 1000, int(args[1]) if len(args) > 1 else 20))
