"""KafkaBus on a real Apache Kafka broker: commits, redelivery after a crash, DLQ, request/reply, outage, recovery."""

from __future__ import annotations

import asyncio
import shutil
import time

import pytest
from aiokafka import AIOKafkaConsumer

from libs.bus import Envelope, decode_data
from libs.contracts.models.sentiment import SentimentResultV1
from libs.errors import NotFound, PermanentError, Timeout, Unavailable
from tests.integration.bus.conftest import BusFactory, Topics, wait_until
from tests.support.kafka import Broker
from tests.unit.bus.messages import analyze, analyzed, result_for

pytestmark = pytest.mark.integration


async def test_consumed_messages_are_committed_so_a_new_member_resumes_after_them(
    kafka_broker: Broker, kafka_bus: BusFactory, topics: Topics
) -> None:
    producer = kafka_bus(kafka_broker, "producer")
    await producer.start()
    first: list[tuple[str | None, str]] = []

    async def record_first(env: Envelope) -> None:
        first.append((env.subject, env.data["id"]))

    consumer = kafka_bus(kafka_broker)
    consumer.subscribe(topics.events, group="g", handler=record_first)
    await consumer.start()
    await asyncio.gather(
        *(
            producer.publish(topics.events, analyzed(f"{k}-{n}"), key=f"conv-{k}", tenant_id="t")
            for n in range(10)
            for k in range(4)
        )
    )
    await wait_until(lambda: len(first) == 40, what="40 messages")
    await consumer.stop()  # commits the batch in hand, leaves the group
    for k in range(4):  # one conversation's messages stay in publish order
        assert [mid for key, mid in first if key == f"conv-{k}"] == [f"{k}-{n}" for n in range(10)]

    second: list[str] = []

    async def record_second(env: Envelope) -> None:
        second.append(env.data["id"])

    successor = kafka_bus(kafka_broker)
    successor.subscribe(topics.events, group="g", handler=record_second)
    await successor.start()
    await producer.publish(topics.events, analyzed("marker"), key="conv-0", tenant_id="t")
    await wait_until(lambda: "marker" in second, what="marker")
    assert second == ["marker"]


async def test_uncommitted_messages_of_a_crashed_consumer_are_redelivered_and_deduped_by_effect(
    kafka_broker: Broker, kafka_bus: BusFactory, topics: Topics
) -> None:
    effects: dict[str, int] = {}  # insert-if-absent store keyed by event id, as idempotent handlers do
    invocations = 0
    hang_calls = 0
    stuck = asyncio.Event()

    async def handle(env: Envelope) -> None:
        nonlocal invocations, hang_calls
        invocations += 1
        effects.setdefault(env.id, invocations)
        if env.data["id"] == "hang":
            hang_calls += 1
            if not stuck.is_set():
                stuck.set()
                await asyncio.Event().wait()  # the process "dies" here: this message is never committed

    producer = kafka_bus(kafka_broker, "producer")
    await producer.start()
    victim = kafka_bus(kafka_broker, stop_timeout=0.2)
    victim.subscribe(topics.events, group="g", handler=handle)
    await victim.start()
    ids = [f"m{n}" for n in range(12)]
    sent = [await producer.publish(topics.events, analyzed(i), key="conv", tenant_id="t") for i in ids]
    sent.append(await producer.publish(topics.events, analyzed("hang"), key="conv", tenant_id="t"))
    await wait_until(stuck.is_set, what="handler to hang")
    await victim.stop()  # cut off uncommitted after stop_timeout

    heir = kafka_bus(kafka_broker)
    heir.subscribe(topics.events, group="g", handler=handle)
    await heir.start()
    await wait_until(lambda: hang_calls >= 2, what="redelivery of the unfinished message")
    assert set(effects) == {e.id for e in sent}  # every message took effect exactly once
    assert invocations >= len(sent) + 1  # ...although the unfinished one was delivered twice


async def test_poison_message_is_parked_on_the_dlq_with_its_error(
    kafka_broker: Broker, kafka_bus: BusFactory, topics: Topics
) -> None:
    handled: list[str] = []

    async def handle(env: Envelope) -> None:
        if env.data["id"] == "poison":
            raise PermanentError("unusable message")
        handled.append(env.data["id"])

    bus = kafka_bus(kafka_broker)
    bus.subscribe(topics.events, group="g", handler=handle)
    await bus.start()
    poison = await bus.publish(topics.events, analyzed("poison"), key="k", tenant_id="t")
    await bus.publish(topics.events, analyzed("fine"), key="k", tenant_id="t")
    await wait_until(lambda: handled == ["fine"], what="the next message")

    reader = AIOKafkaConsumer(
        f"{topics.events}.dlq", bootstrap_servers=kafka_broker.bootstrap, auto_offset_reset="earliest", group_id=None
    )
    await reader.start()
    try:
        batch = await reader.getmany(timeout_ms=5000)
    finally:
        await reader.stop()
    [record] = [r for records in batch.values() for r in records]
    headers = dict(record.headers)
    assert headers["x-dlq-error-type"] == b"PermanentError"
    assert headers["x-dlq-error"] == b"unusable message"
    assert headers["x-dlq-source-topic"] == topics.events.encode()
    assert Envelope.from_bytes(record.value).id == poison.id


async def test_request_reply_success_error_and_timeout(
    kafka_broker: Broker, kafka_bus: BusFactory, topics: Topics
) -> None:
    async def handle(env: Envelope) -> SentimentResultV1:
        if env.data["texts"][0]["text"] == "unknown":
            raise NotFound("no such company", {"field": "company_id"})
        return result_for(analyze(*(t["text"] for t in env.data["texts"])))

    service = kafka_bus(kafka_broker, "sentiment")
    service.subscribe(topics.commands, group="sentiment", handler=handle)
    caller = kafka_bus(kafka_broker, "gateway")
    await asyncio.gather(service.start(), caller.start())
    replies = await asyncio.gather(
        *(
            caller.request(
                topics.commands, analyze("a", "b"), key=f"r{i}", tenant_id="t", timeout=10, correlation_id=f"c{i}"
            )
            for i in range(4)
        )
    )
    assert [r.correlationid for r in replies] == ["c0", "c1", "c2", "c3"]
    result = decode_data(replies[0], caller.registry)
    assert isinstance(result, SentimentResultV1) and len(result.results) == 2
    with pytest.raises(NotFound) as caught:
        await caller.request(topics.commands, analyze("unknown"), key="x", tenant_id="t", timeout=10)
    assert caught.value.details == {"field": "company_id"}

    await service.stop()  # nobody answers any more
    started = time.monotonic()
    with pytest.raises(Timeout):
        await caller.request(topics.commands, analyze("a"), key="x", tenant_id="t", timeout=0.5)
    assert time.monotonic() - started < 3.0  # bounded by the 1 s timeout plus scheduling slack on a busy machine


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
