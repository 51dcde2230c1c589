"""One KafkaBus subscription: polls its group's partitions, handles them (each in order) and commits progress."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

import structlog
from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition
from aiokafka.errors import KafkaError

from libs.bus.consumer import ConsumerCore, Record

log = structlog.get_logger("libs.bus")


def to_record(m: object) -> Record:
    """Our transport-free view of an aiokafka ConsumerRecord."""
    return Record(
        topic=m.topic,  # type: ignore[attr-defined]
        value=m.value,  # type: ignore[attr-defined]
        partition=m.partition,  # type: ignore[attr-defined]
        offset=m.offset,  # type: ignore[attr-defined]
        key=m.key,  # type: ignore[attr-defined]
        headers=tuple(m.headers),  # type: ignore[attr-defined]
    )


class Committer:
    """Commits handled offsets in the background, one commit in flight at a time, so polling never waits on it."""

    def __init__(self, consumer: AIOKafkaConsumer, topic: str, group: str) -> None:
        self._consumer = consumer
        self._topic = topic
        self._group = group
        self._pending: dict[TopicPartition, int] = {}
        self._task: asyncio.Task[None] | None = None

    def add(self, offsets: dict[TopicPartition, int]) -> None:
        self._pending.update(offsets)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._drain(), name=f"bus:commit:{self._topic}")

    async def flush(self) -> None:
        if self._task is not None:
            await self._task

    async def _drain(self) -> None:
        while self._pending:
            offsets, self._pending = self._pending, {}
            try:
                await self._consumer.commit(offsets)
            except KafkaError as exc:
                # The partitions moved or the broker is away: whoever reads them next re-handles and dedupes.
                log.warning("bus.commit_failed", topic=self._topic, group=self._group, error_type=type(exc).__name__)


class _HandOver(ConsumerRebalanceListener):
    """On rebalance, finish the batch in hand and commit it before the partitions move: no double handling."""

    def __init__(self, lock: asyncio.Lock, committer: Committer) -> None:
        self._lock = lock
        self._committer = committer

    async def on_partitions_revoked(self, revoked: Sequence[TopicPartition]) -> None:
        async with self._lock:
            await self._committer.flush()

    async def on_partitions_assigned(self, assigned: Sequence[TopicPartition]) -> None:
        return


class GroupLoop:
    """Poll a batch; partitions run concurrently, each in order; hand the handled offsets to the committer."""

    def __init__(
        self, consumer: AIOKafkaConsumer, core: ConsumerCore, topic: str, stopping: Callable[[], bool]
    ) -> None:
        self._consumer = consumer
        self._core = core
        self._topic = topic
        self._stopping = stopping
        self._lock = asyncio.Lock()
        self._committer = Committer(consumer, topic, core.group)

    async def run(self) -> None:
        self._consumer.subscribe([self._topic], listener=_HandOver(self._lock, self._committer))
        await self._consumer.start()
        while not self._stopping():
            try:
                batches = await self._consumer.getmany(timeout_ms=500)
            except KafkaError as exc:
                log.warning(
                    "bus.fetch_failed", topic=self._topic, group=self._core.group, error_type=type(exc).__name__
                )
                await asyncio.sleep(0.5)
                continue
            if not batches:
                continue
            async with self._lock:
                done = await asyncio.gather(*(self._run_partition(tp, msgs) for tp, msgs in batches.items()))
                offsets = {tp: offset for tp, offset in done if offset is not None}
                if offsets:
                    self._committer.add(offsets)
        await self._committer.flush()

    async def _run_partition(self, tp: TopicPartition, messages: list[object]) -> tuple[TopicPartition, int | None]:
        """Handle one partition's messages in order; returns the offset to commit (None: nothing new)."""
        next_offset: int | None = None
        for m in messages:
            record = to_record(m)
            try:
                await self._core.process(record)
            except Exception as exc:  # transport failure on reply/DLQ: re-read from here later, do not commit it
                log.warning(
                    "bus.redeliver",
                    topic=tp.topic,
                    partition=tp.partition,
                    offset=record.offset,
                    error_type=type(exc).__name__,
                )
                self._consumer.seek(tp, record.offset)
                await asyncio.sleep(0.5)
                break
            next_offset = record.offset + 1
        return tp, next_offset
