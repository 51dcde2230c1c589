"""Conformance: request/reply (answers, typed errors, timeouts, deadlines) and streamed replies."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import pytest

from libs.bus import Envelope, MessageContext, ReplyStream, build_topic_handler, decode_data
from libs.contracts.models.sentiment import AnalyzeSentimentV1, SentimentResultV1
from libs.errors import Invalid, NotFound, Timeout, Unavailable
from tests.support.bus_conformance.harness import BusHarness, bus_messages, wait_until
from tests.support.contracts import COMMAND
from tests.unit.bus.messages import analyze, analyzed, result_for


class ReplyCases:
    async def test_request_reply_returns_the_answer_under_the_requests_tenant_and_correlation(
        self, harness: BusHarness
    ) -> None:
        async def handle(env: Envelope) -> SentimentResultV1:
            return result_for(analyze(*(t["text"] for t in env.data["texts"])))

        service, caller = harness.bus("sentiment"), harness.bus("gateway")
        service.subscribe(harness.topics.commands, group="sentiment", handler=handle)
        await asyncio.gather(service.start(), caller.start())
        replies = await asyncio.gather(
            *(
                caller.request(
                    harness.topics.commands,
                    analyze("hi", "there"),
                    key=f"r{i}",
                    tenant_id="t9",
                    timeout=10,
                    correlation_id=f"corr-{i}",
                )
                for i in range(5)
            )
        )
        for i, reply in enumerate(replies):
            assert reply.type == "sentiment.SentimentResult.v1"
            assert reply.correlationid == f"corr-{i}" and reply.tenantid == "t9"
            model = decode_data(reply, harness.registry)
            assert isinstance(model, SentimentResultV1) and [r.id for r in model.results] == ["0", "1"]

    async def test_a_domain_error_reaches_the_requester_typed_without_retry(self, harness: BusHarness) -> None:
        calls = 0

        async def handle(env: Envelope) -> None:
            nonlocal calls
            calls += 1
            raise NotFound("no such company", {"field": "company_id"})

        bus = harness.bus()
        bus.subscribe(harness.topics.commands, group="sentiment", handler=handle)
        await bus.start()
        with pytest.raises(NotFound) as caught:
            await bus.request(harness.topics.commands, analyze("x"), key=None, tenant_id="t", timeout=10)
        assert caught.value.details == {"field": "company_id"}
        assert calls == 1

    async def test_a_parked_command_fails_its_request_fast(self, harness: BusHarness) -> None:
        async def handle(env: Envelope) -> None:
            raise ValueError("bug")

        bus = harness.bus()
        bus.subscribe(harness.topics.commands, group="sentiment", handler=handle)
        await bus.start()
        started_at = time.monotonic()
        with pytest.raises(Unavailable) as caught:
            await bus.request(harness.topics.commands, analyze("x"), key=None, tenant_id="t", timeout=8)
        assert not isinstance(caught.value, Timeout)
        assert time.monotonic() - started_at < 3  # three fast attempts, not the 8 s timeout

    async def test_a_reply_that_breaks_its_contract_parks_the_command_and_answers_invalid(
        self, harness: BusHarness
    ) -> None:
        async def handle(env: Envelope) -> object:
            return analyzed(1)  # an event, not a reply declared for the command

        bus = harness.bus()
        bus.subscribe(harness.topics.commands, group="sentiment", handler=handle)
        await bus.start()
        with pytest.raises(Invalid):
            await bus.request(harness.topics.commands, analyze("x"), key="k", tenant_id="t", timeout=8)
        [letter] = await harness.dead_letters(harness.topics.commands, 1)
        assert dict(letter.headers)["x-dlq-error-type"] == b"ContractViolation"

    async def test_a_request_nobody_answers_times_out_within_its_timeout(self, harness: BusHarness) -> None:
        bus = harness.bus()
        await bus.start()
        started_at = time.monotonic()
        with pytest.raises(Timeout):
            await bus.request(harness.topics.commands, analyze("x"), key=None, tenant_id="t", timeout=0.3)
        assert 0.25 < time.monotonic() - started_at < 2  # the timeout plus scheduling slack on a busy machine

    async def test_a_request_stamps_its_deadline_and_a_command_read_after_it_is_dropped(
        self, harness: BusHarness
    ) -> None:
        stamped: list[Envelope] = []

        async def handle(env: Envelope) -> SentimentResultV1:
            stamped.append(env)
            await asyncio.sleep(0.3)
            return result_for(analyze("x"))

        bus = harness.bus()
        topic = harness.topics.commands
        # One at a time (this subscription's own bound): the second command waits behind the slow first one.
        bus.subscribe(topic, group="sentiment", handler=handle, max_in_flight=1)
        await bus.start()
        sent_at = datetime.now(UTC)
        slow = asyncio.create_task(bus.request(topic, analyze("a"), key="a", tenant_id="t", timeout=5))
        await wait_until(lambda: bool(stamped), what="the first command")
        with pytest.raises(Timeout):
            await bus.request(topic, analyze("b"), key="b", tenant_id="t", timeout=0.1)
        await slow
        await wait_until(lambda: bus_messages(topic, "sentiment", "expired") == 1, what="the expired command")
        assert len(stamped) == 1  # the second command was read after its deadline and never reached the handler
        assert stamped[0].deadline is not None
        assert timedelta(seconds=4.5) < stamped[0].deadline - sent_at < timedelta(seconds=5.5)

    async def test_a_message_read_after_its_deadline_is_not_handled(self, harness: BusHarness) -> None:
        handled: list[str] = []

        async def handle(env: Envelope) -> None:
            handled.append(env.data["id"])

        bus = harness.bus()
        topic = harness.topics.single
        bus.subscribe(topic, group="late-readers", handler=handle)
        await bus.start()
        past, future = datetime.now(UTC) - timedelta(seconds=1), datetime.now(UTC) + timedelta(seconds=30)
        await bus.publish(topic, analyzed("stale"), key="k", tenant_id="t", deadline=past)
        await bus.publish(topic, analyzed("fresh"), key="k", tenant_id="t", deadline=future)
        await bus.publish(topic, analyzed("no-deadline"), key="k", tenant_id="t")
        await wait_until(lambda: "no-deadline" in handled, what="the last message")
        assert handled == ["fresh", "no-deadline"]
        assert bus_messages(topic, "late-readers", "expired") == 1

    async def test_streamed_replies_arrive_in_order_then_the_final_reply_or_the_typed_error(
        self, harness: BusHarness
    ) -> None:
        async def handle(cmd: AnalyzeSentimentV1, *, ctx: MessageContext, reply_stream: ReplyStream) -> object:
            pieces = int(cmd.texts[0].text)
            for n in range(pieces):
                await reply_stream(result_for(analyze(*(["x"] * (n + 1)))))
            if len(cmd.texts) > 1:
                raise NotFound("stopped after the pieces", {"pieces": pieces})
            return result_for(analyze("final"))

        service, caller = harness.bus("sentiment"), harness.bus("gateway")
        handler = build_topic_handler(service, {COMMAND: handle}, registry=service.registry)  # type: ignore[dict-item]
        service.subscribe(harness.topics.commands, group="sentiment", handler=handler)
        await asyncio.gather(service.start(), caller.start())

        async def run(pieces: int, key: str) -> list[Envelope]:
            stream = caller.request_stream(
                harness.topics.commands,
                analyze(str(pieces)),
                key=key,
                tenant_id="t1",
                timeout=20,
                idle_timeout=10,
                correlation_id=f"corr-{pieces}",
            )
            return [env async for env in stream]

        # Keys on both partitions, so the replies of concurrent streams interleave on the one reply topic.
        results = await asyncio.gather(*(run(pieces, f"k{pieces}") for pieces in (3, 8, 5, 1)))
        for pieces, replies in zip((3, 8, 5, 1), results, strict=True):
            assert [len(r.data["results"]) for r in replies[:-1]] == list(range(1, pieces + 1))
            assert replies[-1].data["results"][0]["id"] == "0" and len(replies[-1].data["results"]) == 1
            assert {(r.tenantid, r.correlationid) for r in replies} == {("t1", f"corr-{pieces}")}
            assert len({r.id for r in replies}) == pieces + 1

        seen: list[Envelope] = []
        with pytest.raises(NotFound) as err:
            async for env in caller.request_stream(
                harness.topics.commands, analyze("4", "fail"), key="kf", tenant_id="t", timeout=20, idle_timeout=10
            ):
                seen.append(env)
        assert len(seen) == 4 and err.value.details == {"pieces": 4}
