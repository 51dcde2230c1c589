"""A request handler's events leave after its reply, and the request counts as handled only once they are sent."""

from __future__ import annotations

from libs.bus import MemoryBroker, MemoryBus, MessageContext, Publisher, RetryPolicy, build_topic_handler
from libs.bus.records import Headers
from libs.contracts.models.sentiment import AnalyzeSentimentV1, SentimentResultV1
from libs.errors import Unavailable
from tests.unit.bus.messages import analyze, analyzed, result_for

COMMANDS = "sentiment.commands"
EVENTS = "sentiment.events"
FAST = RetryPolicy(attempts=3, base_delay=0.001, max_delay=0.002)


class RecordingBus(MemoryBus):
    """A MemoryBus that logs the topic of every send, and can refuse the first `fail_events` event sends."""

    def __init__(self, broker: MemoryBroker, fail_events: int = 0) -> None:
        super().__init__(broker, service_name="sentiment", retry=FAST)
        self.sent: list[str] = []
        self.fail_events = fail_events

    async def _send(self, topic: str, value: bytes, key: bytes | None, headers: Headers, within: float) -> None:
        if topic == EVENTS and self.fail_events > 0:
            self.fail_events -= 1
            raise Unavailable("broker down", {"topic": topic})
        self.sent.append(topic)
        await super()._send(topic, value, key, headers, within)


def serve(bus: MemoryBus, calls: list[str]) -> None:
    async def handle(cmd: AnalyzeSentimentV1, *, ctx: MessageContext, publish: Publisher) -> SentimentResultV1:
        calls.append(ctx.event_id)
        for item in cmd.texts:
            await publish(analyzed(item.id))
        return result_for(cmd)

    handler = build_topic_handler(bus, {"sentiment.AnalyzeSentiment.v1": handle})
    bus.subscribe(COMMANDS, group="sentiment", handler=handler)


async def test_the_reply_is_sent_before_the_events_of_the_same_request() -> None:
    broker = MemoryBroker()
    bus, calls = RecordingBus(broker), []
    serve(bus, calls)
    await bus.start()
    await bus.request(COMMANDS, analyze("a", "b"), key="k", tenant_id="t", timeout=2)
    await bus.drain()
    await bus.stop()
    handled = [t for t in bus.sent if t != COMMANDS]
    assert handled[0].startswith("sentiment.replies.")  # the reply first ...
    assert handled[1:] == [EVENTS, EVENTS]  # ... then both events, in publishing order
    assert len(broker.records(EVENTS)) == 2


async def test_an_event_refused_after_the_reply_runs_the_handler_again_with_the_same_event_ids() -> None:
    broker = MemoryBroker()
    bus, calls = RecordingBus(broker, fail_events=1), []
    serve(bus, calls)
    await bus.start()
    reply = await bus.request(COMMANDS, analyze("a"), key="k", tenant_id="t", timeout=2)
    await bus.drain()
    await bus.stop()
    assert reply.type == "sentiment.SentimentResult.v1"
    assert len(calls) == 2 and calls[0] == calls[1]  # handled again: the event is not lost
    assert len(broker.records(EVENTS)) == 1  # the refused send left nothing; the retry sent it once


async def test_events_are_not_held_when_nobody_waits_for_a_reply() -> None:
    broker = MemoryBroker()
    bus, calls = RecordingBus(broker), []
    serve(bus, calls)
    await bus.start()
    await bus.publish(COMMANDS, analyze("a"), key="k", tenant_id="t")
    await bus.drain()
    await bus.stop()
    assert broker.records(EVENTS) and len(calls) == 1
