"""In-process Bus: topics, partitions and consumer groups in memory, same consumer core as KafkaBus."""

from __future__ import annotations

import asyncio
import zlib
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field

import structlog

from libs.bus.base import TopicHandler
from libs.bus.consumer import ConsumerCore, Headers, ProcessedLog, Record, RetryPolicy
from libs.bus.lanes import DEFAULT_MAX_IN_FLIGHT, KeyLanes
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
    """One consumer group's view of one topic: a queue per partition."""

    queues: list[asyncio.Queue[Record]]


@dataclass
class MemoryBroker:
    """The shared in-process 'cluster'; several MemoryBus objects over one broker behave like separate services."""

    history_size: int = 10_000
    _groups: dict[str, dict[str, _GroupQueues]] = field(default_factory=lambda: defaultdict(dict))
    _reply_sinks: dict[str, Callable[[Record], None]] = field(default_factory=dict)
    _history: dict[str, deque[Record]] = field(default_factory=dict)
    _offsets: dict[tuple[str, int], int] = field(default_factory=lambda: defaultdict(int))
    _counter: int = 0

    def join(self, topic: str, group: str, partitions: int) -> list[asyncio.Queue[Record]]:
        if group in self._groups[topic]:
            raise ValueError(f"MemoryBus: group {group!r} already consumes {topic!r} on this broker")
        queues: list[asyncio.Queue[Record]] = [asyncio.Queue() for _ in range(partitions)]
        self._groups[topic][group] = _GroupQueues(queues)
        return queues

    def leave(self, topic: str, group: str) -> None:
        self._groups[topic].pop(group, None)

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
    """Feeds one group's partition queues into key lanes: keys in parallel, each in order, bounded in flight."""

    def __init__(self, core: ConsumerCore, queues: list[asyncio.Queue[Record]], max_in_flight: int) -> None:
        self.core = core
        self.queues = queues
        self.lanes = KeyLanes(self._handle, limit=max_in_flight, name=f"bus:memory:{core.group}")
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
            self.lanes.put(record)
            self.held -= 1

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
        """Stop taking records; the ones being handled finish."""
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        self.lanes.stop()
        await self.lanes.idle()


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
        self._pumps: list[_Pump] = []
        self._joined: list[Subscription] = []

    def _partitions(self, topic: str) -> int:
        return self.registry.partitions(topic)

    def subscribe(self, topic: str, *, group: str, handler: TopicHandler, max_in_flight: int | None = None) -> None:
        super().subscribe(topic, group=group, handler=handler, max_in_flight=max_in_flight)
        # Joining at subscribe time means messages published before start() wait in the group's queues.
        self._join(self._subscriptions[-1])

    def _join(self, sub: Subscription) -> None:
        self.broker.join(sub.topic, sub.group, self._partitions(sub.topic))
        self._joined.append(sub)

    async def start(self) -> None:
        if self._started:
            return
        self._started = True
        self.broker._reply_sinks[self.reply_topic] = self._on_reply
        for sub in self._subscriptions:
            if sub not in self._joined:
                self._join(sub)
            pump = _Pump(self._core(sub), self.broker._groups[sub.topic][sub.group].queues, sub.max_in_flight)
            pump.start(f"bus:{sub.topic}:{sub.group}")
            self._pumps.append(pump)

    async def stop(self) -> None:
        await asyncio.gather(*(p.stop() for p in self._pumps))
        self._pumps.clear()
        self.broker._reply_sinks.pop(self.reply_topic, None)
        for sub in self._joined:
            self.broker.leave(sub.topic, sub.group)
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
