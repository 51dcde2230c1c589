"""MemoryBus: groups, per-key ordering, retry then DLQ, dedupe, request/reply and contracts on both ends."""

from __future__ import annotations

import asyncio
import random
import time
from collections import defaultdict

import pytest
import structlog
from opentelemetry import trace
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags

from libs.bus import Envelope, MemoryBroker, MemoryBus, RetryPolicy, decode_data
from libs.contracts.models.sentiment import SentimentAnalyzedV1, SentimentResultV1
from libs.contracts.registry import ContractViolation
from libs.errors import NotFound, PermanentError, RetryableError, Timeout
from tests.unit.bus.messages import analyze, analyzed, result_for

EVENTS = "sentiment.events"
COMMANDS = "sentiment.commands"
FAST = RetryPolicy(attempts=3, base_delay=0.001, max_delay=0.002)


async def started(bus: MemoryBus) -> MemoryBus:
    await bus.start()
    return bus


async def test_each_group_gets_every_message_once() -> None:
    bus = MemoryBus(retry=FAST)
    seen: dict[str, list[str]] = defaultdict(list)

    def recorder(group: str):
        async def handle(env: Envelope) -> None:
            seen[group].append(env.data["id"])

        return handle

    bus.subscribe(EVENTS, group="analytics", handler=recorder("analytics"))
    bus.subscribe(EVENTS, group="fanout", handler=recorder("fanout"))
    await bus.start()
    sent = [await bus.publish(EVENTS, analyzed(i), key=f"k{i}", tenant_id="t1") for i in range(20)]
    await bus.drain()
    await bus.stop()
    assert sorted(seen["analytics"]) == sorted(seen["fanout"]) == sorted(str(i) for i in range(20))
    assert {e.tenantid for e in sent} == {"t1"}
    assert all(e.correlationid == e.id and e.type == "sentiment.SentimentAnalyzed.v1" for e in sent)


async def test_order_is_kept_per_key_while_partitions_interleave() -> None:
    bus = MemoryBus(retry=FAST)
    order: dict[str, list[int]] = defaultdict(list)

    async def handle(env: Envelope) -> None:
        await asyncio.sleep(random.uniform(0, 0.002))  # uneven handler times would reorder a naive fan-out
        order[env.subject or ""].append(int(env.data["id"].split("-")[1]))

    bus.subscribe(EVENTS, group="g", handler=handle)
    await bus.start()
    await asyncio.gather(
        *(
            bus.publish(EVENTS, analyzed(f"c{k}-{n}"), key=f"conv-{k}", tenant_id="t")
            for n in range(30)
            for k in range(6)
        )
    )
    await bus.drain()
    await bus.stop()
    assert set(order) == {f"conv-{k}" for k in range(6)}
    assert all(seq == list(range(30)) for seq in order.values())


async def test_failing_handler_is_retried_with_backoff_then_parked_without_blocking_the_partition() -> None:
    broker = MemoryBroker()
    bus = MemoryBus(broker, retry=RetryPolicy(attempts=3, base_delay=0.02, max_delay=1))
    attempts: list[float] = []
    handled: list[str] = []

    async def handle(env: Envelope) -> None:
        if env.data["id"] == "poison":
            attempts.append(time.monotonic())
            raise RuntimeError("boom")
        handled.append(env.data["id"])

    bus.subscribe(EVENTS, group="g", handler=handle)
    await bus.start()
    bad = await bus.publish(EVENTS, analyzed("poison"), key="same", tenant_id="t")
    await bus.publish(EVENTS, analyzed("after"), key="same", tenant_id="t")
    await bus.drain()
    await bus.stop()
    assert len(attempts) == 3
    first_gap, second_gap = attempts[1] - attempts[0], attempts[2] - attempts[1]
    assert first_gap >= 0.02 * 0.8 and second_gap > first_gap  # exponential backoff, ±20 % jitter
    assert handled == ["after"]
    [letter] = broker.records(f"{EVENTS}.dlq")
    headers = dict(letter.headers)
    assert headers["x-dlq-error-type"] == b"RuntimeError"
    assert headers["x-dlq-attempts"] == b"3"
    assert headers["x-dlq-group"] == b"g"
    assert Envelope.from_bytes(letter.value).id == bad.id  # the original message is kept as it was


