"""Key-ordered concurrency for consumers: records in, handled per (partition, key) lane in order, lanes in parallel.

`KeyLanes` takes polled records and runs them through a handler: records with the same key (in one partition) run
strictly one after another, different keys concurrently, and at most `limit` records are taken and unfinished at
once (the poll loop waits for room: back-pressure). `OffsetTracker` turns finished offsets into commit positions
that only ever cover a contiguous prefix of each partition, so a crash never skips an unfinished record.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Awaitable, Callable, Collection, Hashable

import structlog

from libs.bus.records import Record

log = structlog.get_logger("libs.bus")

DEFAULT_MAX_IN_FLIGHT = 64

# The handler returns True when the record is done (its offset may be committed), False when it was abandoned.
LaneHandler = Callable[[Record], Awaitable[bool]]
Finished = Callable[[Record, object], None]


def lane_of(record: Record) -> Hashable:
    """Same partition and key: one lane (in order). A keyless record promises no order, so it gets a lane alone."""
    if record.key is None:
        return (record.partition, None, record.offset)
    return (record.partition, record.key)


class KeyLanes:
    """Runs records concurrently across keys, in order within a key, at most `limit` taken and unfinished.

    Lanes are run by a pool of worker tasks (at most `limit`) rather than a task per lane: a worker takes a ready
    lane and handles its records one after another until the lane is empty. When a handler completes without
    waiting (the common case under load) one worker runs lane after lane with no task created or scheduled per
    record; when a handler waits, another worker is woken for the remaining lanes, so keys still run concurrently.
    """

    def __init__(self, handle: LaneHandler, *, limit: int, on_finished: Finished | None = None, name: str = "bus"):
        if limit < 1:
            raise ValueError("max_in_flight must be at least 1")
        self.limit = limit
        self._handle = handle
        self._on_finished = on_finished
        self._name = name
        self._lanes: dict[Hashable, deque[tuple[Record, object]]] = {}
        self._ready: deque[Hashable] = deque()  # lanes with records that no worker has taken yet
        self._busy: set[Hashable] = set()  # lanes whose head record is being handled right now
        self._count = 0
        self._waiters: list[asyncio.Future[None]] = []
        self._tasks: set[asyncio.Task[None]] = set()  # the workers
        self._parked: list[asyncio.Future[None]] = []  # idle workers, each waiting on its future
        self._waking = 0  # workers woken (or created) that have not run yet: they will take ready lanes
        self._stopping = False

    @property
    def in_flight(self) -> int:
        """Records taken and not yet finished (running or waiting behind their key)."""
        return self._count

    def room(self) -> int:
        return max(0, self.limit - self._count)

    def put(self, record: Record, tag: object = None) -> None:
        """Queue `record` behind its key; `tag` comes back to `on_finished`. The caller respects `room()`."""
        if self._stopping:
            return  # stopped: it is not started (it stays uncommitted, read again later)
        key = lane_of(record)
        self._count += 1
        lane = self._lanes.get(key)
        if lane is not None:
            lane.append((record, tag))
            return
        self._lanes[key] = deque(((record, tag),))
        self._ready.append(key)
        self._dispatch()

    def _dispatch(self) -> None:
        """Make sure a worker will take the ready lanes: wake a parked one, or add one while under `limit`."""
        if not self._ready or self._waking or self._stopping:
            return
        if self._parked:
            self._parked.pop().set_result(None)
        elif len(self._tasks) < self.limit:
            task = asyncio.create_task(self._work(), name=f"{self._name}:lane")
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        else:
            return  # every worker is in a handler: the first to finish takes the ready lanes
        self._waking += 1

    async def _work(self) -> None:
        loop = asyncio.get_running_loop()
        self._waking -= 1
        while not self._stopping:
            while self._ready and not self._stopping:
                key = self._ready.popleft()
                lane = self._lanes.get(key)
                if not lane or key in self._busy:
                    continue  # emptied by discard, or already run by another worker
                # Should this lane's handler wait, another worker must take the lanes behind it.
                self._dispatch()
                await self._run(key, lane)
            if self._stopping:
                return
            parked = loop.create_future()
            self._parked.append(parked)
            try:
                await parked
            finally:
                if parked.cancelled():
                    with contextlib.suppress(ValueError):
                        self._parked.remove(parked)
                else:
                    self._waking -= 1

    async def _run(self, key: Hashable, lane: deque[tuple[Record, object]]) -> None:
        try:
            while lane and not self._stopping:
                record, tag = lane[0]
                self._busy.add(key)
                try:
                    finished = await self._handle(record)
                except Exception as exc:  # the handler owns retries; anything escaping it leaves the record undone
                    log.warning("bus.lane_failed", topic=record.topic, error_type=type(exc).__name__)
                    finished = False
                finally:
                    self._busy.discard(key)
                lane.popleft()
                self._release(1)
                if finished and self._on_finished is not None:
                    try:
                        self._on_finished(record, tag)
                    except Exception:  # a worker serves every lane: one bookkeeping bug must not stall the others
                        log.exception("bus.lane_finish_failed", topic=record.topic)
        finally:
            # Stopped or cancelled: what is left was never started, so it stays uncommitted (read again later).
            if self._lanes.get(key) is lane:
                del self._lanes[key]
            self._release(len(lane))
            lane.clear()

    def _release(self, n: int) -> None:
        if n:
            self._count -= n
        if self._waiters:
            waiters, self._waiters = self._waiters, []
            for w in waiters:
                if not w.done():
                    w.set_result(None)

    async def _changed(self, within: float | None) -> None:
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(waiter, within)

    async def wait_room(self, within: float | None = None) -> bool:
        """Wait until another record may be taken (back-pressure); False when `within` seconds passed first."""
        loop = asyncio.get_running_loop()
        deadline = None if within is None else loop.time() + within
        while self._count >= self.limit:
            left = None if deadline is None else deadline - loop.time()
            if left is not None and left <= 0:
                return False
            await self._changed(left)
        return True

    def discard(self, partitions: Collection[int]) -> int:
        """Drop the records of `partitions` that have not started (a rebalance moved them); returns how many."""
        dropped = 0
        for key, lane in list(self._lanes.items()):
            if lane and lane[0][0].partition in partitions:
                keep = 1 if key in self._busy else 0
                while len(lane) > keep:
                    lane.pop()
                    dropped += 1
                if not lane:  # never started: no worker holds it (its stale ready entry is skipped)
                    del self._lanes[key]
        self._release(dropped)
        return dropped

    def _pending(self, partitions: Collection[int] | None) -> bool:
        if partitions is None:
            return self._count > 0
        return any(lane and lane[0][0].partition in partitions for lane in self._lanes.values())

    async def idle(self, partitions: Collection[int] | None = None, within: float | None = None) -> bool:
        """Wait until no record (of `partitions`, default all) is taken and unfinished; False after `within` seconds."""
        loop = asyncio.get_running_loop()
        deadline = None if within is None else loop.time() + within
        while self._pending(partitions):
            left = None if deadline is None else deadline - loop.time()
            if left is not None and left <= 0:
                return False
            await self._changed(left)
        return True

    def stop(self) -> None:
        """Let each running record finish, start no other."""
        self._stopping = True
        # Records not started never will be: they are released now (and stay uncommitted); running ones finish.
        self._ready.clear()
        dropped = 0
        for key, lane in list(self._lanes.items()):
            keep = 1 if key in self._busy else 0
            dropped += len(lane) - keep
            while len(lane) > keep:
                lane.pop()
            if not lane:
                del self._lanes[key]
        parked, self._parked = self._parked, []
        for worker in parked:
            worker.set_result(None)  # idle workers see the stop and end
        self._waking += len(parked)
        self._release(dropped)

    async def close(self) -> None:
        """Cancel whatever still runs (a shutdown past its deadline): those records stay uncommitted."""
        if not self._stopping:
            self.stop()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


class _Progress:
    """One partition's taken offsets (in order) and those finished out of order."""

    __slots__ = ("done", "taken")

    def __init__(self) -> None:
        self.taken: deque[int] = deque()
        self.done: set[int] = set()


