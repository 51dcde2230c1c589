"""build_topic_handler routes by type into typed handlers with deps; Publisher re-emits identical event ids."""

from __future__ import annotations

import pytest

from libs.bus import Envelope, MemoryBroker, MemoryBus, MessageContext, Publisher, RetryPolicy, build_topic_handler
from libs.contracts.models.sentiment import AnalyzeSentimentV1, SentimentAnalyzedV1, SentimentResultV1
from libs.errors import Unavailable
from tests.unit.bus.messages import analyze, analyzed, result_for

COMMANDS = "sentiment.commands"
EVENTS = "sentiment.events"
FAST = RetryPolicy(attempts=3, base_delay=0.001, max_delay=0.002)


async def test_handler_gets_the_typed_command_context_deps_and_a_publisher() -> None:
    broker = MemoryBroker()
    bus = MemoryBus(broker, service_name="sentiment", retry=FAST)
    calls: list[tuple[AnalyzeSentimentV1, MessageContext, str]] = []

    async def handle_analyze_sentiment(
        cmd: AnalyzeSentimentV1, *, ctx: MessageContext, model_name: str, publish: Publisher
    ) -> SentimentResultV1:
        calls.append((cmd, ctx, model_name))
        for item in cmd.texts:
            await publish(analyzed(item.id))
        return result_for(cmd)

    handlers = {"sentiment.AnalyzeSentiment.v1": handle_analyze_sentiment}
    bus.subscribe(COMMANDS, group="sentiment", handler=build_topic_handler(bus, handlers, {"model_name": "m1"}))
    await bus.start()
    reply = await bus.request(
        COMMANDS, analyze("a", "b"), key="conv-1", tenant_id="acme", timeout=2, correlation_id="corr"
    )
    await bus.stop()
    [(cmd, ctx, model_name)] = calls
    assert isinstance(cmd, AnalyzeSentimentV1) and [t.text for t in cmd.texts] == ["a", "b"]
    assert (ctx.tenant_id, ctx.correlation_id, ctx.key, ctx.type) == (
        "acme",
        "corr",
        "conv-1",
        "sentiment.AnalyzeSentiment.v1",
    )
    assert model_name == "m1"
    assert reply.type == "sentiment.SentimentResult.v1"
    events = [Envelope.from_bytes(r.value) for r in broker.records(EVENTS)]
    assert [(e.tenantid, e.correlationid, e.subject) for e in events] == [("acme", "corr", "conv-1")] * 2


async def test_redelivery_re_emits_the_same_event_ids() -> None:
    ctx = MessageContext(event_id="cmd-1", tenant_id="t", correlation_id="c", key="k", type="x")
    emitted: list[list[str]] = []
    for _ in range(2):  # the same command handled twice, as after a crash before commit
        broker = MemoryBroker()
        bus = MemoryBus(broker)
        await bus.start()
        publish = Publisher(bus, ctx)
        for i in range(3):
            await publish(analyzed(i))
        await bus.stop()
        emitted.append([Envelope.from_bytes(r.value).id for r in broker.records(EVENTS)])
    assert emitted[0] == emitted[1]
    assert len(set(emitted[0])) == 3


async def test_unknown_type_is_parked_and_unknown_handler_table_entries_fail_at_wiring() -> None:
    broker = MemoryBroker()
    bus = MemoryBus(broker, retry=FAST)

    async def handle(cmd: SentimentAnalyzedV1, *, ctx: MessageContext) -> None:
        return None

    bus.subscribe(COMMANDS, group="g", handler=build_topic_handler(bus, {"sentiment.SentimentAnalyzed.v1": handle}))
    await bus.start()
    await bus.publish(COMMANDS, analyze("x"), key="k", tenant_id="t")
    await bus.drain()
    await bus.stop()
    [letter] = broker.records(f"{COMMANDS}.dlq")
    assert dict(letter.headers)["x-dlq-error-type"] == b"PermanentError"
    with pytest.raises(Exception, match="unknown message type"):
        build_topic_handler(bus, {"sentiment.Nothing.v1": handle})


async def test_unavailable_dependency_is_retried_for_events_but_answered_for_requests() -> None:
    broker = MemoryBroker()
    bus = MemoryBus(broker, retry=FAST)
    calls = {"event": 0, "command": 0}

    async def on_event(event: SentimentAnalyzedV1, *, ctx: MessageContext) -> None:
        calls["event"] += 1
        if calls["event"] < 3:
            raise Unavailable("store down")

    async def on_command(cmd: AnalyzeSentimentV1, *, ctx: MessageContext) -> None:
        calls["command"] += 1
        raise Unavailable("model down")

    bus.subscribe(EVENTS, group="g", handler=build_topic_handler(bus, {"sentiment.SentimentAnalyzed.v1": on_event}))
    bus.subscribe(COMMANDS, group="g", handler=build_topic_handler(bus, {"sentiment.AnalyzeSentiment.v1": on_command}))
    await bus.start()
    await bus.publish(EVENTS, analyzed(1), key="k", tenant_id="t")
    with pytest.raises(Unavailable, match="model down"):
        await bus.request(COMMANDS, analyze("x"), key="k", tenant_id="t", timeout=2)
    await bus.drain()
    await bus.stop()
    assert calls == {"event": 3, "command": 1}
    assert broker.records(f"{EVENTS}.dlq") == []


async def test_each_handler_gets_only_the_dependencies_it_names() -> None:
    bus = MemoryBus(MemoryBroker(), service_name="sentiment", retry=FAST)

    async def handle_analyze_sentiment(cmd: AnalyzeSentimentV1, *, ctx: MessageContext) -> SentimentResultV1:
        return result_for(cmd)  # takes no deps: the table's other deps must not be forced on it

    handlers = {"sentiment.AnalyzeSentiment.v1": handle_analyze_sentiment}
    deps = {"model_name": "m1", "vault": object()}
    bus.subscribe(COMMANDS, group="sentiment", handler=build_topic_handler(bus, handlers, deps))
    await bus.start()
    reply = await bus.request(COMMANDS, analyze("a"), key="k", tenant_id="acme", timeout=2)
    await bus.stop()
    assert reply.type == "sentiment.SentimentResult.v1"
