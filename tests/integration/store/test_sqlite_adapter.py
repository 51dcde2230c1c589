"""SQLite adapter specifics: committed writes survive SIGKILL (WAL); one connection is safe across threads."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import textwrap
from pathlib import Path

import pytest

from libs.store import open_store
from libs.store.sqlite import SQLiteStore
from libs.store.sqlite_query import compile_where

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[3]

WRITER = textwrap.dedent(
    """
    import asyncio, os, signal, sys
    from pathlib import Path
    from libs.store import open_store

    async def main():
        store = open_store(database="svc", sqlite_dir=Path(sys.argv[1]))
        col = store.collection("messages")
        for i in range(50):
            await col.insert({"id": f"m{i}", "i": i})
        await col.increment("m0", "hits", 7)
        os.kill(os.getpid(), signal.SIGKILL)  # no close(), no checkpoint

    asyncio.run(main())
    """
)


async def test_committed_writes_survive_sigkill(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    writer = await asyncio.create_subprocess_exec(sys.executable, "-c", WRITER, str(tmp_path), env=env)
    assert await asyncio.wait_for(writer.wait(), timeout=60) == -signal.SIGKILL
    assert (tmp_path / "svc.sqlite3-wal").exists()  # the data still sits in the write-ahead log
    store = open_store(database="svc", sqlite_dir=tmp_path)
    try:
        col = store.collection("messages")
        assert await col.count() == 50
        assert (await col.get("m0"))["hits"] == 7
        assert await store.ping()
    finally:
        await store.close()


async def test_one_connection_serves_threads_safely(tmp_path: Path) -> None:
    store = open_store(database="svc", sqlite_dir=tmp_path)
    col = store.collection("counters")
    await col.insert({"id": "c", "n": 0})

    def bump() -> None:
        for _ in range(50):
            asyncio.run(col.increment("c", "n"))

    await asyncio.gather(*(asyncio.to_thread(bump) for _ in range(4)))
    assert (await col.get("c"))["n"] == 200
    await store.close()


async def test_filters_use_the_expression_indexes() -> None:
    store = SQLiteStore(":memory:")
    await store.collection("m").ensure_index(["tenant_id", "session_id"])
    where, params = compile_where({"tenant_id": "t", "session_id": "s", "n": {"$gt": 1}})
    sql = f'EXPLAIN QUERY PLAN SELECT doc FROM "m" WHERE {where}'
    plan = store.run(lambda conn: conn.execute(sql, params).fetchall())
    assert "USING INDEX ix:m:tenant_id,session_id" in " ".join(row[3] for row in plan)
    await store.close()