async def test_retryable_error_then_success_is_handled_once_without_dlq() -> None:
    broker = MemoryBroker()
    bus = MemoryBus(broker, retry=FAST)
    calls = 0

    async def handle(env: Envelope) -> None:
        nonlocal calls
        calls += 1
        if calls < 3:
            raise RetryableError("store busy")

    bus.subscribe(EVENTS, group="g", handler=handle)
    await bus.start()
    await bus.publish(EVENTS, analyzed(1), key="k", tenant_id="t")
    await bus.drain()
    await bus.stop()
    assert calls == 3
    assert broker.records(f"{EVENTS}.dlq") == []


async def test_permanent_error_goes_straight_to_dlq() -> None:
    broker = MemoryBroker()
    bus = MemoryBus(broker, retry=FAST)
    calls = 0

    async def handle(env: Envelope) -> None:
        nonlocal calls
        calls += 1
        raise PermanentError("cannot ever work")

    bus.subscribe(EVENTS, group="g", handler=handle)
    await bus.start()
    await bus.publish(EVENTS, analyzed(1), key="k", tenant_id="t")
    await bus.drain()
    await bus.stop()
    assert calls == 1
    [letter] = broker.records(f"{EVENTS}.dlq")
    assert dict(letter.headers)["x-dlq-error"] == b"cannot ever work"


async def test_redelivered_event_id_is_handled_once() -> None:
    bus = MemoryBus(retry=FAST)
    handled: list[str] = []

    async def handle(env: Envelope) -> None:
        handled.append(env.id)

    bus.subscribe(EVENTS, group="g", handler=handle)
    await bus.start()
    for _ in range(3):
        await bus.publish(EVENTS, analyzed(1), key="k", tenant_id="t", event_id="evt-1")
    await bus.publish(EVENTS, analyzed(2), key="k", tenant_id="t", event_id="evt-2")
    await bus.drain()
    await bus.stop()
    assert handled == ["evt-1", "evt-2"]


async def test_request_reply_returns_the_handlers_answer() -> None:
    broker = MemoryBroker()
    gateway = MemoryBus(broker, service_name="gateway", instance_id="a")
    sentiment = MemoryBus(broker, service_name="sentiment", instance_id="b")

    async def handle(env: Envelope) -> SentimentResultV1:
        return result_for(analyze(*(t["text"] for t in env.data["texts"])))

    sentiment.subscribe(COMMANDS, group="sentiment", handler=handle)
    await gateway.start()
    await sentiment.start()
    replies = await asyncio.gather(
        *(
            gateway.request(
                COMMANDS, analyze("hi", "there"), key=f"r{i}", tenant_id="t9", timeout=2, correlation_id=f"corr-{i}"
            )
            for i in range(5)
        )
    )
    await sentiment.stop()
    await gateway.stop()
    for i, reply in enumerate(replies):
        assert reply.type == "sentiment.SentimentResult.v1"
        assert reply.correlationid == f"corr-{i}" and reply.tenantid == "t9"
        model = decode_data(reply)
        assert isinstance(model, SentimentResultV1) and [r.id for r in model.results] == ["0", "1"]


async def test_domain_error_becomes_the_typed_error_at_the_requester_without_retry() -> None:
    bus = MemoryBus(retry=FAST)
    calls = 0

    async def handle(env: Envelope) -> None:
        nonlocal calls
        calls += 1
        raise NotFound("no such company", {"field": "company_id"})

    bus.subscribe(COMMANDS, group="sentiment", handler=handle)
    await bus.start()
    with pytest.raises(NotFound) as caught:
        await bus.request(COMMANDS, analyze("x"), key=None, tenant_id="t", timeout=2)
    await bus.stop()
    assert caught.value.details == {"field": "company_id"}
    assert calls == 1


async def test_request_fails_fast_when_the_command_is_parked() -> None:
    bus = MemoryBus(retry=FAST)

    async def handle(env: Envelope) -> None:
        raise ValueError("bug")

    bus.subscribe(COMMANDS, group="sentiment", handler=handle)
    await bus.start()
    started_at = time.monotonic()
    with pytest.raises(Exception) as caught:
        await bus.request(COMMANDS, analyze("x"), key=None, tenant_id="t", timeout=5)
    await bus.stop()
    assert caught.value.__class__.__name__ == "Unavailable" and not isinstance(caught.value, Timeout)
    assert time.monotonic() - started_at < 1


