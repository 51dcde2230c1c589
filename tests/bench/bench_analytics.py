"""Analytics: how fast facts are stored (the consumer's per-event work, no broker) and how long one full report
takes as a tenant's facts grow, on the SQLite store. Targets (issue 14): >= 5,000 events/s consumed, every
view p50 <= 20 ms at 10^6 events per tenant. Views aggregate facts at query time today, so the report time grows
with the period's facts; the printed sizes show the curve rather than reaching 10^6.

Run: python -m tests.bench.bench_analytics [N ...]   (default 1000 10000)
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from libs.store import open_store
from services.analytics.domain import Fact
from services.analytics.report import build_report
from services.analytics.store import FactStore, Scope

KINDS = ("conversation", "message", "reply", "message", "reply", "resolved")
VALUES = {
    "channel": "chat", "tier": "AI_REP", "sentiment_score": 0.3, "sentiment_label": "positive", "cs_level": "SATISFIED",
    "latency_ms": 200, "model": "local", "provider": "local", "tokens_input": 10, "tokens_output": 5,
    "cost_usd": 0.001, "duration_s": 60.0, "ai_resolved": True,
}  # fmt: skip


async def measure(n: int, rounds: int = 5) -> tuple[float, float]:
    """(facts stored per second, report p50 ms) for `n` facts of one tenant, one a minute, six per session."""
    store = open_store(database="bench", sqlite_dir=Path(tempfile.mkdtemp()))
    facts = FactStore(store)
    await facts.ensure_indexes()
    start = datetime(2026, 1, 1, tzinfo=UTC)
    began = time.perf_counter()
    for i in range(n):
        at = start + timedelta(minutes=i)
        await facts.record(Fact(f"e{i}", "acme", KINDS[i % 6], at, f"s{i // 6}", f"c{i // 60}", VALUES))
    rate = n / (time.perf_counter() - began)
    scope = Scope("acme", start, start + timedelta(minutes=n + 1))
    times = []
    for _ in range(rounds):
        began = time.perf_counter()
        await build_report(facts, scope, "day", window=timedelta(days=7), now=datetime.now(UTC))
        times.append((time.perf_counter() - began) * 1000)
    await store.close()
    return rate, statistics.median(times)


def main(sizes: list[int]) -> None:
    print(f"{'facts':>8} {'stored/s':>10} {'report p50 ms':>14}")
    for n in sizes:
        rate, p50 = asyncio.run(measure(n))
        print(f"{n:>8} {rate:>10.0f} {p50:>14.1f}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000, 10000])
