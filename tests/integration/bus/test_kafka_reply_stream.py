"""Streamed replies over KafkaBus on a real Apache Kafka broker: ordered partial replies, then the final reply or the
typed error, for several concurrent streaming requests sharing one reply topic."""

from __future__ import annotations

import asyncio

import pytest

from libs.bus import Envelope, MessageContext, ReplyStream, build_topic_handler
from libs.contracts.models.sentiment import AnalyzeSentimentV1, SentimentResultV1
from libs.errors import NotFound
from tests.integration.bus.conftest import BusFactory, Topics
from tests.support.contracts import COMMAND
from tests.support.kafka import Broker
from tests.unit.bus.messages import analyze, result_for

pytestmark = pytest.mark.integration


async def test_partial_replies_travel_in_order_then_the_final_reply_or_the_error(
    kafka_broker: Broker, kafka_bus: BusFactory, topics: Topics
) -> None:
    async def handle(cmd: AnalyzeSentimentV1, *, ctx: MessageContext, reply_stream: ReplyStream) -> SentimentResultV1:
        pieces = int(cmd.texts[0].text)
        for n in range(pieces):
            await reply_stream(result_for(analyze(*(["x"] * (n + 1)))))
        if len(cmd.texts) > 1:
            raise NotFound("stopped after the pieces", {"pieces": pieces})
        return result_for(analyze("final"))

    service = kafka_bus(kafka_broker, "sentiment")
    service.subscribe(
        topics.commands,
        group="sentiment",
        handler=build_topic_handler(service, {COMMAND: handle}, registry=service.registry),
    )
    caller = kafka_bus(kafka_broker, "gateway")
    await asyncio.gather(service.start(), caller.start())

    async def run(pieces: int, key: str) -> list[Envelope]:
        stream = caller.request_stream(
            topics.commands, analyze(str(pieces)), key=key, tenant_id="t", timeout=20, idle_timeout=10
        )
        return [env async for env in stream]

    # Keys on both partitions, so the replies of concurrent streams interleave on the one reply topic.
    results = await asyncio.gather(*(run(pieces, f"k{pieces}") for pieces in (3, 8, 5, 1)))
    for pieces, replies in zip((3, 8, 5, 1), results, strict=True):
        assert [len(r.data["results"]) for r in replies[:-1]] == list(range(1, pieces + 1))
        assert replies[-1].data["results"][0]["id"] == "0" and len(replies[-1].data["results"]) == 1

    seen: list[Envelope] = []
    with pytest.raises(NotFound) as err:
        async for env in caller.request_stream(
            topics.commands, analyze("4", "fail"), key="kf", tenant_id="t", timeout=20, idle_timeout=10
        ):
            seen.append(env)
    assert len(seen) == 4 and err.value.details == {"pieces": 4}
