"""`switchboard up`, Ctrl-C and up again on the same data dir: the session, its events and the consumer offsets remain.

The stack runs Apache Kafka with its log under the data dir, so a restart is a restart, not a fresh broker.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from libs.contracts.registry import default_registry
from tests.e2e.conftest import Stack, launch, shut_down

pytestmark = pytest.mark.e2e

COMMANDS, EVENTS = "conversation.commands", "conversation.events"


async def offsets(bootstrap: str) -> tuple[dict[int, int | None], list[dict[str, object]]]:
    """The conversation group's committed offsets on its command topic, and every event on conversation.events."""
    reader = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id="conversation", enable_auto_commit=False, auto_offset_reset="earliest"
    )
    await reader.start()
    try:
        registry = default_registry()
        committed = {
            p: await reader.committed(TopicPartition(COMMANDS, p)) for p in range(registry.partitions(COMMANDS))
        }
        tps = [TopicPartition(EVENTS, p) for p in range(registry.partitions(EVENTS))]
        reader.assign(tps)
        await reader.seek_to_beginning(*tps)
        ends = await reader.end_offsets(tps)
        seen: list[dict[str, object]] = []
        while [tp for tp in tps if await reader.position(tp) < ends[tp]]:
            for records in (await reader.getmany(timeout_ms=1000)).values():
                seen.extend(json.loads(r.value) for r in records)
        return committed, seen
    finally:
        await reader.stop()


async def offsets_once_committed(
    bootstrap: str, within_s: float = 10.0
) -> tuple[dict[int, int | None], list[dict[str, object]]]:
    """`offsets` once the conversation group has committed something: commits follow the handler in the background
    (handled offsets linger up to libs/bus/kafka_consumer.COMMIT_LINGER_S to share one commit)."""
    deadline = asyncio.get_running_loop().time() + within_s
    while True:
        committed, seen = await offsets(bootstrap)
        if any(committed.values()) or asyncio.get_running_loop().time() > deadline:
            return committed, seen
        await asyncio.sleep(0.2)


def conversation(stack: Stack, conversation_id: str) -> httpx.Response:
    return httpx.get(f"{stack.url}/api/v1/conversations/{conversation_id}", headers=stack.auth(), timeout=30)


def test_a_restart_on_the_same_data_dir_keeps_the_session_its_events_and_the_offsets(tmp_path: Path) -> None:
    first = launch(tmp_path)
    try:
        started = httpx.post(
            f"{first.url}/api/v1/conversations",
            json={"message": "Where is my parcel? It was due on Monday.", "user_id": "restart-user"},
            headers=first.auth(),
            timeout=30,
        )
        assert started.status_code == 201 or started.status_code == 200, started.text
        conversation_id = started.json()["conversation_id"]
        before = conversation(first, conversation_id).json()
        committed_before, events_before = asyncio.run(offsets_once_committed(first.kafka))
    finally:
        assert shut_down(first.process) == 0
    assert any(v for v in committed_before.values()), "the conversation service committed nothing: nothing to keep"

    second = launch(tmp_path)
    try:
        after = conversation(second, conversation_id)
        assert after.status_code == 200, after.text
        assert after.json()["messages"] == before["messages"]
        committed_after, events_after = asyncio.run(offsets(second.kafka))
    finally:
        shut_down(second.process)

    for partition, offset in committed_before.items():
        assert (committed_after[partition] or 0) >= (offset or 0), "consumer offsets went back after the restart"
    ids_before = {e["id"] for e in events_before}
    assert ids_before <= {e["id"] for e in events_after}, "events published before the restart are gone"
    assert any(e["data"].get("session_id") == conversation_id for e in events_after)  # type: ignore[union-attr]
