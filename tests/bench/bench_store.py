"""Document-store latency: the SQLite adapter's per-operation and per-turn figures against raw aiosqlite.

Run: python -m tests.bench.bench_store   (prints p50/p99 in microseconds and the ratio to the baseline)
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiosqlite
import orjson

from libs.store import open_store

N = 2000


def _summary(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1e6, ordered[int(len(ordered) * 0.99) - 1] * 1e6


async def _time(op: Callable[[int], Awaitable[object]]) -> tuple[float, float]:
    samples = []
    for i in range(N):
        start = time.perf_counter()
        await op(i)
        samples.append(time.perf_counter() - start)
    return _summary(samples)


async def bench_adapter(directory: Path) -> dict[str, tuple[float, float]]:
    store = open_store(database="bench", sqlite_dir=directory)
    msgs = store.collection("messages")
    await msgs.ensure_index(["tenant_id", "session_id"])
    sessions = store.collection("sessions")
    await sessions.insert({"id": "s", "tenant_id": "t", "turns": 0})
    doc = lambda i: {"id": f"m{i}", "tenant_id": "t", "session_id": f"s{i % 50}", "text": "x" * 200, "i": i}  # noqa: E731
    figures = {
        "insert": await _time(lambda i: msgs.insert(doc(i))),
        "get": await _time(lambda i: msgs.get(f"m{i}")),
        "update": await _time(lambda i: msgs.update(f"m{i}", {"meta.seen": True})),
        "find 10 (indexed)": await _time(
            lambda i: msgs.find({"tenant_id": "t", "session_id": f"s{i % 50}"}, sort=[("i", -1)], limit=10)
        ),
    }

    async def turn(i: int) -> None:
        await sessions.get("s")
        await msgs.insert(doc(N + i))
        await sessions.increment("s", "turns")
        await msgs.find({"tenant_id": "t", "session_id": f"s{i % 50}"}, sort=[("i", -1)], limit=10)

    figures["turn (4 ops)"] = await _time(turn)
    await store.close()
    return figures


async def bench_aiosqlite(directory: Path) -> dict[str, tuple[float, float]]:
    conn = await aiosqlite.connect(directory / "baseline.sqlite3", isolation_level=None)
    await conn.execute("PRAGMA journal_mode=WAL")
    await conn.execute("PRAGMA synchronous=NORMAL")
    await conn.execute("CREATE TABLE m (id TEXT PRIMARY KEY, doc TEXT NOT NULL)")

    async def insert(i: int) -> None:
        body = {"id": f"m{i}", "tenant_id": "t", "session_id": f"s{i % 50}", "text": "x" * 200, "i": i}
        await conn.execute("INSERT INTO m VALUES (?, ?)", (body["id"], orjson.dumps(body).decode()))

    async def get(i: int) -> None:
        async with conn.execute("SELECT doc FROM m WHERE id = ?", (f"m{i}",)) as cursor:
            orjson.loads((await cursor.fetchone())[0])  # type: ignore[index]

    figures = {"insert": await _time(insert), "get": await _time(get)}
    await conn.close()
    return figures


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        ours = await bench_adapter(Path(tmp))
        base = await bench_aiosqlite(Path(tmp))
    print(f"document store, SQLite file (WAL), {N} ops each; microseconds")
    print(f"{'operation':<20}{'p50':>9}{'p99':>9}{'raw aiosqlite p50':>20}{'ratio':>8}")
    for name, (p50, p99) in ours.items():
        baseline = base.get(name)
        extra = f"{baseline[0]:>20.1f}{baseline[0] / p50:>7.1f}x" if baseline else ""
        print(f"{name:<20}{p50:>9.1f}{p99:>9.1f}{extra}")
    print("ratio = raw aiosqlite p50 / adapter p50 (above 1: the adapter is faster)")


if __name__ == "__main__":
    asyncio.run(main())
