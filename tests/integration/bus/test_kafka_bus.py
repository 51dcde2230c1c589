"""KafkaBus only: a broker outage and recovery (what every transport does is in the bus conformance suite)."""

from __future__ import annotations

import asyncio
import shutil
import time

import pytest

from libs.bus import Envelope
from libs.contracts.models.sentiment import SentimentResultV1
from libs.errors import Unavailable
from tests.integration.bus.conftest import BusFactory, Topics, wait_until
from tests.support.kafka import Broker
from tests.unit.bus.messages import analyze, result_for

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("replaced", [False, True], ids=["same-log", "replaced-broker"])
async def test_broker_outage_fails_fast_then_the_bus_recovers_on_its_own(
    own_broker: Broker, kafka_bus: BusFactory, topics: Topics, replaced: bool
) -> None:
    async def handle(env: Envelope) -> SentimentResultV1:
        return result_for(analyze("x"))

    service = kafka_bus(own_broker, "sentiment")
    service.subscribe(topics.commands, group="sentiment", handler=handle)
    caller = kafka_bus(own_broker, "gateway")
    await asyncio.gather(service.start(), caller.start())
    await caller.request(topics.commands, analyze("a"), key="k", tenant_id="t", timeout=10)

    own_broker.stop()
    started = time.monotonic()
    with pytest.raises(Unavailable):  # Timeout is a subclass: either is a clear, bounded failure
        await caller.request(topics.commands, analyze("a"), key="k", tenant_id="t", timeout=1.0)
    assert time.monotonic() - started < 3.0  # bounded by the 1 s timeout plus scheduling slack on a busy machine
    await wait_until(lambda: not caller.healthy, within=5, what="unhealthy")

    if replaced:  # a new broker on the same address: empty log, so topics and the reply topic's offsets start over
        shutil.rmtree(own_broker.log_dir)
    own_broker.start()  # the bus must reconnect, recreate what is missing, reposition and rejoin by itself
    deadline = time.monotonic() + 45
    while True:
        try:
            await caller.request(topics.commands, analyze("a"), key="k", tenant_id="t", timeout=2)
            break
        except Unavailable:
            assert time.monotonic() < deadline, "request/reply did not recover after the broker came back"
    # Health is re-read by each bus's 1 s probe loop, so it may lag the first successful round trip a little.
    await wait_until(lambda: caller.healthy and service.healthy, within=5, what="healthy again")
