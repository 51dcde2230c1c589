"""The lag probe on MemoryBus: the messages queued for a group and not yet taken, per partition."""

from __future__ import annotations

from libs.bus import Envelope, MemoryBroker, MemoryBus
from libs.bus.lag import lag_probe
from tests.unit.bus.messages import analyzed

EVENTS = "sentiment.events"


async def test_lag_counts_what_the_group_has_not_taken_per_partition() -> None:
    broker = MemoryBroker()
    consumer = MemoryBus(broker, service_name="analytics")
    seen: list[str] = []

    async def handle(env: Envelope) -> None:
        seen.append(env.id)

    consumer.subscribe(EVENTS, group="g", handler=handle)  # joined, not started: nothing is taken yet
    producer = MemoryBus(broker, service_name="producer")
    await producer.start()
    for i in range(7):
        await producer.publish(EVENTS, analyzed(f"t{i}"), key=f"k{i}", tenant_id="acme")
    probe = lag_probe(consumer)
    lag = await probe.lag("g", [EVENTS])
    assert sum(lag.values()) == 7 and len(lag) == len(broker.backlog(EVENTS, "g")) > 1
    assert (await probe.lag("other", [EVENTS])) == {}  # a group that never joined has nothing queued

    await consumer.start()
    await consumer.drain()
    assert len(seen) == 7 and not any((await probe.lag("g", [EVENTS])).values())
    await probe.close()
    await consumer.stop()
    await producer.stop()
