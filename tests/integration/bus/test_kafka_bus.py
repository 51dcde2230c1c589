"""KafkaBus only: a broker outage and recovery, commits (what every transport does is in the bus conformance suite)."""

from __future__ import annotations

import asyncio
import shutil
import time

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from libs.bus import Envelope
from libs.bus.kafka_consumer import COMMIT_LINGER_S
from libs.contracts.models.sentiment import SentimentResultV1
from libs.contracts.registry import ContractRegistry
from libs.errors import Unavailable
from tests.integration.bus.conftest import BusFactory, Topics, wait_until
from tests.support.kafka import Broker
from tests.unit.bus.messages import analyze, analyzed, result_for

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("replaced", [False, True], ids=["same-log", "replaced-broker"])
async def test_broker_outage_fails_fast_then_the_bus_recovers_on_its_own(
    own_broker: Broker, kafka_bus: BusFactory, topics: Topics, replaced: bool
) -> None:
    async def handle(env: Envelope) -> SentimentResultV1:
        return result_for(analyze("x"))

    service = kafka_bus(own_broker, "sentiment")
    service.subscribe(topics.commands, group="sentiment", handler=handle)
    caller = kafka_bus(own_broker, "gateway")
    await asyncio.gather(service.start(), caller.start())
    await caller.request(topics.commands, analyze("a"), key="k", tenant_id="t", timeout=10)

    own_broker.stop()
    started = time.monotonic()
    with pytest.raises(Unavailable):  # Timeout is a subclass: either is a clear, bounded failure
        await caller.request(topics.commands, analyze("a"), key="k", tenant_id="t", timeout=1.0)
    assert time.monotonic() - started < 3.0  # bounded by the 1 s timeout plus scheduling slack on a busy machine
    await wait_until(lambda: not caller.healthy, within=5, what="unhealthy")

    if replaced:  # a new broker on the same address: empty log, so topics and the reply topic's offsets start over
        shutil.rmtree(own_broker.log_dir)
    own_broker.start()  # the bus must reconnect, recreate what is missing, reposition and rejoin by itself
    deadline = time.monotonic() + 45
    while True:
        try:
            await caller.request(topics.commands, analyze("a"), key="k", tenant_id="t", timeout=2)
            break
        except Unavailable:
            assert time.monotonic() < deadline, "request/reply did not recover after the broker came back"
    # Health is re-read by each bus's 1 s probe loop, so it may lag the first successful round trip a little.
    await wait_until(lambda: caller.healthy and service.healthy, within=5, what="healthy again")


async def committed_total(broker: Broker, topic: str, partitions: int, group: str) -> int:
    reader = AIOKafkaConsumer(bootstrap_servers=broker.bootstrap, group_id=group, enable_auto_commit=False)
    await reader.start()
    try:
        return sum([await reader.committed(TopicPartition(topic, p)) or 0 for p in range(partitions)])
    finally:
        await reader.stop()


async def test_handled_offsets_are_committed_after_the_linger_and_at_once_on_stop(
    kafka_broker: Broker, kafka_bus: BusFactory, topics: Topics, registry: ContractRegistry
) -> None:
    handled: list[str] = []
    partitions = registry.partitions(topics.events)
    all_in = asyncio.Event()

    async def handle(env: Envelope) -> None:
        handled.append(env.id)
        if len(handled) == 40:
            all_in.set()

    producer = kafka_bus(kafka_broker, "producer")
    consumer = kafka_bus(kafka_broker, "consumer")  # the default linger
    consumer.subscribe(topics.events, group="analytics", handler=handle)
    await asyncio.gather(producer.start(), consumer.start())
    for n in range(20):
        await producer.publish(topics.events, analyzed(f"a{n}"), key=f"k{n}", tenant_id="t")
    await wait_until(lambda: len(handled) == 20, within=30, what="the first events handled")
    # Without a stop, the lingering commit still goes out on its own.
    deadline = time.monotonic() + 10
    while await committed_total(kafka_broker, topics.events, partitions, "analytics") < 20:
        assert time.monotonic() < deadline, "handled offsets were never committed"
        await asyncio.sleep(COMMIT_LINGER_S)

    await consumer.stop()
    # The same group again, with a linger far longer than a stop takes: only stop's own commit can store them.
    lingering = kafka_bus(kafka_broker, "consumer", "consumer-2", commit_linger_s=60.0)
    lingering.subscribe(topics.events, group="analytics", handler=handle)
    await lingering.start()
    for n in range(20):
        await producer.publish(topics.events, analyzed(f"b{n}"), key=f"k{n}", tenant_id="t")
    await asyncio.wait_for(all_in.wait(), 30)
    await lingering.stop()
    assert await committed_total(kafka_broker, topics.events, partitions, "analytics") == 40
