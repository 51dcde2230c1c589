"""In-process Bus: topics, partitions and consumer groups in memory, same consumer core as KafkaBus."""

from __future__ import annotations

import asyncio
import zlib
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field

import structlog

from libs.bus.base import TopicHandler
from libs.bus.consumer import ConsumerCore
from libs.bus.lanes import DEFAULT_MAX_IN_FLIGHT, KeyLanes, OffsetTracker
from libs.bus.records import Headers, ProcessedLog, Record, RetryPolicy
from libs.bus.transport import Subscription, TransportBus
from libs.contracts.registry import ContractRegistry

log = structlog.get_logger("libs.bus")


def partition_for(key: bytes | None, partitions: int, counter: int) -> int:
    """Same key → same partition (ordering per key); keyless records spread round-robin."""
    if key is None:
        return counter % partitions
    return zlib.crc32(key) % partitions


@dataclass
class _GroupQueues:
    """One consumer group's view of one topic: a queue per partition for its member, and per partition the records
    not yet committed (what a member that joins later is handed again, as Kafka does from the committed offset)."""

    queues: list[asyncio.Queue[Record]]
    backlog: list[deque[Record]]
    active: bool = True

    def commit(self, partition: int, position: int) -> None:
        pending = self.backlog[partition]
        while pending and pending[0].offset < position:
            pending.popleft()


@dataclass
class MemoryBroker:
    """The shared in-process 'cluster'; several MemoryBus objects over one broker behave like separate services."""

    history_size: int = 10_000
    _groups: dict[str, dict[str, _GroupQueues]] = field(default_factory=lambda: defaultdict(dict))
    _reply_sinks: dict[str, Callable[[Record], None]] = field(default_factory=dict)
    _history: dict[str, deque[Record]] = field(default_factory=dict)
    _offsets: dict[tuple[str, int], int] = field(default_factory=lambda: defaultdict(int))
    _counter: int = 0

    def join(self, topic: str, group: str, partitions: int, *, live: bool = False) -> _GroupQueues:
        """`live` (subscribe_live): a private group that starts at the end, whatever the topic holds."""
        known = self._groups[topic].get(group)
        if known is not None and known.active:
            raise ValueError(f"MemoryBus: group {group!r} already consumes {topic!r} on this broker")
        if known is not None:
            backlog = known.backlog
        else:
            backlog = [deque() for _ in range(partitions)] if live else self._from_the_beginning(topic, partitions)
        queues: list[asyncio.Queue[Record]] = [asyncio.Queue() for _ in range(partitions)]
        for queue, pending in zip(queues, backlog, strict=True):
            for record in pending:  # uncommitted: what a previous member left, or a new group's whole history
                queue.put_nowait(record)
        self._groups[topic][group] = _GroupQueues(queues, backlog)
        return self._groups[topic][group]

    def _from_the_beginning(self, topic: str, partitions: int) -> list[deque[Record]]:
        """A new group starts at the oldest record kept, as KafkaBus's groups do (auto_offset_reset=earliest)."""
        backlog: list[deque[Record]] = [deque() for _ in range(partitions)]
        for record in self._history.get(topic, ()):
            backlog[record.partition].append(record)
        return backlog

    def leave(self, topic: str, group: str, *, live: bool = False) -> None:
        """The member stops; the group keeps its uncommitted records (and collects new ones) for the next member.
        A live group has no next member: it goes."""
        if live:
            self._groups[topic].pop(group, None)
            return
        known = self._groups[topic].get(group)
        if known is not None:
            known.active = False

    def send(self, topic: str, value: bytes, key: bytes | None, headers: Headers, partitions: int) -> Record:
        self._counter += 1
        partition = partition_for(key, partitions, self._counter)
        offset = self._offsets[(topic, partition)]
        self._offsets[(topic, partition)] = offset + 1
        record = Record(topic, value, partition, offset, key, headers)
        self._history.setdefault(topic, deque(maxlen=self.history_size)).append(record)
        sink = self._reply_sinks.get(topic)
        if sink is not None:
            sink(record)
        for group in self._groups.get(topic, {}).values():
            group.backlog[partition].append(record)
            if group.active:
                group.queues[partition].put_nowait(record)
        return record

    def backlog(self, topic: str, group: str) -> list[int]:
        """Per partition, the records queued for `group` and not yet taken by its consumer (libs/bus/lag.py)."""
        joined = self._groups.get(topic, {}).get(group)
        return [q.qsize() for q in joined.queues] if joined is not None else []

    def records(self, topic: str) -> list[Record]:
        """The most recent records sent to `topic` (tests read `<topic>.dlq` through this)."""
        return list(self._history.get(topic, ()))


