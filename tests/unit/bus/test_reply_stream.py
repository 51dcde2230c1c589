"""Streamed replies on MemoryBus: ReplyStream sends ordered partial replies, Bus.request_stream yields them then
the final reply; errors mid-stream, idle timeouts, redelivered duplicates and abandoned streams."""

from __future__ import annotations

import asyncio
import time

import pytest

from libs.bus import Envelope, MemoryBroker, MemoryBus, MessageContext, ReplyStream, RetryPolicy, build_topic_handler
from libs.bus.replies import delta_id, reply_id
from libs.contracts.models.sentiment import AnalyzeSentimentV1, SentimentResultV1
from libs.errors import NotFound, Timeout
from tests.unit.bus.messages import analyze, result_for

COMMANDS = "sentiment.commands"
TYPE = "sentiment.AnalyzeSentiment.v1"
FAST = RetryPolicy(attempts=3, base_delay=0.001, max_delay=0.002)


def piece(n: int) -> SentimentResultV1:
    """A partial reply; any declared reply type may be streamed, the final one is the handler's return value."""
    return result_for(analyze(*(f"piece {n}" for _ in range(n + 1))))


async def pair(handler_fn: object, *, retry: RetryPolicy = FAST) -> tuple[MemoryBus, MemoryBus, MemoryBroker]:
    broker = MemoryBroker()
    gateway = MemoryBus(broker, service_name="gateway", instance_id="a")
    service = MemoryBus(broker, service_name="sentiment", instance_id="b", retry=retry)
    handler = build_topic_handler(service, {TYPE: handler_fn})  # type: ignore[dict-item]
    service.subscribe(COMMANDS, group="sentiment", handler=handler)
    await gateway.start()
    await service.start()
    return gateway, service, broker


async def collect(bus: MemoryBus, **kwargs: object) -> list[Envelope]:
    options: dict[str, object] = {"key": "k", "tenant_id": "t1", "timeout": 2.0, **kwargs}
    return [env async for env in bus.request_stream(COMMANDS, analyze("q"), **options)]  # type: ignore[arg-type]


async def test_partial_replies_arrive_in_order_then_the_final_one() -> None:
    async def handle(cmd: AnalyzeSentimentV1, *, ctx: MessageContext, reply_stream: ReplyStream) -> SentimentResultV1:
        for n in range(5):
            await reply_stream(piece(n))
        return result_for(cmd)

    gateway, service, broker = await pair(handle)
    replies = await collect(gateway, correlation_id="corr-1")
    await service.stop()
    await gateway.stop()
    assert len(replies) == 6
    request_id = Envelope.from_bytes(broker.records(COMMANDS)[0].value).id
    assert [r.id for r in replies[:-1]] == [delta_id(request_id, n) for n in range(5)]
    assert [len(r.data["results"]) for r in replies[:-1]] == [1, 2, 3, 4, 5]
    assert replies[-1].id == reply_id(request_id) and len(replies[-1].data["results"]) == 1
    assert {(r.tenantid, r.correlationid) for r in replies} == {("t1", "corr-1")}
    assert gateway.waiters.waiting == 0  # nothing left waiting


async def test_an_error_after_some_partial_replies_raises_the_typed_error() -> None:
    async def handle(cmd: AnalyzeSentimentV1, *, ctx: MessageContext, reply_stream: ReplyStream) -> SentimentResultV1:
        await reply_stream(piece(0))
        await reply_stream(piece(1))
        raise NotFound("gone mid-way", {"what": "model"})

    gateway, service, _ = await pair(handle)
    seen: list[Envelope] = []
    with pytest.raises(NotFound) as err:
        async for env in gateway.request_stream(COMMANDS, analyze("q"), key="k", tenant_id="t", timeout=2):
            seen.append(env)
    await service.stop()
    await gateway.stop()
    assert len(seen) == 2 and err.value.details == {"what": "model"}