async def test_request_without_responder_times_out_within_the_timeout() -> None:
    bus = await started(MemoryBus())
    started_at = time.monotonic()
    with pytest.raises(Timeout):
        await bus.request(COMMANDS, analyze("x"), key=None, tenant_id="t", timeout=0.2)
    assert 0.15 < time.monotonic() - started_at < 1
    await bus.stop()


async def test_publish_rejects_a_message_that_breaks_its_contract_or_topic() -> None:
    bus = await started(MemoryBus())
    broken = SentimentAnalyzedV1.model_construct(**{**analyzed(1).model_dump(), "score": 7.0})
    with pytest.raises(ContractViolation) as caught:
        await bus.publish(EVENTS, broken, key="k", tenant_id="t")
    assert caught.value.details["path"] == "data.score"
    with pytest.raises(ContractViolation):
        await bus.publish(COMMANDS, analyzed(1), key="k", tenant_id="t")  # an event on the command topic
    with pytest.raises(ContractViolation):
        await bus.publish("nobody.events", analyzed(1), key="k", tenant_id="t")
    await bus.stop()


async def test_received_garbage_and_contract_breaking_messages_are_parked_unhandled() -> None:
    broker = MemoryBroker()
    bus = MemoryBus(broker, retry=FAST)
    handled: list[str] = []

    async def handle(env: Envelope) -> None:
        handled.append(env.id)

    bus.subscribe(EVENTS, group="g", handler=handle)
    await bus.start()
    good = bus.envelope(EVENTS, analyzed(1), key="k", tenant_id="t")
    bad = good.model_copy(update={"id": "bad", "data": {**good.data, "label": "ecstatic"}})
    broker.send(EVENTS, b"not json", b"k", (), 3)
    broker.send(EVENTS, bad.to_bytes(), b"k", (), 3)
    broker.send(EVENTS, good.to_bytes(), b"k", (), 3)
    await bus.drain()
    await bus.stop()
    assert handled == [good.id]
    assert [dict(r.headers)["x-dlq-error-type"] for r in broker.records(f"{EVENTS}.dlq")] == [
        b"ContractViolation",
        b"ContractViolation",
    ]


async def test_trace_context_travels_from_publisher_to_handler() -> None:
    bus = MemoryBus()
    seen: list[int] = []

    async def handle(env: Envelope) -> None:
        seen.append(trace.get_current_span().get_span_context().trace_id)

    bus.subscribe(EVENTS, group="g", handler=handle)
    await bus.start()
    parent = SpanContext(trace_id=0xABC, span_id=0xDEF, is_remote=False, trace_flags=TraceFlags(1))
    with trace.use_span(NonRecordingSpan(parent)):
        env = await bus.publish(EVENTS, analyzed(1), key="k", tenant_id="t")
    await bus.drain()
    await bus.stop()
    assert env.traceparent is not None and env.traceparent.startswith("00-" + f"{0xABC:032x}")
    assert seen == [0xABC]


async def test_handler_log_lines_carry_the_event_and_correlation_ids_and_only_while_it_runs() -> None:
    bus = MemoryBus()
    bound: list[dict[str, object]] = []

    async def handle(env: Envelope) -> None:
        bound.append(structlog.contextvars.get_contextvars())
        await asyncio.sleep(0)  # still bound after the handler waits
        bound.append(structlog.contextvars.get_contextvars())

    bus.subscribe(EVENTS, group="g", handler=handle)
    await bus.start()
    first = await bus.publish(EVENTS, analyzed(1), key="k", tenant_id="t", correlation_id="corr-1")
    second = await bus.publish(EVENTS, analyzed(2), key="k", tenant_id="t")
    await bus.drain()
    await bus.stop()
    ids = [{k: b[k] for k in ("event_id", "correlation_id")} for b in bound]
    assert ids == [
        {"event_id": first.id, "correlation_id": "corr-1"},
        {"event_id": first.id, "correlation_id": "corr-1"},
        {"event_id": second.id, "correlation_id": second.id},
        {"event_id": second.id, "correlation_id": second.id},
    ]
    assert "event_id" not in structlog.contextvars.get_contextvars()
