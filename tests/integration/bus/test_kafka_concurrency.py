"""KafkaBus key-ordered concurrency on a real Apache Kafka broker: keys overlap, each key stays in order, in flight is
bounded, and commits never pass an unfinished offset (it is redelivered after a restart)."""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from libs.bus import Envelope
from tests.integration.bus.conftest import BusFactory, Topics, wait_until
from tests.support.kafka import Broker
from tests.unit.bus.messages import analyzed

pytestmark = pytest.mark.integration


async def committed(broker: Broker, topic: str, group: str) -> int | None:
    """The group's committed offset of partition 0, read the way a new member would."""
    reader = AIOKafkaConsumer(bootstrap_servers=broker.bootstrap, group_id=group, enable_auto_commit=False)
    await reader.start()
    try:
        return await reader.committed(TopicPartition(topic, 0))
    finally:
        await reader.stop()


async def test_a_blocked_key_does_not_hold_back_other_keys_and_each_key_stays_in_order(
    kafka_broker: Broker, kafka_bus: BusFactory, topics: Topics
) -> None:
    release = asyncio.Event()
    seen: dict[str, list[int]] = defaultdict(list)

    async def handle(env: Envelope) -> None:
        key, n = env.data["id"].split(":")
        if key == "slow" and n == "0":
            await release.wait()  # a turn waiting on another service's reply
        await asyncio.sleep(random.uniform(0, 0.002))
        seen[key].append(int(n))

    producer = kafka_bus(kafka_broker, "producer")
    await producer.start()
    consumer = kafka_bus(kafka_broker)
    consumer.subscribe(topics.single, group="g", handler=handle)  # one partition: only keys can give parallelism
    await consumer.start()
    for n in range(3):
        await producer.publish(topics.single, analyzed(f"slow:{n}"), key="slow", tenant_id="t")
    for n in range(10):
        for k in range(4):
            await producer.publish(topics.single, analyzed(f"k{k}:{n}"), key=f"k{k}", tenant_id="t")
    await wait_until(lambda: sum(len(seen[f"k{k}"]) for k in range(4)) == 40, what="the other keys")
    assert "slow" not in seen  # still blocked, yet everything behind it in the partition was handled
    release.set()
    await wait_until(lambda: len(seen["slow"]) == 3, what="the blocked key")
    assert seen == {"slow": [0, 1, 2], **{f"k{k}": list(range(10)) for k in range(4)}}


async def test_an_unfinished_offset_is_never_committed_past_and_is_redelivered_after_restart(
    kafka_broker: Broker, kafka_bus: BusFactory, topics: Topics
) -> None:
    handled: list[str] = []
    stuck = asyncio.Event()

    async def hang_on_first(env: Envelope) -> None:
        if env.data["id"] == "first":
            stuck.set()
            await asyncio.Event().wait()  # never finishes: the process is cut off
        handled.append(env.data["id"])

    producer = kafka_bus(kafka_broker, "producer")
    await producer.start()
    victim = kafka_bus(kafka_broker, stop_timeout=0.3)
    victim.subscribe(topics.single, group="g", handler=hang_on_first)
    await victim.start()
    await producer.publish(topics.single, analyzed("first"), key="a", tenant_id="t")  # offset 0
    later = [f"later-{n}" for n in range(8)]
    for name in later:  # offsets 1..8, other keys: they finish while offset 0 hangs
        await producer.publish(topics.single, analyzed(name), key=name, tenant_id="t")
    await wait_until(lambda: stuck.is_set() and sorted(handled) == sorted(later), what="later offsets handled")
    await asyncio.sleep(0.3)  # give the committer every chance to (wrongly) commit them
    assert await committed(kafka_broker, topics.single, "g") in (None, 0)
    await victim.stop()  # offset 0 is cut off unfinished
    assert await committed(kafka_broker, topics.single, "g") in (None, 0)

    redelivered: list[str] = []

    async def record(env: Envelope) -> None:
        redelivered.append(env.data["id"])

    heir = kafka_bus(kafka_broker)
    heir.subscribe(topics.single, group="g", handler=record)
    await heir.start()
    await wait_until(lambda: len(redelivered) == 9, what="redelivery from the unfinished offset")
    # Offset 0 comes again, and with it everything after it (at least once: a new process dedupes nothing).
    assert sorted(redelivered) == sorted(["first", *later])


async def test_in_flight_messages_are_bounded_per_subscription(
    kafka_broker: Broker, kafka_bus: BusFactory, topics: Topics
) -> None:
    release = asyncio.Event()
    running = 0
    peak = 0
    done = 0

    async def handle(env: Envelope) -> None:
        nonlocal running, peak, done
        running += 1
        peak = max(peak, running)
        await release.wait()
        running -= 1
        done += 1

    producer = kafka_bus(kafka_broker, "producer")
    await producer.start()
    consumer = kafka_bus(kafka_broker, max_in_flight=4)
    consumer.subscribe(topics.events, group="g", handler=handle)
    await consumer.start()
    await asyncio.gather(
        *(producer.publish(topics.events, analyzed(f"m{n}"), key=f"k{n}", tenant_id="t") for n in range(20))
    )
    await wait_until(lambda: running == 4, what="four handlers running")
    await asyncio.sleep(0.5)  # more polling time: the bound must hold, not just be slow to fill
    assert running == peak == 4
    release.set()
    await wait_until(lambda: done == 20, what="the rest, four at a time")
    assert peak == 4
