"""Sealed payloads: commands and replies hold no plain text on the broker, handlers and requesters see plain data,
events stay readable, and a payload sealed with another key is dead-lettered, still sealed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from libs.bus import Envelope, MemoryBroker, MemoryBus, RetryPolicy, sealing
from libs.contracts.models.sentiment import SentimentResultV1
from libs.contracts.registry import ContractViolation
from tests.unit.bus.messages import analyze, analyzed, result_for

COMMANDS = "sentiment.commands"
EVENTS = "sentiment.events"
SECRET = "Jane Doe, jane.doe@example.com, card 4111 1111 1111 1111"
FAST = RetryPolicy(attempts=1, base_delay=0.001, max_delay=0.002)


@pytest.fixture(autouse=True)
def sealed() -> Iterator[str]:
    key = sealing.new_key()
    sealing.configure(key)
    yield key
    sealing.configure(None)


def _raw(broker: MemoryBroker, topic: str) -> list[bytes]:
    return [r.value for r in broker.records(topic)]


async def test_commands_and_replies_travel_sealed_and_arrive_plain() -> None:
    broker = MemoryBroker()
    gateway = MemoryBus(broker, service_name="gateway", instance_id="a")
    sentiment = MemoryBus(broker, service_name="sentiment", instance_id="b")
    seen: list[str] = []

    async def handle(env: Envelope) -> SentimentResultV1:
        seen.extend(t["text"] for t in env.data["texts"])
        await sentiment.publish(EVENTS, analyzed(1), key="k", tenant_id="t")
        return result_for(analyze(*(t["text"] for t in env.data["texts"])))

    sentiment.subscribe(COMMANDS, group="sentiment", handler=handle)
    await gateway.start()
    await sentiment.start()
    reply = await gateway.request(COMMANDS, analyze(SECRET), key="k", tenant_id="t", timeout=2)
    await sentiment.stop()
    await gateway.stop()
    assert seen == [SECRET] and [r["id"] for r in reply.data["results"]] == ["0"]
    [command] = _raw(broker, COMMANDS)
    [answer] = _raw(broker, gateway.reply_topic)
    assert b"Jane" not in command and b"4111" not in command and b'"sealed":"v1.' in command
    assert b'"sealed":"v1.' in answer and b'"results"' not in answer
    assert b"sentiment.AnalyzeSentiment.v1" in command  # routing fields stay readable
    [event] = _raw(broker, EVENTS)
    assert b'"sealed"' not in event and b'"label":"positive"' in event


async def test_a_payload_sealed_with_another_key_is_dead_lettered_still_sealed(sealed: str) -> None:
    bus = MemoryBus(retry=FAST)
    handled: list[Envelope] = []

    async def handle(env: Envelope) -> None:
        handled.append(env)

    bus.subscribe(COMMANDS, group="sentiment", handler=handle)
    await bus.start()
    await bus.publish(COMMANDS, analyze(SECRET), key="k", tenant_id="t")
    await bus.drain()
    sealing.configure(sealing.new_key())  # a producer with another key
    await bus.publish(COMMANDS, analyze(SECRET), key="k", tenant_id="t")
    sealing.configure(sealed)
    await bus.drain()
    await bus.stop()
    assert len(handled) == 1
    [letter] = bus.broker.records(f"{COMMANDS}.dlq")
    assert b"Jane" not in letter.value and dict(letter.headers)["x-dlq-error-type"] == b"ContractViolation"


def test_a_sealed_payload_cannot_be_moved_to_another_message(sealed: str) -> None:
    bus = MemoryBus()
    first = bus.envelope(COMMANDS, analyze(SECRET), key="k", tenant_id="t")
    second = bus.envelope(COMMANDS, analyze("other"), key="k", tenant_id="t")
    own = Envelope.model_validate_json(sealing.wire_bytes(COMMANDS, first))
    moved = Envelope.model_validate_json(second.to_bytes(data=own.data))  # first's sealed data under second's id
    assert sealing.unseal(own).data == first.data
    with pytest.raises(ContractViolation, match="could not be opened"):
        sealing.unseal(moved)
