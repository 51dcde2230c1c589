"""Conformance: the envelope's extensions (tenant, correlation, traceparent, log ids) and contracts on both ends."""

from __future__ import annotations

import asyncio

import pytest
import structlog
from opentelemetry import trace
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags

from libs.bus import Envelope
from libs.contracts.models.sentiment import SentimentAnalyzedV1
from libs.contracts.registry import ContractViolation
from tests.support.bus_conformance.harness import BusHarness, wait_until
from tests.unit.bus.messages import analyzed


class EnvelopeCases:
    async def test_extensions_and_the_producers_trace_reach_the_handler(self, harness: BusHarness) -> None:
        received: list[tuple[Envelope, int]] = []

        async def handle(env: Envelope) -> None:
            received.append((env, trace.get_current_span().get_span_context().trace_id))

        producer, consumer = harness.bus("producer"), harness.bus()
        consumer.subscribe(harness.topics.single, group="g", handler=handle)
        await asyncio.gather(producer.start(), consumer.start())
        parent = SpanContext(trace_id=0xABC, span_id=0xDEF, is_remote=False, trace_flags=TraceFlags(1))
        with trace.use_span(NonRecordingSpan(parent)):
            traced = await producer.publish(
                harness.topics.single, analyzed(1), key="conv-1", tenant_id="t7", correlation_id="corr-1"
            )
        plain = await producer.publish(harness.topics.single, analyzed(2), key="conv-1", tenant_id="t8")
        await wait_until(lambda: len(received) == 2, what="both messages")
        [(first, first_trace), (second, second_trace)] = received
        assert first.model_dump() == traced.model_dump()  # every attribute arrives as it was sent
        assert (first.tenantid, first.correlationid, first.subject) == ("t7", "corr-1", "conv-1")
        assert first.source == "/switchboard/producer" and first.type == "sentiment.SentimentAnalyzed.v1"
        assert traced.traceparent is not None and traced.traceparent.startswith(f"00-{0xABC:032x}-")
        assert traced.traceparent != f"00-{0xABC:032x}-{0xDEF:016x}-01"  # a child span of the publisher's
        assert first_trace == 0xABC  # the handler runs inside the producer's trace
        assert (second.tenantid, second.correlationid) == ("t8", plain.id)  # correlation defaults to the event id
        assert plain.traceparent is not None and second_trace == int(plain.traceparent.split("-")[1], 16)

    async def test_handler_log_lines_carry_the_event_and_correlation_ids_only_while_it_runs(
        self, harness: BusHarness
    ) -> None:
        bound: list[dict[str, object]] = []
        after: list[dict[str, object]] = []

        async def handle(env: Envelope) -> None:
            bound.append(structlog.contextvars.get_contextvars())
            await asyncio.sleep(0)  # still bound after the handler waits
            bound.append(structlog.contextvars.get_contextvars())

        async def next_handler(env: Envelope) -> None:
            after.append(structlog.contextvars.get_contextvars())

        bus = harness.bus()
        bus.subscribe(harness.topics.single, group="g", handler=handle)
        bus.subscribe(harness.topics.events, group="g", handler=next_handler)
        await bus.start()
        first = await bus.publish(harness.topics.single, analyzed(1), key="k", tenant_id="t", correlation_id="corr-1")
        second = await bus.publish(harness.topics.single, analyzed(2), key="k", tenant_id="t")
        await wait_until(lambda: len(bound) == 4, what="both messages")
        third = await bus.publish(harness.topics.events, analyzed(3), key="k", tenant_id="t")
        await wait_until(lambda: len(after) == 1, what="the third message")
        ids = [{k: b.get(k) for k in ("event_id", "correlation_id")} for b in bound + after]
        assert ids == [
            {"event_id": first.id, "correlation_id": "corr-1"},
            {"event_id": first.id, "correlation_id": "corr-1"},
            {"event_id": second.id, "correlation_id": second.id},
            {"event_id": second.id, "correlation_id": second.id},
            {"event_id": third.id, "correlation_id": third.id},  # nothing left over from the previous handler
        ]
        assert "event_id" not in structlog.contextvars.get_contextvars()

    async def test_publish_rejects_a_message_that_breaks_its_contract_or_its_topic(self, harness: BusHarness) -> None:
        _, handled = await harness.recorder(harness.topics.single)
        bus = harness.bus("producer")
        await bus.start()
        broken = SentimentAnalyzedV1.model_construct(**{**analyzed("broken").model_dump(), "score": 7.0})
        with pytest.raises(ContractViolation) as caught:
            await bus.publish(harness.topics.single, broken, key="k", tenant_id="t")
        assert caught.value.details["path"] == "data.score"
        with pytest.raises(ContractViolation):  # an event on the command topic
            await bus.publish(harness.topics.commands, analyzed("wrong-topic"), key="k", tenant_id="t")
        with pytest.raises(ContractViolation):
            await bus.publish("nobody.events", analyzed("undeclared"), key="k", tenant_id="t")
        await bus.publish(harness.topics.single, analyzed("marker"), key="k", tenant_id="t")
        await wait_until(lambda: bool(handled), what="the marker")
        assert handled == ["marker"]  # nothing rejected was sent

    async def test_received_garbage_and_contract_breaking_records_are_parked_unhandled(
        self, harness: BusHarness
    ) -> None:
        handled: list[str] = []

        async def handle(env: Envelope) -> None:
            handled.append(env.id)

        bus = harness.bus()
        topic = harness.topics.single
        bus.subscribe(topic, group="g", handler=handle)
        await bus.start()
        good = bus.envelope(topic, analyzed(1), key="k", tenant_id="t")
        bad = good.model_copy(update={"id": "bad", "data": {**good.data, "label": "ecstatic"}})
        foreign = good.model_copy(update={"id": "foreign", "type": "sentiment.AnalyzeSentiment.v1"})
        for value in (b"not json", bad.to_bytes(), foreign.to_bytes(), good.to_bytes()):
            await harness.inject(topic, value, b"k")
        await wait_until(lambda: bool(handled), what="the good record")
        letters = await harness.dead_letters(topic, 3)
        assert handled == [good.id]
        assert [dict(r.headers)["x-dlq-error-type"] for r in letters] == [b"ContractViolation"] * 3
        assert [r.value for r in letters] == [b"not json", bad.to_bytes(), foreign.to_bytes()]
