"""Analytics: how fast the consumer stores events (the handler's decode + group commit of facts and rollups, no
broker) and how long one full report takes, on the SQLite store, for one tenant holding N events over 30 days.
Targets (issue 14): >= 5,000 events/s consumed, every view p50 <= 20 ms at 10^6 events for the tenant.

The events go straight to the service's handler (`event_handler`) from `LANES` concurrent lanes, as the bus's
key lanes run them (one session's events in order); the broker is left out because producing and consuming
10^6 events through Kafka on 2 shared cores would take longer than the bench itself. Every analytics endpoint
is one `Report.v1` query, so "report" stands for each of them. Printed per period: the part read from the
rollups, the whole report (its session views still read facts), and up to `SCAN_LIMIT` events the old way
(every figure aggregated from the period's facts).

Run: python -m tests.bench.bench_analytics [N ...]   (default 10000 100000)
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from collections import deque
from datetime import UTC, datetime, timedelta
from pathlib import Path

from libs.bus import Envelope
from libs.bus.base import TopicHandler
from libs.store import open_store
from services.analytics.handlers import event_handler
from services.analytics.report import _counts, _means, build_report, issues
from services.analytics.rollup_view import RollupView
from services.analytics.store import FactStore, Scope
from tests.support.analytics_traffic import DAY, SCRIPT, SessionScript, events

LANES = 64
SCAN_LIMIT = 100_000
DAYS = 30
TYPES = {
    "ConversationCreatedV1": "ConversationCreated", "MessageReceivedV1": "MessageReceived",
    "MessageRepliedV1": "MessageReplied", "SessionEscalatedV1": "SessionEscalated",
    "SessionResolvedV1": "SessionResolved", "SessionAbandonedV1": "SessionAbandoned",
}  # fmt: skip


def session_envelopes(i: int, spacing_min: float) -> list[Envelope]:
    """Session i of the tenant: one of the scripted day's four shapes, opened i * spacing minutes into the period."""
    shape = SCRIPT[i % len(SCRIPT)]
    script = SessionScript(f"s{i}", i * spacing_min, shape.channel, shape.score, shape.level, shape.escalate_to,
                           shape.outcome)  # fmt: skip
    return [
        Envelope(
            source="bench",
            type=f"conversation.{TYPES[type(e).__name__]}.v1",
            tenantid="acme",
            correlationid=f"s{i}",
            subject=f"s{i}",
            data=e.model_dump(mode="json"),
        )
        for e in events(script)
    ]


async def run_lanes(handle: TopicHandler, lanes: deque[list[Envelope]]) -> None:
    async def worker() -> None:
        while lanes:
            for env in lanes.popleft():
                await handle(env)

    await asyncio.gather(*(worker() for _ in range(LANES)))


async def ingest(facts: FactStore, n: int) -> tuple[int, float]:
    """Send about n events; (events handled, seconds spent in the handler), envelopes built outside the clock."""
    handle = event_handler(facts)
    sessions = n * len(SCRIPT) // sum(len(events(s)) for s in SCRIPT)
    spacing = DAYS * 1440 / sessions
    sent, spent, chunk = 0, 0.0, 5000
    for first in range(0, sessions, chunk):
        lanes = deque(session_envelopes(i, spacing) for i in range(first, min(first + chunk, sessions)))
        sent += sum(len(lane) for lane in lanes)
        began = time.perf_counter()
        await run_lanes(handle, lanes)
        spent += time.perf_counter() - began
    return sent, spent


async def report_p50(facts: FactStore, scope: Scope, by: str, *, rollups: bool, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        began = time.perf_counter()
        await build_report(facts, scope, by, window=timedelta(days=7), now=datetime.now(UTC), rollups=rollups)  # type: ignore[arg-type]
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


async def rollup_p50(facts: FactStore, scope: Scope, by: str, rounds: int) -> float:
    """The part of a report read from the rollups: loading the period's cells and the figures drawn from them."""
    times = []
    for _ in range(rounds):
        began = time.perf_counter()
        view = await RollupView.load(facts, scope, by)  # type: ignore[arg-type]
        _counts(view), _means(view), issues(view), view.per_bucket("message"), view.count_by("cs_level", "message")
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


async def measure(n: int) -> None:
    store = open_store(database="bench", sqlite_dir=Path(tempfile.mkdtemp()))
    facts = FactStore(store)
    await facts.ensure_indexes()
    sent, spent = await ingest(facts, n)
    print(f"{sent:>9} events  {sent / spent:>8.0f} events/s stored (handler + group commit)")
    whole = Scope("acme", DAY, DAY + timedelta(days=DAYS))
    edges = Scope("acme", DAY + timedelta(minutes=17), DAY + timedelta(days=DAYS - 1, minutes=43))
    for name, scope, by in (("30 days, daily", whole, "day"), ("30 days - edges, weekly", edges, "week"),
                            ("1 day, hourly", Scope("acme", DAY, DAY + timedelta(days=1)), "hour")):  # fmt: skip
        rounds = 5 if sent <= SCAN_LIMIT else 2
        cells = await rollup_p50(facts, scope, by, rounds=5)
        whole_ms = await report_p50(facts, scope, by, rollups=True, rounds=rounds)
        old = "-"
        if sent <= SCAN_LIMIT:
            old = f"{await report_p50(facts, scope, by, rollups=False, rounds=3):.1f}"
        print(f"{'':>9} {name:<24} p50 {cells:>6.1f} ms rollup part {whole_ms:>8.1f} ms whole report {old:>8} ms old")
    await store.close()


def main(sizes: list[int]) -> None:
    for n in sizes:
        asyncio.run(measure(n))


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [10_000, 100_000])
