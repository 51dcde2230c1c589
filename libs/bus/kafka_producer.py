"""KafkaBus's sending side: records in (topic, bytes, key, headers), handed to aiokafka in order by one appender;
each sender's future settles on its broker acknowledgement or at its deadline, whichever comes first."""

from __future__ import annotations

import asyncio
from collections import deque
from functools import partial

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from aiokafka.partitioner import DefaultPartitioner, murmur2

from libs.bus.records import Headers

# A pending record: topic, value, key, headers, and the future its sender waits on (a tuple: built per message).
_Outgoing = tuple[str, bytes, bytes | None, Headers, "asyncio.Future[None]"]


class KeyPartitioner:
    """aiokafka's default partitioning (murmur2 of the key, as the Java client does) with each key's hash kept.

    The pure-Python murmur2 costs more than the rest of handing a record to aiokafka, and keys (conversation ids)
    repeat; the hash of a key never changes, so the partition chosen is exactly the default one."""

    def __init__(self, capacity: int = 100_000) -> None:
        self._capacity = capacity
        self._hashes: dict[bytes, int] = {}

    def __call__(self, key: bytes | None, all_partitions: list[int], available: list[int]) -> int:
        if key is None:
            return int(DefaultPartitioner.__call__(key, all_partitions, available))  # a classmethod
        hashed = self._hashes.get(key)
        if hashed is None:
            if len(self._hashes) >= self._capacity:
                self._hashes.clear()  # bounded: a burst of new keys only costs their hashing again
            hashed = self._hashes[key] = murmur2(key) & 0x7FFFFFFF
        return all_partitions[hashed % len(all_partitions)]


class Outbox:
    """Hands records to aiokafka one at a time, in order, and bounds each sender's wait.

    aiokafka wakes every waiting sender whenever a partition's batch drains, so thousands of concurrent send()
    calls thrash; a single appender keeps batches full. Records whose sender gave up are dropped. Sends that wait
    the bus's `send_timeout` (nearly all) have their deadlines in one queue, in send order, under a single timer:
    scheduling and cancelling a timer per message cost more than queueing the record itself. Other waits (a
    request's own timeout) get a timer each.
    """

    def __init__(self, producer: AIOKafkaProducer, send_timeout: float) -> None:
        self._producer = producer
        self._send_timeout = send_timeout
        self._loop = asyncio.get_running_loop()
        self._queue: deque[_Outgoing] = deque()
        self._wakeup: asyncio.Future[None] | None = None
        self._deadlines: deque[tuple[float, asyncio.Future[None]]] = deque()  # sends waiting `send_timeout`
        self._timer: asyncio.TimerHandle | None = None

    def send(
        self, topic: str, value: bytes, key: bytes | None, headers: Headers, within: float
    ) -> asyncio.Future[None]:
        """Queue a record; the future resolves on acknowledgement, raises KafkaError, or TimeoutError after `within`."""
        done: asyncio.Future[None] = self._loop.create_future()
        self._queue.append((topic, value, key, headers, done))
        waiter = self._wakeup
        if waiter is not None:
            self._wakeup = None
            if not waiter.done():
                waiter.set_result(None)
        if within == self._send_timeout:
            self._watch(done)
        else:
            timer = self._loop.call_later(within, _expire, done)
            done.add_done_callback(partial(_cancel, timer))
        return done

    async def run(self) -> None:
        """The appender: runs until cancelled (KafkaBus.stop)."""
        producer, queue = self._producer, self._queue
        while True:
            if not queue:
                self._wakeup = self._loop.create_future()
                await self._wakeup
                continue
            topic, value, key, headers, done = queue.popleft()
            if done.done():
                continue
            try:
                delivery = await producer.send(topic, value=value, key=key, headers=list(headers))
            except KafkaError as exc:
                _settle(done, exc)
                continue
            delivery.add_done_callback(partial(_delivered, done))

    def _watch(self, done: asyncio.Future[None]) -> None:
        pending = self._deadlines
        while pending and pending[0][1].done():
            pending.popleft()  # acknowledged (they mostly come in send order): forget them as we go
        deadline = self._loop.time() + self._send_timeout
        pending.append((deadline, done))
        if self._timer is None:  # else it is set for an earlier deadline, and moves on to the next from there
            self._timer = self._loop.call_at(deadline, self._expire_due)

    def _expire_due(self) -> None:
        """Fail the sends whose deadline passed, then sleep until the next deadline."""
        self._timer = None
        pending = self._deadlines
        now = self._loop.time() + 1e-6  # the loop may run a timer a clock tick early
        while pending:
            deadline, done = pending[0]
            if not done.done() and deadline > now:
                self._timer = self._loop.call_at(deadline, self._expire_due)
                return
            pending.popleft()
            _settle(done, TimeoutError())


def _settle(done: asyncio.Future[None], error: BaseException | None) -> None:
    if not done.done():
        if error is None:
            done.set_result(None)
        else:
            done.set_exception(error)


def _expire(done: asyncio.Future[None]) -> None:
    _settle(done, TimeoutError())


def _cancel(timer: asyncio.TimerHandle, _: asyncio.Future[None]) -> None:
    timer.cancel()


def _delivered(done: asyncio.Future[None], delivery: asyncio.Future[object]) -> None:
    if delivery.cancelled():
        _settle(done, KafkaError("delivery cancelled"))
    else:
        _settle(done, delivery.exception())
