"""kill -9 a consumer process mid-batch: after a restart every message took effect once, derived events dedupe."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer

from libs.bus import Envelope, derived_id
from libs.contracts.registry import ContractRegistry
from tests.integration.bus.conftest import BusFactory, Topics
from tests.support.contracts import EVENT, scratch_registry
from tests.support.kafka import Broker
from tests.unit.bus.messages import analyzed

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[3]
N = 150


def count(db: Path, sql: str) -> int:
    if not db.exists():
        return 0
    with sqlite3.connect(db) as conn:
        try:
            return int(conn.execute(sql).fetchone()[0])
        except sqlite3.OperationalError:  # tables not created yet
            return 0


def start_worker(tmp: Path, broker: Broker, topics: Topics, name: str) -> subprocess.Popen[bytes]:
    ready = tmp / f"{name}.ready"
    args = [
        sys.executable,
        "-m",
        "tests.support.crash_worker",
        "--bootstrap",
        broker.bootstrap,
        "--contracts",
        str(tmp / "contracts"),
        "--in",
        topics.events,
        "--out",
        f"{topics.events}.out",
        "--group",
        "crash",
        "--db",
        str(tmp / "effects.db"),
        "--ready",
        str(ready),
        "--instance",
        name,
    ]
    with (tmp / f"{name}.log").open("wb") as log:
        proc = subprocess.Popen(args, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while not ready.exists():
        assert proc.poll() is None, (tmp / f"{name}.log").read_text()[-2000:]
        assert time.monotonic() < deadline, "worker did not start"
        time.sleep(0.05)
    return proc


async def wait_for_rows(db: Path, sql: str, at_least: int, within: float) -> None:
    deadline = time.monotonic() + within
    while count(db, sql) < at_least:
        assert time.monotonic() < deadline, f"only {count(db, sql)} rows for {sql!r}"
        await asyncio.sleep(0.05)


async def read_all(bootstrap: str, topic: str, expected: int) -> list[Envelope]:
    reader = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest")
    await reader.start()
    found: list[Envelope] = []
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            batch = await reader.getmany(timeout_ms=500)
            found += [Envelope.from_bytes(r.value) for rs in batch.values() for r in rs]
            if len({e.id for e in found}) >= expected and not batch:
                break
    finally:
        await reader.stop()
    return found


@pytest.fixture
def registry(tmp_path: Path, topics: Topics) -> ContractRegistry:
    """Overrides the package fixture: the worker reads --in and publishes to --out."""
    declared = {"partitions": 3, "messages": [EVENT]}
    return scratch_registry(tmp_path / "contracts", {topics.events: declared, f"{topics.events}.out": declared})


async def test_kill_9_mid_batch_then_restart_handles_every_message_once_in_effect(
    kafka_broker: Broker, kafka_bus: BusFactory, topics: Topics, tmp_path: Path
) -> None:
    db = tmp_path / "effects.db"
    producer = kafka_bus(kafka_broker, "producer")
    await producer.start()
    first = start_worker(tmp_path, kafka_broker, topics, "first")
    sent = await asyncio.gather(
        *(producer.publish(topics.events, analyzed(f"m{i}"), key=f"conv-{i % 7}", tenant_id="t") for i in range(N))
    )
    try:
        await wait_for_rows(db, "SELECT COUNT(*) FROM effects", N // 3, within=30)
        os.kill(first.pid, signal.SIGKILL)
        first.wait(10)
        second = start_worker(tmp_path, kafka_broker, topics, "second")
        try:
            await wait_for_rows(db, "SELECT COUNT(*) FROM effects", N, within=60)
            await asyncio.sleep(0.5)  # a late duplicate effect would show up now
        finally:
            second.terminate()
            second.wait(15)
    finally:
        if first.poll() is None:
            first.kill()

    with sqlite3.connect(db) as conn:
        effects = dict(conn.execute("SELECT event_id, item_id FROM effects").fetchall())
        deliveries = conn.execute("SELECT COUNT(*) FROM deliveries").fetchone()[0]
    assert effects == {e.id: e.data["id"] for e in sent}  # exactly one effect per message
    assert deliveries > N  # the killed worker's uncommitted messages were delivered again

    derived = await read_all(kafka_broker.bootstrap, f"{topics.events}.out", N)
    by_source: dict[str, set[str]] = defaultdict(set)
    for env in derived:
        by_source[env.data["source_request_id"]].add(env.id)
    assert set(by_source) == set(effects)
    # a re-emitted derived event carries the same id as the first emission, so its consumers dedupe it
    assert all(ids == {derived_id(src, f"{topics.events}.out", EVENT, "0")} for src, ids in by_source.items())
    assert len(derived) >= N
