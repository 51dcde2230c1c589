"""kill -9 of the conversation service process: the same PostMessage envelope published again to the restarted
process stores the customer message once, one reply, no repeated seq (on a real broker)."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from libs.bus import Envelope, KafkaBus
from libs.contracts.models.conversation import PostMessageV1
from libs.contracts.registry import default_registry
from tests.support.kafka import Broker, own_broker

pytestmark = pytest.mark.integration
__all__ = ["own_broker"]  # the fixture: a broker of this test's own
COMMANDS = "conversation.commands"

REPO = Path(__file__).resolve().parents[3]
TENANT = "default"


def start_conversation(tmp: Path, broker: Broker, name: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "SWITCHBOARD_BUS": "kafka",
        "SWITCHBOARD_KAFKA_BOOTSTRAP": broker.bootstrap,
        "SWITCHBOARD_DATA_DIR": str(tmp),
        "SWITCHBOARD_KAFKA_SESSION_TIMEOUT_MS": "2000",
        # The other services are absent: each remote step gives up fast; the turn still runs and is stored.
        **{f"SWITCHBOARD_CONVERSATION_DEADLINES__{step}_S": "0.3" for step in ("PRIVACY", "SENTIMENT", "RETRIEVAL")},
        "SWITCHBOARD_CONVERSATION_DEADLINES__ESCALATION_S": "0.3",
        "SWITCHBOARD_CONVERSATION_SWEEP_INTERVAL_S": "0",
    }
    with (tmp / f"{name}.log").open("wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "services.conversation"], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT
        )


def rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    if not db.exists():
        return []
    with sqlite3.connect(db) as conn:
        try:
            return conn.execute(sql).fetchall()
        except sqlite3.OperationalError:  # tables not created yet
            return []


async def wait_until(check: object, within: float, what: str) -> None:
    deadline = time.monotonic() + within
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, what
        await asyncio.sleep(0.1)


async def commands_all_handled(bootstrap: str) -> bool:
    """The conversation group has committed every command published so far (it commits only after handling)."""
    reader = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id="conversation", enable_auto_commit=False)
    await reader.start()
    try:
        parts = [TopicPartition(COMMANDS, p) for p in range(default_registry().partitions(COMMANDS))]
        ends = await reader.end_offsets(parts)
        behind = [tp for tp, end in ends.items() if (await reader.committed(tp) or 0) < end]
        return not behind
    finally:
        await reader.stop()


async def received_ids(bootstrap: str) -> list[str]:
    """Ids of every MessageReceived on conversation.events (a re-published event keeps its id)."""
    reader = AIOKafkaConsumer(
        "conversation.events", bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest"
    )
    await reader.start()
    found: list[Envelope] = []
    try:
        for _ in range(6):
            batch = await reader.getmany(timeout_ms=500)
            found += [Envelope.from_bytes(r.value) for rs in batch.values() for r in rs]
    finally:
        await reader.stop()
    return [e.id for e in found if e.type == "conversation.MessageReceived.v1"]


async def test_kill_9_then_the_same_envelope_again_stores_the_turn_once(own_broker: Broker, tmp_path: Path) -> None:
    db = tmp_path / "db" / "conversation.sqlite3"
    messages = "SELECT json_extract(doc, '$.role'), json_extract(doc, '$.seq'), json_extract(doc, '$.content') " \
               "FROM messages ORDER BY json_extract(doc, '$.seq')"  # fmt: skip
    command = PostMessageV1(
        session_id="s-kill", customer_id="c1", text="My parcel never arrived.", channel="web",
        dialect="kb_platform", create_if_missing=True,
    )  # fmt: skip
    event_id = uuid.uuid4().hex
    producer = KafkaBus(own_broker.bootstrap, "tester", "1")
    await producer.start()
    first = start_conversation(tmp_path, own_broker, "first")
    second: subprocess.Popen[bytes] | None = None
    try:
        await producer.publish(COMMANDS, command, key="s-kill", tenant_id=TENANT, event_id=event_id)
        await wait_until(lambda: len(rows(db, messages)) == 2, 90, "the first delivery stored no turn")
        os.kill(first.pid, signal.SIGKILL)
        first.wait(10)
        second = start_conversation(tmp_path, own_broker, "second")
        await producer.publish(COMMANDS, command, key="s-kill", tenant_id=TENANT, event_id=event_id)
        # Both deliveries handled by the new process (the redelivered original, if the first process died before its
        # commit, and the second publish): a handled delivery re-publishes the recorded events under the same ids,
        # or is dropped as a duplicate. Whether the first process got its events out before the kill is a race.
        deadline = time.monotonic() + 90
        while not await commands_all_handled(own_broker.bootstrap):
            assert time.monotonic() < deadline, (tmp_path / "second.log").read_text()[-3000:]
            await asyncio.sleep(0.2)
        ids = await received_ids(own_broker.bootstrap)
    finally:
        await producer.stop()
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                proc.wait(15)
    assert ids and len(set(ids)) == 1, "the redelivery re-published the same event, not a new turn's"
    stored = rows(db, messages)
    assert [(role == "customer", seq) for role, seq, _ in stored] == [(True, 1), (False, 2)]
    assert sum(content == command.text for _, _, content in stored) == 1