class OffsetTracker:
    """Commit positions per partition that cover only offsets finished together with every earlier one."""

    def __init__(self) -> None:
        self._parts: dict[int, _Progress] = {}

    def take(self, partition: int, offset: int) -> object:
        """Note a record handed to the lanes; the returned tag goes back to `finish` with it."""
        progress = self._parts.get(partition)
        if progress is None:
            progress = self._parts[partition] = _Progress()
        progress.taken.append(offset)
        return progress

    def finish(self, partition: int, offset: int, tag: object) -> int | None:
        """Mark `offset` done; returns the new commit position when the finished prefix grew, else None."""
        progress = self._parts.get(partition)
        if progress is None or progress is not tag:
            return None  # taken before the partition was revoked: its progress is no longer ours to commit
        taken = progress.taken
        if not taken or offset != taken[0]:
            progress.done.add(offset)
            return None
        taken.popleft()
        position = offset + 1
        while taken and taken[0] in progress.done:
            position = taken.popleft() + 1
            progress.done.discard(position - 1)
        return position

    def forget(self, partitions: Collection[int]) -> None:
        for p in partitions:
            self._parts.pop(p, None)

    def unfinished(self, partition: int) -> int:
        progress = self._parts.get(partition)
        return len(progress.taken) if progress else 0
