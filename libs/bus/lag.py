"""Consumer lag per partition: how many messages of a topic a consumer group has not handled and committed yet.

The `Bus` port does not expose offsets, so this is a separate, read-only probe built for a bus:
`probe = lag_probe(bus)`, then `await probe.lag(group, topics) -> {(topic, partition): messages}` and
`await probe.close()`. On `KafkaBus` it asks the broker (its own admin client and group-less consumer, so the
bus's consumers are untouched): the end offset minus the group's committed offset (minus the earliest retained
offset where the group never committed, as a new group starts there). On `MemoryBus` it is the messages queued
for the group and not yet taken by its handlers.
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Sequence

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import GroupCoordinatorNotAvailableError
from aiokafka.structs import OffsetAndMetadata

from libs.bus.base import Bus
from libs.bus.kafka import KafkaBus
from libs.bus.memory import MemoryBroker, MemoryBus

Lag = dict[tuple[str, int], int]


class LagProbe(ABC):
    @abstractmethod
    async def lag(self, group: str, topics: Sequence[str]) -> Lag:
        """Per partition of each topic: messages the group has not handled and committed yet."""

    async def close(self) -> None:  # noqa: B027 - nothing to release unless the probe holds clients
        """Release the probe's clients."""


class MemoryLagProbe(LagProbe):
    def __init__(self, broker: MemoryBroker) -> None:
        self._broker = broker

    async def lag(self, group: str, topics: Sequence[str]) -> Lag:
        return {(t, p): n for t in topics for p, n in enumerate(self._broker.backlog(t, group))}


class KafkaLagProbe(LagProbe):
    def __init__(self, bootstrap_servers: str, partitions: dict[str, int]) -> None:
        self._servers = bootstrap_servers
        self._partitions = partitions
        self._admin: AIOKafkaAdminClient | None = None
        self._consumer: AIOKafkaConsumer | None = None

    async def _clients(self) -> tuple[AIOKafkaAdminClient, AIOKafkaConsumer]:
        if self._admin is None or self._consumer is None:
            admin = AIOKafkaAdminClient(bootstrap_servers=self._servers, request_timeout_ms=5000)
            consumer = AIOKafkaConsumer(bootstrap_servers=self._servers, enable_auto_commit=False)
            await admin.start()
            try:
                await consumer.start()
            except BaseException:
                await admin.close()
                raise
            self._admin, self._consumer = admin, consumer
        return self._admin, self._consumer

    async def lag(self, group: str, topics: Sequence[str]) -> Lag:
        admin, consumer = await self._clients()
        tps = [TopicPartition(t, p) for t in topics for p in range(self._partitions[t])]
        committed = await _committed(admin, group, tps)
        ends = await consumer.end_offsets(tps)
        starts = await consumer.beginning_offsets(tps)
        out: Lag = {}
        for tp in tps:
            done = committed.get(tp)
            position = done.offset if done is not None and done.offset >= 0 else starts[tp]
            out[(tp.topic, tp.partition)] = max(ends[tp] - max(position, starts[tp]), 0)
        return out

    async def close(self) -> None:
        if self._consumer is not None:
            await self._consumer.stop()
        if self._admin is not None:
            await self._admin.close()
        self._admin = self._consumer = None


async def _committed(
    admin: AIOKafkaAdminClient, group: str, tps: list[TopicPartition], attempts: int = 10
) -> dict[TopicPartition, OffsetAndMetadata]:
    """The group's committed offsets. A broker that never saw a group has no offsets topic yet, and the first
    coordinator lookup creates it: retried for a few seconds."""
    for attempt in range(attempts):
        try:
            return await admin.list_consumer_group_offsets(group, partitions=tps)
        except GroupCoordinatorNotAvailableError:
            if attempt == attempts - 1:
                raise
            await asyncio.sleep(0.5)
    raise AssertionError("unreachable")


def lag_probe(bus: Bus) -> LagProbe:
    if isinstance(bus, KafkaBus):
        return KafkaLagProbe(bus.bootstrap_servers, bus.declared_topics())
    if isinstance(bus, MemoryBus):
        return MemoryLagProbe(bus.broker)
    raise TypeError(f"no lag probe for {type(bus).__name__}")
