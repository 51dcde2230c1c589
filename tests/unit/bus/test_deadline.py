"""Commands past their deadline: dropped unhandled (the requester has given up), counted, committed."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from libs.bus import Envelope, MemoryBus
from libs.errors import Timeout
from libs.observability.metrics import BUS_MESSAGES
from tests.unit.bus.messages import analyze, analyzed, result_for

EVENTS = "sentiment.events"
COMMANDS = "sentiment.commands"


def expired_count(topic: str, group: str) -> float:
    return BUS_MESSAGES.labels(topic, group, "expired")._value.get()


async def test_a_message_read_after_its_deadline_is_not_handled() -> None:
    bus = MemoryBus()
    handled: list[str] = []

    async def handle(env: Envelope) -> None:
        handled.append(env.data["id"])

    bus.subscribe(EVENTS, group="late-readers", handler=handle)
    await bus.start()
    before = expired_count(EVENTS, "late-readers")
    past = datetime.now(UTC) - timedelta(seconds=1)
    future = datetime.now(UTC) + timedelta(seconds=30)
    await bus.publish(EVENTS, analyzed("stale"), key="k", tenant_id="t", deadline=past)
    await bus.publish(EVENTS, analyzed("fresh"), key="k", tenant_id="t", deadline=future)
    await bus.publish(EVENTS, analyzed("no-deadline"), key="k", tenant_id="t")
    await bus.drain()
    await bus.stop()
    assert handled == ["fresh", "no-deadline"]
    assert expired_count(EVENTS, "late-readers") == before + 1


async def test_request_stamps_its_timeout_as_the_deadline_and_a_queued_command_is_dropped_after_it() -> None:
    bus = MemoryBus(max_in_flight=1)  # one at a time: the second command waits behind the slow first one
    stamped: list[Envelope] = []

    async def handle(env: Envelope):
        stamped.append(env)
        await asyncio.sleep(0.3)
        return result_for(analyze("x"))

    bus.subscribe(COMMANDS, group="sentiment", handler=handle)
    await bus.start()
    before = expired_count(COMMANDS, "sentiment")
    sent_at = datetime.now(UTC)
    slow = asyncio.create_task(bus.request(COMMANDS, analyze("a"), key="a", tenant_id="t", timeout=5))
    await asyncio.sleep(0.05)
    try:
        await bus.request(COMMANDS, analyze("b"), key="b", tenant_id="t", timeout=0.1)
    except Timeout:
        pass
    else:
        raise AssertionError("the queued request should have timed out")
    await slow
    await bus.drain()
    await bus.stop()
    assert len(stamped) == 1  # the second command was read after its deadline and never reached the handler
    assert stamped[0].deadline is not None
    assert timedelta(seconds=4.5) < stamped[0].deadline - sent_at < timedelta(seconds=5.5)
    assert expired_count(COMMANDS, "sentiment") == before + 1
