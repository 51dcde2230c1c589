"""Conformance: the correlation id travels in context (libs/observability/context.py), not through parameters.

A requester binds it once (as the gateway's middleware does per request); the consumer makes the inbound id current
for its handler, so the asks and events a handler sends, and the lines it logs, carry it with nobody passing it on.
"""

from __future__ import annotations

import asyncio

import structlog
from structlog.testing import capture_logs

from libs.bus import Envelope
from libs.contracts.models.sentiment import SentimentResultV1
from libs.observability.context import bind_correlation_id, current_correlation_id, reset_correlation_id
from tests.support.bus_conformance.harness import BusHarness, wait_until
from tests.unit.bus.messages import analyze, analyzed, result_for

log = structlog.get_logger("tests.downstream")


class ContextCases:
    async def test_a_handlers_asks_events_and_log_lines_carry_the_inbound_correlation_id(
        self, harness: BusHarness
    ) -> None:
        front, caller, listener = harness.bus("front"), harness.bus("gateway"), harness.bus("listener")
        inner: list[str] = []
        events: list[str] = []

        async def handle(env: Envelope) -> SentimentResultV1:
            command = analyze(*(t["text"] for t in env.data["texts"]))
            if command.texts[0].text == "inner":  # the downstream hop: it only logs and answers
                inner.append(env.correlationid)
                log.info("inner.handled")
                return result_for(command)
            # The outer hop asks and publishes without naming a correlation id.
            await front.publish(harness.topics.events, analyzed("outer"), key="e", tenant_id=env.tenantid)
            return await front.ask(analyze("inner"), SentimentResultV1, key="in", tenant_id=env.tenantid, timeout=10)

        async def record(env: Envelope) -> None:
            events.append(env.correlationid)

        front.subscribe(harness.topics.commands, group="front", handler=handle)
        listener.subscribe(harness.topics.events, group="listener", handler=record)
        await asyncio.gather(front.start(), caller.start(), listener.start())
        token = bind_correlation_id("corr-ctx-1")  # what the gateway's RequestStamp does for a request
        try:
            with capture_logs(processors=[structlog.contextvars.merge_contextvars]) as lines:
                reply = await caller.ask(analyze("outer"), SentimentResultV1, key="out", tenant_id="t", timeout=15)
        finally:
            reset_correlation_id(token)
        assert isinstance(reply, SentimentResultV1)
        assert inner == ["corr-ctx-1"]
        assert [line.get("correlation_id") for line in lines if line["event"] == "inner.handled"] == ["corr-ctx-1"]
        await wait_until(lambda: bool(events), what="the outer hop's event")
        assert events == ["corr-ctx-1"]
        assert current_correlation_id() is None  # the consumer reset what it bound; nothing leaked out

    async def test_an_explicit_correlation_id_wins_and_none_in_context_means_the_messages_own(
        self, harness: BusHarness
    ) -> None:
        bus = harness.bus()
        await bus.start()
        token = bind_correlation_id("corr-ctx-2")
        try:
            named = await bus.publish(harness.topics.events, analyzed(1), key="k", tenant_id="t", correlation_id="c")
            implied = await bus.publish(harness.topics.events, analyzed(2), key="k", tenant_id="t")
        finally:
            reset_correlation_id(token)
        bare = await bus.publish(harness.topics.events, analyzed(3), key="k", tenant_id="t")
        assert (named.correlationid, implied.correlationid) == ("c", "corr-ctx-2")
        assert bare.correlationid == bare.id
