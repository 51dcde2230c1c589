"""The log survives the broker: kill -9 Apache Kafka mid-stream, restart it on the same data dir, lose nothing.

Every event the producer had acknowledged (acks=all) reaches the consumer after the restart, and the consumer resumes
from its committed offsets: what it had handled and committed before the crash is not handed to it again.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import pytest

from libs.bus import Envelope, KafkaBus
from libs.errors import Unavailable
from tests.integration.bus.conftest import BusFactory, Topics, wait_until
from tests.support.kafka import Broker
from tests.unit.bus.messages import analyzed

pytestmark = pytest.mark.integration

BEFORE, DURING = 120, 240


async def publish_all(producer: KafkaBus, topic: str, ids: list[str], acked: list[str]) -> None:
    """Publish each id until the broker acknowledges it; a send that fails is not acknowledged, so it is tried again."""
    deadline = time.monotonic() + 90
    for event_id in ids:
        while True:
            try:
                await producer.publish(topic, analyzed(event_id), key=event_id[-1], tenant_id="t", timeout=2.0)
                acked.append(event_id)
                break
            except Unavailable:
                assert time.monotonic() < deadline, "the producer never got through to the restarted broker"
                await asyncio.sleep(0.2)


async def test_kill_9_mid_stream_loses_no_acknowledged_event_and_consumers_resume_from_commits(
    own_broker: Broker, kafka_bus: BusFactory, topics: Topics
) -> None:
    deliveries: Counter[str] = Counter()

    async def handle(env: Envelope) -> None:
        deliveries[env.data["id"]] += 1

    producer = kafka_bus(own_broker, "producer")
    consumer = kafka_bus(own_broker, "consumer")
    consumer.subscribe(topics.events, group="analytics", handler=handle)
    await asyncio.gather(producer.start(), consumer.start())

    acked: list[str] = []
    await publish_all(producer, topics.events, [f"before-{n}" for n in range(BEFORE)], acked)
    await wait_until(lambda: len(deliveries) == BEFORE, within=30, what="the first events")
    await asyncio.sleep(1.5)  # the consumer commits what it handled (commits follow the handler, in the background)

    stream = asyncio.create_task(publish_all(producer, topics.events, [f"during-{n}" for n in range(DURING)], acked))
    await wait_until(lambda: len(acked) >= BEFORE + DURING // 3, within=30, what="the stream to be under way")
    own_broker.kill()  # kill -9 while events are published and consumed
    killed_at = len(acked)
    await asyncio.sleep(1.0)
    await asyncio.to_thread(own_broker.start)  # same port, same data dir
    await asyncio.wait_for(stream, 120)

    assert killed_at < BEFORE + DURING, "the broker was killed after the stream ended: nothing was tested"
    await wait_until(lambda: set(acked) <= set(deliveries), within=60, what="every acknowledged event")
    replayed_before = [event_id for event_id in acked[:BEFORE] if deliveries[event_id] > 1]
    assert replayed_before == [], "committed offsets were lost: the consumer started over"
    assert len(set(acked)) == BEFORE + DURING
