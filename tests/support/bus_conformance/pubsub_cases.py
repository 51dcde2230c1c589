"""Conformance: publish/subscribe, consumer groups, per-key ordering, key-parallel handling and its bound."""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict

import pytest

from libs.bus import Envelope
from libs.errors import Unavailable
from tests.support.bus_conformance.harness import BusHarness, wait_until
from tests.unit.bus.messages import analyzed


class PubSubCases:
    async def test_each_group_gets_every_message_once(self, harness: BusHarness) -> None:
        seen: dict[str, list[str]] = defaultdict(list)

        def recorder(group: str):
            async def handle(env: Envelope) -> None:
                seen[group].append(env.data["id"])

            return handle

        producer, consumer = harness.bus("producer"), harness.bus()
        consumer.subscribe(harness.topics.events, group="analytics", handler=recorder("analytics"))
        consumer.subscribe(harness.topics.events, group="fanout", handler=recorder("fanout"))
        await asyncio.gather(producer.start(), consumer.start())
        sent = [
            await producer.publish(harness.topics.events, analyzed(i), key=f"k{i}", tenant_id="t1") for i in range(20)
        ]
        await wait_until(lambda: len(seen["analytics"]) >= 20 and len(seen["fanout"]) >= 20, what="both groups")
        await consumer.stop()  # whatever was still in hand finishes: a duplicate would show below
        assert sorted(seen["analytics"]) == sorted(seen["fanout"]) == sorted(str(i) for i in range(20))
        assert {e.tenantid for e in sent} == {"t1"}
        assert all(e.correlationid == e.id and e.type == "sentiment.SentimentAnalyzed.v1" for e in sent)

    async def test_a_new_group_reads_the_topic_from_its_beginning(self, harness: BusHarness) -> None:
        producer = harness.bus("producer")
        await producer.start()
        for n in range(3):  # before any group of this topic exists
            await producer.publish(harness.topics.single, analyzed(f"early-{n}"), key="k", tenant_id="t")
        _, seen = await harness.recorder(harness.topics.single, group="newcomer")
        await producer.publish(harness.topics.single, analyzed("late"), key="k", tenant_id="t")
        await wait_until(lambda: "late" in seen, what="the message published after it joined")
        assert seen == ["early-0", "early-1", "early-2", "late"]

    async def test_publishing_on_a_bus_that_is_not_started_fails_unavailable(self, harness: BusHarness) -> None:
        _, seen = await harness.recorder(harness.topics.single)
        idle = harness.bus("producer")
        with pytest.raises(Unavailable):
            await idle.publish(harness.topics.single, analyzed("too-early"), key="k", tenant_id="t")
        await idle.start()
        await idle.publish(harness.topics.single, analyzed("marker"), key="k", tenant_id="t")
        await wait_until(lambda: bool(seen), what="the marker")
        assert seen == ["marker"]

    async def test_members_of_one_group_share_its_partitions(self, harness: BusHarness) -> None:
        handled: dict[str, list[str]] = {"a": [], "b": []}

        def member(name: str):
            async def handle(env: Envelope) -> None:
                handled[name].append(env.data["id"])

            return handle

        producer, first, second = harness.bus("producer"), harness.bus(), harness.bus()
        first.subscribe(harness.topics.events, group="g", handler=member("a"))
        second.subscribe(harness.topics.events, group="g", handler=member("b"))
        await asyncio.gather(producer.start(), first.start(), second.start())
        sent = 0
        while not (handled["a"] and handled["b"]):  # until both hold partitions (joining takes a rebalance)
            assert sent < 2000, "the second member never got a partition"
            await producer.publish(harness.topics.events, analyzed(sent), key=f"k{sent}", tenant_id="t")
            sent += 1
            await asyncio.sleep(0.01)
        await wait_until(lambda: len(handled["a"]) + len(handled["b"]) >= sent, what="every message")
        await asyncio.gather(first.stop(), second.stop())
        assert sorted(handled["a"] + handled["b"], key=int) == [str(n) for n in range(sent)]  # each by one member

    async def test_order_is_kept_per_key_while_keys_interleave(self, harness: BusHarness) -> None:
        order: dict[str, list[int]] = defaultdict(list)

        async def handle(env: Envelope) -> None:
            await asyncio.sleep(random.uniform(0, 0.002))  # uneven handler times would reorder a naive fan-out
            order[env.subject or ""].append(int(env.data["id"].split("-")[1]))

        producer, consumer = harness.bus("producer"), harness.bus()
        consumer.subscribe(harness.topics.events, group="g", handler=handle)
        await asyncio.gather(producer.start(), consumer.start())
        await asyncio.gather(
            *(
                producer.publish(harness.topics.events, analyzed(f"c{k}-{n}"), key=f"conv-{k}", tenant_id="t")
                for n in range(30)
                for k in range(6)
            )
        )
        await wait_until(lambda: sum(map(len, order.values())) >= 180, what="180 messages")
        assert order == {f"conv-{k}": list(range(30)) for k in range(6)}

    async def test_a_blocked_key_does_not_hold_back_other_keys_of_its_partition(self, harness: BusHarness) -> None:
        release = asyncio.Event()
        seen: dict[str, list[int]] = defaultdict(list)

        async def handle(env: Envelope) -> None:
            key, n = env.data["id"].split(":")
            if key == "slow" and n == "0":
                await release.wait()  # a turn waiting on another service's reply
            await asyncio.sleep(random.uniform(0, 0.002))
            seen[key].append(int(n))

        producer, consumer = harness.bus("producer"), harness.bus()
        consumer.subscribe(harness.topics.single, group="g", handler=handle)  # one partition: only keys overlap
        await asyncio.gather(producer.start(), consumer.start())
        for n in range(3):
            await producer.publish(harness.topics.single, analyzed(f"slow:{n}"), key="slow", tenant_id="t")
        for n in range(10):
            for k in range(4):
                await producer.publish(harness.topics.single, analyzed(f"k{k}:{n}"), key=f"k{k}", tenant_id="t")
        await wait_until(lambda: sum(len(seen[f"k{k}"]) for k in range(4)) == 40, what="the other keys")
        assert "slow" not in seen  # still blocked, yet everything behind it in the partition was handled
        release.set()
        await wait_until(lambda: len(seen["slow"]) == 3, what="the blocked key")
        assert seen == {"slow": [0, 1, 2], **{f"k{k}": list(range(10)) for k in range(4)}}

    async def test_messages_in_flight_are_bounded_per_subscription(self, harness: BusHarness) -> None:
        release = asyncio.Event()
        running = peak = done = 0

        async def handle(env: Envelope) -> None:
            nonlocal running, peak, done
            running += 1
            peak = max(peak, running)
            await release.wait()
            running -= 1
            done += 1

        producer, consumer = harness.bus("producer"), harness.bus(max_in_flight=4)  # every subscription's default
        consumer.subscribe(harness.topics.events, group="g", handler=handle)
        await asyncio.gather(producer.start(), consumer.start())
        await asyncio.gather(
            *(producer.publish(harness.topics.events, analyzed(f"m{n}"), key=f"k{n}", tenant_id="t") for n in range(20))
        )
        await wait_until(lambda: running == 4, what="four handlers running")
        await asyncio.sleep(0.3)  # more polling time: the bound must hold, not just be slow to fill
        assert running == peak == 4
        release.set()
        await wait_until(lambda: done == 20, what="the rest, four at a time")
        assert peak == 4
