"""Webhook fan-out speed: event published on the bus -> webhook received at a local receiver, p50/p99 at
200 events/s, beside a direct POST to the same receiver measured in the same run; then N subscriptions (issue 15:
1,000) with and without one endpoint that hangs 15 s (the send timeout) on every request: the delivery latency
of every other endpoint, each run at 200 deliveries/s in all.
Run: python -m tests.bench.bench_fanout [seconds] [subscriptions] [events per many-subscription run] [their rate]"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

from libs.bus import MemoryBus
from libs.contracts.models.conversation import SessionClosedV1
from libs.observability import setup_observability
from libs.store import open_store
from tests.support.platform import serving
from tests.unit.gateway.fanout import events
from tests.unit.gateway.fanout.conftest import Stack, start_stack
from tests.unit.gateway.fanout.receiver import Receiver, Reply, receiving

RATE = 200  # events per second


def _report(name: str, samples_ms: list[float]) -> float:
    p50, p99 = statistics.median(samples_ms), statistics.quantiles(samples_ms, n=100)[98]
    print(f"{name:<44} n {len(samples_ms):5d}   p50 {p50:7.2f} ms   p99 {p99:7.2f} ms")
    return p99


async def _paced(count: int, send: Callable[[str], Awaitable[None]], rate: float = RATE) -> dict[str, float]:
    sent: dict[str, float] = {}
    start = time.perf_counter()
    for n in range(count):
        await asyncio.sleep(max(0.0, start + n / rate - time.perf_counter()))
        sent[f"s{n}"] = time.perf_counter()
        await send(f"s{n}")
    return sent


def _latencies(receiver: Receiver, sent: dict[str, float], path: str | None) -> list[float]:
    """Receipt minus publish time of every request to `path` (None: to every path but /hung and /direct)."""
    out = []
    hits = receiver.on(path) if path else [r for r in receiver.requests if r.path not in ("/hung", "/direct")]
    for hit in hits:
        session = hit.json()["data"]["session_id"]
        out.append((hit.at - sent[session]) * 1000)
    return out


async def _direct(receiver: Receiver, count: int) -> list[float]:
    async with httpx.AsyncClient() as client:

        async def send(session: str) -> None:
            body = {"event": "session.closed", "data": {"session_id": session}}
            await client.post(receiver.url("/direct"), json=body)

        sent = await _paced(count, send)
    return _latencies(receiver, sent, "/direct")


async def _fanout(receiver: Receiver, count: int, subscriptions: int, hung: bool, rate: float = RATE) -> list[float]:
    receiver.requests.clear()
    receiver.by_path["/hung"] = Reply(delay_s=15.0)
    bus = MemoryBus(service_name="bench")
    with tempfile.TemporaryDirectory() as tmp:
        gateway = await start_stack(bus, open_store(database="gateway"), Path(tmp), webhook_timeout_s=15.0)
        async with serving(bus, [gateway]) as client:
            stack = Stack(client, bus, gateway, receiver)
            for i in range(subscriptions):
                path = "/hung" if hung and i == 0 else f"/endpoint{i}"
                await stack.subscribe("support_agent", ["session.closed"], path=path)
            receiver.requests.clear()

            async def send(session: str) -> None:
                event = SessionClosedV1.model_validate(events.session_closed(session))
                await bus.publish("conversation.events", event, key=session, tenant_id="default")

            # The same delivery rate whatever the subscription count: `rate` deliveries per second in all.
            cpu = time.process_time()
            sent = await _paced(count, send, rate / subscriptions)
            expected = count * (subscriptions - int(hung))
            deadline = time.perf_counter() + 120  # all of them, however late: a cut-off would hide the tail
            while len(_latencies(receiver, sent, None)) < expected and time.perf_counter() < deadline:  # noqa: ASYNC110 - polls a count
                await asyncio.sleep(0.1)
            samples = _latencies(receiver, sent, None)
            # CPU per delivery (gateway and receiver, one process) does not depend on the machine's load; latency does.
            print(f"  CPU per delivery {(time.process_time() - cpu) / max(1, len(samples)) * 1000:.2f} ms")
            return samples


async def main(seconds: float, subscriptions: int, few: int, rate: float) -> None:
    """`rate`: deliveries per second in all for the many-subscription runs. The hung-endpoint comparison is about
    isolation: past the machine's capacity both runs measure their backlog instead (CPU per delivery tells where)."""
    count = int(seconds * RATE)
    print(f"load average (1 min) {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")  # latency follows it
    async with receiving() as receiver:
        _report("direct POST to the receiver (baseline)", await _direct(receiver, count))
        _report(f"event -> webhook, 1 subscription, {RATE}/s", await _fanout(receiver, count, 1, hung=False))
        name = f"{subscriptions} subs x {few} events at {rate:g}/s"
        calm = _report(f"{name}, none hung", await _fanout(receiver, few, subscriptions, False, rate))
        hung = _report(f"{name}, one hung 15 s", await _fanout(receiver, few, subscriptions, True, rate))
        print(f"the others' p99 with a hung endpoint / without: {hung / calm:.2f} (target <= 1.20)")


if __name__ == "__main__":
    setup_observability("bench", level="WARNING", json_logs=False)
    args = sys.argv[1:]
    asyncio.run(
        main(
            float(args[0]) if args else 2.0,
            int(args[1]) if len(args) > 1 else 1000,
            int(args[2]) if len(args) > 2 else 10,
            float(args[3]) if len(args) > 3 else RATE,
        )
    )