async def test_a_stalled_stream_ends_with_timeout_after_the_idle_timeout() -> None:
    done = asyncio.Event()

    async def handle(cmd: AnalyzeSentimentV1, *, ctx: MessageContext, reply_stream: ReplyStream) -> SentimentResultV1:
        await reply_stream(piece(0))
        await asyncio.wait_for(done.wait(), 2)  # stalls until the test has seen the timeout
        return result_for(cmd)

    gateway, service, _ = await pair(handle)
    seen: list[Envelope] = []
    started = time.monotonic()
    with pytest.raises(Timeout):
        async for env in gateway.request_stream(
            COMMANDS, analyze("q"), key="k", tenant_id="t", timeout=5, idle_timeout=0.2
        ):
            seen.append(env)
    assert len(seen) == 1 and time.monotonic() - started < 0.8
    done.set()
    await service.stop()
    await gateway.stop()


async def test_the_overall_timeout_bounds_a_stream_that_keeps_trickling() -> None:
    done = asyncio.Event()

    async def handle(cmd: AnalyzeSentimentV1, *, ctx: MessageContext, reply_stream: ReplyStream) -> SentimentResultV1:
        while not done.is_set():  # a piece every 50 ms: never idle for long, never finished
            await reply_stream(piece(0))
            await asyncio.sleep(0.05)
        return result_for(cmd)

    gateway, service, _ = await pair(handle)
    started = time.monotonic()
    with pytest.raises(Timeout):
        await collect(gateway, timeout=0.4, idle_timeout=0.2)
    assert 0.35 < time.monotonic() - started < 0.9
    done.set()
    await service.stop()
    await gateway.stop()


async def test_partial_replies_resent_by_a_retried_handler_are_dropped() -> None:
    attempts: list[int] = []

    async def handle(cmd: AnalyzeSentimentV1, *, ctx: MessageContext, reply_stream: ReplyStream) -> SentimentResultV1:
        attempts.append(1)
        for n in range(3):
            await reply_stream(piece(n))
            if len(attempts) == 1 and n == 1:
                raise RuntimeError("crash after two pieces")  # retried in place: pieces 0 and 1 are sent again
        return result_for(cmd)

    gateway, service, broker = await pair(handle)
    replies = await collect(gateway)
    await service.stop()
    await gateway.stop()
    assert len(attempts) == 2
    assert [len(r.data["results"]) for r in replies] == [1, 2, 3, 1]
    assert len({r.id for r in replies}) == 4
    assert len(broker.records(gateway.reply_topic)) == 6  # 2 + 3 pieces sent, plus the final reply


async def test_a_consumer_that_stops_early_leaves_nothing_registered() -> None:
    async def handle(cmd: AnalyzeSentimentV1, *, ctx: MessageContext, reply_stream: ReplyStream) -> SentimentResultV1:
        for n in range(4):
            await reply_stream(piece(n))
        return result_for(cmd)

    gateway, service, _ = await pair(handle)
    stream = gateway.request_stream(COMMANDS, analyze("q"), key="k", tenant_id="t", timeout=2)
    first = await anext(stream)
    await stream.aclose()
    await service.drain()
    await service.stop()
    await gateway.stop()
    assert len(first.data["results"]) == 1 and gateway.waiters.waiting == 0


async def test_without_a_requester_reply_stream_sends_nothing() -> None:
    sent: list[int] = []

    async def handle(cmd: AnalyzeSentimentV1, *, ctx: MessageContext, reply_stream: ReplyStream) -> None:
        await reply_stream(piece(0))
        sent.append(reply_stream.sent)

    gateway, service, broker = await pair(handle)
    await gateway.publish(COMMANDS, analyze("q"), key="k", tenant_id="t")
    await service.drain()
    await service.stop()
    await gateway.stop()
    assert sent == [0] and broker.records(gateway.reply_topic) == []


async def test_plain_request_still_works_against_a_streaming_handler() -> None:
    async def handle(cmd: AnalyzeSentimentV1, *, ctx: MessageContext, reply_stream: ReplyStream) -> SentimentResultV1:
        await reply_stream(piece(3))
        return result_for(cmd)

    gateway, service, _ = await pair(handle)
    reply = await gateway.request(COMMANDS, analyze("q"), key="k", tenant_id="t", timeout=2)
    await service.stop()
    await gateway.stop()
    assert len(reply.data["results"]) == 1  # the final reply, never a partial one


def test_a_streaming_handler_needs_the_bus() -> None:
    async def handle(cmd: AnalyzeSentimentV1, *, ctx: MessageContext, reply_stream: ReplyStream) -> None:
        return None

    with pytest.raises(ValueError, match="reply_stream"):
        build_topic_handler(None, {TYPE: handle})
