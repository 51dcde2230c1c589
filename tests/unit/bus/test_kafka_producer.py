"""KafkaBus's sending side without a broker: the Outbox settles each send on its acknowledgement, its producer
error or its own deadline (the bus's send timeout and other waits mixed), and KeyPartitioner picks aiokafka's
default partitions."""

from __future__ import annotations

import asyncio
import time

import pytest
from aiokafka.errors import KafkaError, KafkaTimeoutError
from aiokafka.partitioner import DefaultPartitioner

from libs.bus.kafka_producer import KeyPartitioner, Outbox


class Producer:
    """Stands in for AIOKafkaProducer (a dependency of the Outbox): records sends, acks only when told."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes, bytes | None, list[tuple[str, bytes]]]] = []
        self.deliveries: list[asyncio.Future[object]] = []
        self.refuse: set[str] = set()

    async def send(
        self, topic: str, value: bytes, key: bytes | None, headers: list[tuple[str, bytes]]
    ) -> asyncio.Future[object]:
        if topic in self.refuse:
            raise KafkaTimeoutError()
        self.sent.append((topic, value, key, headers))
        delivery: asyncio.Future[object] = asyncio.get_running_loop().create_future()
        self.deliveries.append(delivery)
        return delivery


SEND_TIMEOUT = 0.3


async def running(producer: Producer) -> tuple[Outbox, asyncio.Task[None]]:
    outbox = Outbox(producer, SEND_TIMEOUT)
    return outbox, asyncio.create_task(outbox.run())


async def test_sends_are_handed_over_in_order_and_settle_on_acknowledgement() -> None:
    producer = Producer()
    outbox, task = await running(producer)
    sends = [outbox.send("t", f"v{n}".encode(), b"k", (("traceparent", b"x"),), 5.0) for n in range(5)]
    await asyncio.sleep(0)
    assert [s[1] for s in producer.sent] == [f"v{n}".encode() for n in range(5)]
    assert producer.sent[0][3] == [("traceparent", b"x")]
    assert not any(s.done() for s in sends)
    for delivery in producer.deliveries:
        delivery.set_result(None)
    await asyncio.gather(*sends)
    task.cancel()


async def test_producer_errors_reach_the_sender() -> None:
    producer = Producer()
    producer.refuse.add("full")
    outbox, task = await running(producer)
    refused = outbox.send("full", b"v", None, (), 5.0)
    failed = outbox.send("t", b"v", None, (), 5.0)
    await asyncio.sleep(0)
    producer.deliveries[0].set_exception(KafkaError("broker said no"))
    with pytest.raises(KafkaTimeoutError):
        await refused
    with pytest.raises(KafkaError, match="broker said no"):
        await failed
    task.cancel()


async def test_each_send_expires_at_its_own_deadline_and_late_records_are_not_sent() -> None:
    producer = Producer()
    outbox = Outbox(producer, SEND_TIMEOUT)  # no appender yet: nothing is handed over
    started = time.monotonic()
    first = outbox.send("t", b"first", None, (), SEND_TIMEOUT)
    fast = outbox.send("t", b"fast", None, (), 0.05)  # a shorter wait of its own, queued later, expires first
    await asyncio.sleep(0.2)
    second = outbox.send("t", b"second", None, (), SEND_TIMEOUT)
    with pytest.raises(TimeoutError):
        await fast
    assert time.monotonic() - started >= 0.05
    assert not first.done()  # its own, longer, deadline is still ahead
    with pytest.raises(TimeoutError):
        await first
    assert time.monotonic() - started >= SEND_TIMEOUT
    assert not second.done()  # sent 0.2 s later: expires that much later
    with pytest.raises(TimeoutError):
        await second
    assert time.monotonic() - started >= SEND_TIMEOUT + 0.2
    task = asyncio.create_task(outbox.run())
    await asyncio.sleep(0.01)
    assert producer.sent == []  # their senders gave up: dropped rather than sent late
    task.cancel()


async def test_acknowledged_sends_do_not_expire() -> None:
    producer = Producer()
    outbox, task = await running(producer)
    sends = [outbox.send("t", b"v", None, (), within) for within in (SEND_TIMEOUT, 0.05, SEND_TIMEOUT)]
    await asyncio.sleep(0)
    producer.deliveries[0].set_result(None)
    producer.deliveries[1].set_result(None)
    await asyncio.wait_for(asyncio.gather(*sends[:2]), 1)
    with pytest.raises(TimeoutError):
        await sends[2]  # never acknowledged: the only one that expires
    assert all(s.exception() is None for s in sends[:2])
    task.cancel()


def test_key_partitioner_matches_the_default_partitioner() -> None:
    ours, default = KeyPartitioner(capacity=50), DefaultPartitioner()
    partitions = [0, 1, 2, 3, 4, 5, 6]
    for _ in range(2):  # the second round answers from the kept hashes (and past the capacity)
        for n in range(200):
            key = f"conv-{n}".encode()
            assert ours(key, partitions, partitions) == default(key, partitions, partitions)
    assert ours(None, partitions, [3]) == 3  # keyless: any available partition, as the default does
