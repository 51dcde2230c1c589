"""One KafkaBus subscription: polls its group's partitions, handles keys in parallel (each key in order), commits
only finished offset prefixes."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence

import structlog
from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition
from aiokafka.errors import KafkaError

from libs.bus.consumer import ConsumerCore
from libs.bus.lanes import DEFAULT_MAX_IN_FLIGHT, KeyLanes, OffsetTracker
from libs.bus.records import Record

log = structlog.get_logger("libs.bus")


def to_record(m: object) -> Record:
    """Our transport-free view of an aiokafka ConsumerRecord."""
    return Record(
        m.topic,  # type: ignore[attr-defined]
        m.value,  # type: ignore[attr-defined]
        m.partition,  # type: ignore[attr-defined]
        m.offset,  # type: ignore[attr-defined]
        m.key,  # type: ignore[attr-defined]
        tuple(m.headers),  # type: ignore[attr-defined]
    )


# How long a handled offset waits for others before its commit goes out. A commit is an append to
# __consumer_offsets: one per handled message doubled the broker's appends on a request/reply hop (command +
# reply + commit), CPU the next turn on a 2-core machine waits for. Delivery stays at least once (a crash
# re-delivers at most this much more, which inboxes and dedupe absorb); stop and rebalance commit at once.
COMMIT_LINGER_S = 0.25


class Committer:
    """Commits handled offsets in the background, one commit in flight at a time, so polling never waits on it;
    offsets handled within `linger_s` of each other share one commit."""

    def __init__(
        self, consumer: AIOKafkaConsumer, topic: str, group: str, *, linger_s: float = COMMIT_LINGER_S
    ) -> None:
        self._consumer = consumer
        self._topic = topic
        self._group = group
        self._linger_s = linger_s
        self._now = asyncio.Event()  # set by flush(): commit what is pending without lingering
        self._pending: dict[TopicPartition, int] = {}
        self._task: asyncio.Task[None] | None = None

    def add(self, tp: TopicPartition, position: int) -> None:
        self._pending[tp] = position
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._drain(), name=f"bus:commit:{self._topic}")

    async def flush(self) -> None:
        """Commit everything handled so far, now (stop, partitions revoked)."""
        self._now.set()
        try:
            if self._task is not None:
                await self._task
        finally:
            self._now.clear()

    async def _drain(self) -> None:
        while self._pending:
            if self._linger_s > 0 and not self._now.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._now.wait(), self._linger_s)
            offsets, self._pending = self._pending, {}
            try:
                await self._consumer.commit(offsets)
            except KafkaError as exc:
                # The partitions moved or the broker is away: whoever reads them next re-handles and dedupes.
                log.warning("bus.commit_failed", topic=self._topic, group=self._group, error_type=type(exc).__name__)


class _HandOver(ConsumerRebalanceListener):
    """On rebalance, finish (bounded) the records in hand of the partitions that move and commit them first."""

    def __init__(self, loop: GroupLoop) -> None:
        self._loop = loop

    async def on_partitions_revoked(self, revoked: Sequence[TopicPartition]) -> None:
        await self._loop.hand_over({tp.partition for tp in revoked if tp.topic == self._loop.topic})

    async def on_partitions_assigned(self, assigned: Sequence[TopicPartition]) -> None:
        self._loop.owned.update(tp.partition for tp in assigned if tp.topic == self._loop.topic)


class GroupLoop:
    """Polls while handlers run: keys in parallel (each in order) up to `max_in_flight` records, commits prefixes."""

    def __init__(
        self,
        consumer: AIOKafkaConsumer,
        core: ConsumerCore,
        topic: str,
        stopping: Callable[[], bool],
        *,
        max_in_flight: int = DEFAULT_MAX_IN_FLIGHT,
        drain_timeout: float = 15.0,
        commit_linger_s: float = COMMIT_LINGER_S,
    ) -> None:
        self._consumer = consumer
        self._core = core
        self.topic = topic
        self._stopping = stopping
        self._drain_timeout = drain_timeout
        self.owned: set[int] = set()
        self._committer = Committer(consumer, topic, core.group, linger_s=commit_linger_s)
        self._tracker = OffsetTracker()
        self._lanes = KeyLanes(
            self._handle, limit=max_in_flight, on_finished=self._finished, name=f"bus:{topic}:{core.group}"
        )
        self._tps: dict[int, TopicPartition] = {}

    async def run(self) -> None:
        self._consumer.subscribe([self.topic], listener=_HandOver(self))
        await self._consumer.start()
        try:
            while not self._stopping():
                if not await self._lanes.wait_room(within=0.5):
                    continue  # full: stop fetching until a record finishes (checking for stop meanwhile)
                await self._poll()
            # Stop: records in hand finish (KafkaBus.stop bounds this), the others stay uncommitted.
            self._lanes.stop()
            await self._lanes.idle()
            await self._committer.flush()
        finally:
            await self._lanes.close()

    async def _poll(self) -> None:
        try:
            batches = await self._consumer.getmany(timeout_ms=500, max_records=self._lanes.room())
        except KafkaError as exc:
            log.warning("bus.fetch_failed", topic=self.topic, group=self._core.group, error_type=type(exc).__name__)
            await asyncio.sleep(0.5)
            return
        for tp, messages in batches.items():
            if tp.partition not in self.owned:
                continue  # fetched just before a revoke: the next owner reads it from the committed offset
            self._tps[tp.partition] = tp
            for m in messages:
                record = to_record(m)
                self._lanes.put(record, self._tracker.take(record.partition, record.offset))

    async def _handle(self, record: Record) -> bool:
        """Process one record; a transport failure (reply/DLQ not sent) is retried in place, keeping its key's
        order, until it succeeds or the partition leaves us (then it stays uncommitted and is read again)."""
        while True:
            try:
                await self._core.process(record)
                return True
            except Exception as exc:
                log.warning(
                    "bus.redeliver",
                    topic=record.topic,
                    partition=record.partition,
                    offset=record.offset,
                    error_type=type(exc).__name__,
                )
            if self._stopping() or record.partition not in self.owned:
                return False
            await asyncio.sleep(0.5)

    def _finished(self, record: Record, tag: object) -> None:
        position = self._tracker.finish(record.partition, record.offset, tag)
        if position is not None:
            self._committer.add(self._tps[record.partition], position)

    async def hand_over(self, partitions: set[int]) -> None:
        """Revoked: drop records not started, let running ones finish (bounded), commit, forget the partitions."""
        self.owned.difference_update(partitions)
        self._lanes.discard(partitions)
        if not await self._lanes.idle(partitions, within=self._drain_timeout):
            log.warning("bus.handover_timeout", topic=self.topic, group=self._core.group, partitions=sorted(partitions))
        await self._committer.flush()
        self._tracker.forget(partitions)


class LiveLoop:
    """A `subscribe_live` subscription: every partition assigned to this instance (no group, so every instance
    reads them all), positioned at the end during `open()`, records handled in arrival order, nothing committed."""

    def __init__(
        self, consumer: AIOKafkaConsumer, core: ConsumerCore, topic: str, partitions: int, stopping: Callable[[], bool]
    ) -> None:
        self._consumer = consumer
        self._core = core
        self.topic = topic
        self._tps = [TopicPartition(topic, p) for p in range(partitions)]
        self._stopping = stopping

    async def open(self) -> None:
        """Resolve the end positions now, so whatever is published once the bus has started is seen."""
        await self._consumer.start()
        self._consumer.assign(self._tps)
        await self._consumer.seek_to_end(*self._tps)
        for tp in self._tps:
            await self._consumer.position(tp)

    async def run(self) -> None:
        while not self._stopping():
            try:
                batches = await self._consumer.getmany(timeout_ms=500)
            except KafkaError as exc:
                log.warning("bus.fetch_failed", topic=self.topic, group=self._core.group, error_type=type(exc).__name__)
                await asyncio.sleep(0.5)
                continue
            for messages in batches.values():
                for m in messages:
                    try:
                        await self._core.process(to_record(m))
                    except Exception as exc:  # a live view is never redelivered: log it and go on
                        log.warning("bus.live_failed", topic=self.topic, error_type=type(exc).__name__)
