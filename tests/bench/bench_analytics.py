"""Analytics: how fast the consumer stores events (the handler's decode + group commit of facts and rollups, no
broker) and how long one full report takes, on the SQLite store, for one tenant holding N events over 30 days.
Targets (issue 14): >= 5,000 events/s consumed, every view p50 <= 20 ms at 10^6 events for the tenant.

The events go straight to the service's handler (`event_handler`) from `LANES` concurrent lanes, as the bus's
key lanes run them (one session's events in order); the broker is left out because producing and consuming
10^6 events through Kafka on 2 shared cores would take longer than the bench itself. Printed: the p50 of each
analytics endpoint, as the report(s) its gateway route asks the service for (`endpoints`) and of the
conversation listings; up to `SCAN_LIMIT` events also the same reports computed from the facts (the reference
the rollups are tested against, far too slow beyond that). Wall-clock figures: on a loaded machine the process
gets a fraction of a core, so the CPU time of the ingest is printed beside.

Run: python -m tests.bench.bench_analytics [N ...]   (default 10000 100000)
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from collections import deque
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from libs.bus import Envelope
from libs.bus.base import TopicHandler
from libs.store import open_store
from services.analytics.handlers import event_handler
from services.analytics.listing import list_conversations
from services.analytics.report import build_report
from services.analytics.store import FactStore, Scope
from tests.support.analytics_traffic import DAY, SCRIPT, SessionScript, events

LANES = 64
SCAN_LIMIT = 20_000
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


def endpoints(end: datetime) -> list[tuple[str, list[tuple[Scope, str]]]]:
    """Each analytics endpoint as the report(s) its gateway route asks for (services/gateway/dialects), over the
    periods a caller would pass (dates, or "now"-relative at a minute that is not on the hour)."""
    month = Scope("acme", end - timedelta(days=DAYS), end)
    years = Scope("acme", end - timedelta(days=730), end)
    days = Scope("acme", DAY, DAY + timedelta(days=DAYS))
    return [
        ("000 /api/v1/analytics/summary daily", [(days, "day")]),
        ("000 /api/v1/analytics/summary weekly", [(days, "week")]),
        ("000 /api/v1/analytics/summary monthly", [(days, "month")]),
        ("001 /api/metrics timeframe=hour (1 day)", [(Scope("acme", end - timedelta(days=1), end), "hour")]),
        ("001 /api/metrics timeframe=week (30 d)", [(month, "week")]),
        ("001 /api/metrics/session/{id}", [(replace(month, session_id="s7"), "month")]),
        ("001 /api/status", [(Scope("acme", end - timedelta(days=1), end), "hour"),
                             (Scope("acme", end - timedelta(hours=1), end), "hour")]),
        ("002 /cs/analytics groupBy=day", [(month, "day")]),
        ("003 /api/v1/analytics group_by=week", [(days, "week")]),
        ("004 /admin/analytics/system", [(years, "month"), (month, "month")]),
        ("004 /admin/analytics/user/{id}", [(replace(years, customer_id="cust-s7"), "month"),
                                            (replace(month, customer_id="cust-s7"), "month")]),
    ]  # fmt: skip


async def endpoint_p50(facts: FactStore, reports: list[tuple[Scope, str]], now: datetime, *, rollups: bool,
                       rounds: int) -> float:  # fmt: skip
    times = []
    for _ in range(rounds):
        began = time.perf_counter()
        for scope, by in reports:
            await build_report(facts, scope, by, window=timedelta(days=7), now=now, rollups=rollups)  # type: ignore[arg-type]
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


async def past_periods(facts: FactStore, now: datetime, rounds: int = 7) -> None:
    """The two-report endpoints over a past period ending mid-hour (the rest of its hour holds facts, so its edge
    is read from the facts): cold, a new end minute each round (the first report reads the edge, the second
    reuses it), and again, the same period once more (edges.py). CPU ms beside: this machine is shared."""
    past = DAY + timedelta(days=DAYS * 2 // 3, hours=10, minutes=17)
    for name in ("001 /api/status", "004 /admin/analytics/system"):
        runs = ("cold", "again", "uncached")
        times: dict[str, list[float]] = {key: [] for run in runs for key in (run, f"{run} cpu")}
        for i in range(rounds):
            reports = dict(endpoints(past + timedelta(minutes=2 * i)))[name]
            for run in runs:
                began, cpu = time.perf_counter(), time.process_time()
                for scope, by in reports:
                    if run == "uncached":  # the baseline: every report reads its edge
                        facts.edges.clear()
                    await build_report(facts, scope, by, window=timedelta(days=7), now=now)  # type: ignore[arg-type]
                times[run].append((time.perf_counter() - began) * 1000)
                times[f"{run} cpu"].append((time.process_time() - cpu) * 1000)
        p50 = {run: statistics.median(values) for run, values in times.items()}
        print(f"{'':>9} {name + ' past, ends mid-hour':<42} p50 {p50['cold']:>7.1f} ms ({p50['cold cpu']:.1f} CPU), "
              f"again {p50['again']:.1f} ({p50['again cpu']:.1f}), uncached {p50['uncached']:.1f} "
              f"({p50['uncached cpu']:.1f})")  # fmt: skip


async def listing_p50(facts: FactStore, metric: str, now: datetime, rounds: int) -> float:
    times = []
    scope = Scope("acme", DAY, DAY + timedelta(days=DAYS))
    for _ in range(rounds):
        began = time.perf_counter()
        await list_conversations(facts, scope, metric, limit=50, offset=50, window=timedelta(days=7), now=now)
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


async def measure(n: int) -> None:
    store = open_store(database="bench", sqlite_dir=Path(tempfile.mkdtemp()))
    facts = FactStore(store)
    await facts.ensure_indexes()
    cpu = time.process_time()
    sent, spent = await ingest(facts, n)
    cpu = time.process_time() - cpu
    print(f"{sent:>9} events  {sent / spent:>8.0f} events/s stored (handler + group commit), {sent / cpu:.0f}/CPU s")
    end = DAY + timedelta(days=DAYS, minutes=43)  # "now": 3 min after the last event, a minute not on the hour
    scan = sent <= SCAN_LIMIT
    for name, reports in endpoints(end):
        ms = await endpoint_p50(facts, reports, end, rollups=True, rounds=7)
        old = f"{await endpoint_p50(facts, reports, end, rollups=False, rounds=1):.1f}" if scan else "-"
        print(f"{'':>9} {name:<42} p50 {ms:>7.1f} ms   (fact scan {old:>7} ms)")
    await past_periods(facts, end)
    for metric in ("conversations", "escalated", "durable_resolved"):
        ms = await listing_p50(facts, metric, end, rounds=5)
        print(f"{'':>9} {'003 /api/v1/analytics/conversations ' + metric:<42} p50 {ms:>7.1f} ms")
    await store.close()


def main(sizes: list[int]) -> None:
    for n in sizes:
        asyncio.run(measure(n))


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [10_000, 100_000])