class _Pump:
    """Feeds one group's partition queues into key lanes: keys in parallel, each in order, bounded in flight; commits
    finished offset prefixes, as KafkaBus does, so what is unfinished when it stops goes to the group's next member."""

    def __init__(self, core: ConsumerCore, group: _GroupQueues, max_in_flight: int, stop_timeout: float) -> None:
        self.core = core
        self.group = group
        self.queues = group.queues
        self.stop_timeout = stop_timeout
        self.tracker = OffsetTracker()
        self.lanes = KeyLanes(
            self._handle, limit=max_in_flight, on_finished=self._finished, name=f"bus:memory:{core.group}"
        )
        self.tasks: list[asyncio.Task[None]] = []
        self.held = 0  # records taken off a queue, waiting for room in the lanes

    def start(self, name: str) -> None:
        self.tasks = [asyncio.create_task(self._feed(q), name=name) for q in self.queues]

    async def _feed(self, queue: asyncio.Queue[Record]) -> None:
        while True:
            record = await queue.get()
            self.held += 1
            # No await between the room check (it returns at once when there is room) and put(): the feeders of
            # the other partitions cannot slip in between, so the bound holds.
            await self.lanes.wait_room()
            self.lanes.put(record, self.tracker.take(record.partition, record.offset))
            self.held -= 1

    def _finished(self, record: Record, tag: object) -> None:
        position = self.tracker.finish(record.partition, record.offset, tag)
        if position is not None:
            self.group.commit(record.partition, position)

    async def _handle(self, record: Record) -> bool:
        for attempt in range(1, 4):
            try:
                await self.core.process(record)
                return True
            except Exception:  # a failed reply/DLQ send; in memory only a bug can cause it
                log.exception("bus.memory.transport_error", topic=record.topic, attempt=attempt)
                await asyncio.sleep(0.05 * attempt)
        return True

    @property
    def busy(self) -> bool:
        return self.held > 0 or self.lanes.in_flight > 0 or any(not q.empty() for q in self.queues)

    async def stop(self) -> None:
        """Stop taking records; the ones being handled finish, cut off (uncommitted) after `stop_timeout`."""
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        self.lanes.stop()
        await self.lanes.idle(within=self.stop_timeout)
        await self.lanes.close()


class MemoryBus(TransportBus):
    """Bus for the single-process mode and unit tests: same contracts, groups, ordering, retry, DLQ, replies."""

    def __init__(
        self,
        broker: MemoryBroker | None = None,
        *,
        service_name: str = "inproc",
        instance_id: str = "0",
        registry: ContractRegistry | None = None,
        processed: ProcessedLog | None = None,
        retry: RetryPolicy | None = None,
        max_in_flight: int = DEFAULT_MAX_IN_FLIGHT,
        stop_timeout: float = 15.0,
    ) -> None:
        super().__init__(
            service_name=service_name,
            instance_id=instance_id,
            registry=registry,
            processed=processed,
            retry=retry,
            max_in_flight=max_in_flight,
        )
        self.broker = broker or MemoryBroker()
        self.stop_timeout = stop_timeout  # as KafkaBus's: how long stop() lets running handlers finish
        self._pumps: list[_Pump] = []
        self._joined: list[Subscription] = []

    def _partitions(self, topic: str) -> int:
        return self.registry.partitions(topic)

    def subscribe(self, topic: str, *, group: str, handler: TopicHandler, max_in_flight: int | None = None) -> None:
        super().subscribe(topic, group=group, handler=handler, max_in_flight=max_in_flight)
        # Joining at subscribe time means messages published before start() wait in the group's queues.
        self._join(self._subscriptions[-1])

    def _join(self, sub: Subscription) -> None:
        self.broker.join(sub.topic, sub.group, self._partitions(sub.topic), live=sub.live)
        self._joined.append(sub)

    async def start(self) -> None:
        if self._started:
            return
        self._started = True
        self.broker._reply_sinks[self.reply_topic] = self._on_reply
        for sub in self._subscriptions:
            if sub not in self._joined:
                self._join(sub)
            group = self.broker._groups[sub.topic][sub.group]
            pump = _Pump(self._core(sub), group, sub.max_in_flight, self.stop_timeout)
            pump.start(f"bus:{sub.topic}:{sub.group}")
            self._pumps.append(pump)

    async def stop(self) -> None:
        await asyncio.gather(*(p.stop() for p in self._pumps))
        self._pumps.clear()
        self.broker._reply_sinks.pop(self.reply_topic, None)
        for sub in self._joined:
            self.broker.leave(sub.topic, sub.group, live=sub.live)
        self._joined.clear()
        self._started = False

    async def _send(self, topic: str, value: bytes, key: bytes | None, headers: Headers, within: float) -> None:
        self.broker.send(topic, value, key, headers, self._partitions(topic))
        await asyncio.sleep(0)  # a send is a scheduling point, as it is on a real broker

    @property
    def healthy(self) -> bool:
        return self._started

    async def drain(self, within: float = 5.0) -> None:
        """Wait until every queue of this bus's groups is empty and no handler runs (tests, shutdown)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while any(p.busy for p in self._pumps):
            if loop.time() > deadline:
                raise TimeoutError("MemoryBus.drain: handlers still busy")
            await asyncio.sleep(0.005)
