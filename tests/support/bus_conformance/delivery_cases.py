"""Conformance: retry then DLQ, dedupe, at-least-once redelivery, and commit only after success."""

from __future__ import annotations

import asyncio
import time

from libs.bus import Envelope, RetryPolicy
from libs.errors import PermanentError, RetryableError
from tests.support.bus_conformance.harness import BusHarness, wait_until
from tests.unit.bus.messages import analyzed


class DeliveryCases:
    async def test_a_poison_message_is_retried_with_backoff_then_parked_and_its_key_moves_on(
        self, harness: BusHarness
    ) -> None:
        attempts: list[float] = []
        handled: list[str] = []

        async def handle(env: Envelope) -> None:
            if env.data["id"] == "poison":
                attempts.append(time.monotonic())
                raise RuntimeError("boom")
            handled.append(env.data["id"])

        bus = harness.bus(retry=RetryPolicy(attempts=3, base_delay=0.05, max_delay=1))
        bus.subscribe(harness.topics.events, group="g", handler=handle)
        await bus.start()
        bad = await bus.publish(harness.topics.events, analyzed("poison"), key="same", tenant_id="t")
        await bus.publish(harness.topics.events, analyzed("after"), key="same", tenant_id="t")
        await wait_until(lambda: handled == ["after"], what="the message behind the poison one")
        assert len(attempts) == 3
        first_gap, second_gap = attempts[1] - attempts[0], attempts[2] - attempts[1]
        assert first_gap >= 0.05 * 0.8 and second_gap > first_gap  # exponential backoff, ±20 % jitter
        [letter] = await harness.dead_letters(harness.topics.events, 1)
        headers = dict(letter.headers)
        assert headers["x-dlq-error-type"] == b"RuntimeError"
        assert headers["x-dlq-error"].startswith(b"RuntimeError at ")  # where, never an arbitrary message's text
        assert headers["x-dlq-attempts"] == b"3"
        assert headers["x-dlq-group"] == b"g"
        assert headers["x-dlq-source-topic"] == harness.topics.events.encode()
        assert Envelope.from_bytes(letter.value).id == bad.id  # the original message is kept as it was
        assert bad.traceparent is not None and headers["traceparent"] == bad.traceparent.encode()  # and its headers

    async def test_a_permanent_error_is_parked_at_once(self, harness: BusHarness) -> None:
        calls = 0

        async def handle(env: Envelope) -> None:
            nonlocal calls
            calls += 1
            raise PermanentError("unusable message")

        bus = harness.bus()
        bus.subscribe(harness.topics.events, group="g", handler=handle)
        await bus.start()
        await bus.publish(harness.topics.events, analyzed(1), key="k", tenant_id="t")
        [letter] = await harness.dead_letters(harness.topics.events, 1)
        assert calls == 1
        assert dict(letter.headers)["x-dlq-error-type"] == b"PermanentError"
        assert dict(letter.headers)["x-dlq-error"] == b"unusable message"

    async def test_a_failing_handler_gets_the_message_again_until_it_succeeds(self, harness: BusHarness) -> None:
        calls = 0

        async def handle(env: Envelope) -> None:
            nonlocal calls
            calls += 1
            if calls < 3:
                raise RetryableError("store busy")

        bus = harness.bus()
        bus.subscribe(harness.topics.events, group="g", handler=handle)
        await bus.start()
        await bus.publish(harness.topics.events, analyzed(1), key="k", tenant_id="t")
        await wait_until(lambda: calls >= 3, what="the third attempt")
        assert await harness.dead_letters(harness.topics.events, 0) == []
        assert calls == 3

    async def test_a_redelivered_event_id_is_handled_once(self, harness: BusHarness) -> None:
        handled: list[str] = []

        async def handle(env: Envelope) -> None:
            handled.append(env.id)

        bus = harness.bus()
        bus.subscribe(harness.topics.single, group="g", handler=handle)
        await bus.start()
        for _ in range(3):
            await bus.publish(harness.topics.single, analyzed(1), key="k", tenant_id="t", event_id="evt-1")
        await bus.publish(harness.topics.single, analyzed(2), key="k", tenant_id="t", event_id="evt-2")
        await wait_until(lambda: "evt-2" in handled, what="the last message")  # same key: it comes last
        assert handled == ["evt-1", "evt-2"]

    async def test_handled_messages_are_committed_so_a_successor_resumes_after_them(self, harness: BusHarness) -> None:
        producer = harness.bus("producer")
        await producer.start()
        consumer, first = await harness.recorder(harness.topics.single)
        for n in range(20):
            await producer.publish(harness.topics.single, analyzed(n), key=f"k{n % 4}", tenant_id="t")
        await wait_until(lambda: len(first) == 20, what="20 messages")
        await consumer.stop()  # it commits what it handled and leaves the group

        # A new process: it remembers no event id, only the group's position.
        _, second = await harness.recorder(harness.topics.single)
        await producer.publish(harness.topics.single, analyzed("marker"), key="k0", tenant_id="t")
        await wait_until(lambda: "marker" in second, what="the marker")
        assert second == ["marker"]

    async def test_a_message_unfinished_when_its_consumer_stops_is_redelivered_with_all_after_it(
        self, harness: BusHarness
    ) -> None:
        handled: list[str] = []
        stuck = asyncio.Event()

        async def hang_on_first(env: Envelope) -> None:
            if env.data["id"] == "first":
                stuck.set()
                await asyncio.Event().wait()  # never finishes: the process is cut off
            handled.append(env.data["id"])

        producer, victim = harness.bus("producer"), harness.bus(stop_timeout=0.3)
        victim.subscribe(harness.topics.single, group="g", handler=hang_on_first)
        await asyncio.gather(producer.start(), victim.start())
        await producer.publish(harness.topics.single, analyzed("first"), key="a", tenant_id="t")
        later = [f"later-{n}" for n in range(8)]
        for name in later:  # other keys: they finish while the first one hangs
            await producer.publish(harness.topics.single, analyzed(name), key=name, tenant_id="t")
        await wait_until(lambda: stuck.is_set() and sorted(handled) == sorted(later), what="later messages handled")
        await asyncio.sleep(0.3)  # give the committer every chance to (wrongly) commit past the unfinished one
        await victim.stop()  # the first message is cut off unfinished after stop_timeout

        _, redelivered = await harness.recorder(harness.topics.single)  # the heir
        await wait_until(lambda: len(redelivered) >= 9, what="redelivery from the unfinished message")
        # The first one comes again, and with it everything after it (at least once: a new process dedupes nothing).
        assert sorted(redelivered) == sorted(["first", *later])
