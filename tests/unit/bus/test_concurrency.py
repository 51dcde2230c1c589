"""Key-ordered concurrency: KeyLanes/OffsetTracker directly (the same behaviour through each transport's
subscriptions is in the bus conformance suite, tests/support/bus_conformance)."""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict

import pytest

from libs.bus import MemoryBus
from libs.bus.lanes import KeyLanes, OffsetTracker
from libs.bus.records import Record

EVENTS = "sentiment.events"


def rec(offset: int, key: str | None, partition: int = 0) -> Record:
    return Record("t", b"", partition, offset, key.encode() if key is not None else None)


# -- OffsetTracker ---------------------------------------------------------------------------------
def test_commit_position_covers_only_the_finished_prefix() -> None:
    tracker = OffsetTracker()
    tags = [tracker.take(0, offset) for offset in range(5)]
    assert tracker.finish(0, 1, tags[1]) is None  # offset 0 still unfinished: nothing may be committed
    assert tracker.finish(0, 3, tags[3]) is None
    assert tracker.finish(0, 0, tags[0]) == 2  # 0 and 1 done: resume at 2
    assert tracker.finish(0, 2, tags[2]) == 4  # 2 and the earlier-finished 3
    assert tracker.finish(0, 4, tags[4]) == 5
    assert tracker.unfinished(0) == 0


def test_partitions_are_tracked_apart_and_a_forgotten_partition_commits_nothing() -> None:
    tracker = OffsetTracker()
    a, b = tracker.take(0, 10), tracker.take(1, 7)
    assert tracker.finish(1, 7, b) == 8
    tracker.forget([0])
    assert tracker.finish(0, 10, a) is None  # revoked before it finished: no longer ours to commit
    again = tracker.take(0, 10)  # re-read after re-assignment
    assert tracker.finish(0, 10, again) == 11


# -- KeyLanes --------------------------------------------------------------------------------------
async def test_lanes_keep_key_order_and_run_keys_concurrently() -> None:
    order: dict[bytes | None, list[int]] = defaultdict(list)
    running = 0
    peak = 0

    async def handle(record: Record) -> bool:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(random.uniform(0, 0.003))
        order[record.key].append(record.offset)
        running -= 1
        return True

    lanes = KeyLanes(handle, limit=100)
    records = [rec(n, f"k{n % 4}") for n in range(40)]
    for r in records:
        lanes.put(r)
    assert await lanes.idle(within=5)
    assert {k: v for k, v in order.items()} == {
        f"k{i}".encode(): [n for n in range(40) if n % 4 == i] for i in range(4)
    }
    assert peak == 4  # one handler per key at a time, the four keys at once


async def test_lanes_report_finished_records_and_not_abandoned_ones() -> None:
    finished: list[int] = []

    async def handle(record: Record) -> bool:
        if record.offset == 1:
            raise RuntimeError("transport down")
        return record.offset != 2

    lanes = KeyLanes(handle, limit=10, on_finished=lambda r, _: finished.append(r.offset))
    for n in range(4):
        lanes.put(rec(n, None))
    assert await lanes.idle(within=5)
    assert sorted(finished) == [0, 3]
    assert lanes.in_flight == 0


async def test_lanes_bound_what_is_taken_and_discard_what_has_not_started() -> None:
    gate = asyncio.Event()

    async def handle(record: Record) -> bool:
        await gate.wait()
        return True

    lanes = KeyLanes(handle, limit=3)
    for n in range(3):
        lanes.put(rec(n, "same"))
    assert lanes.room() == 0
    assert not await lanes.wait_room(within=0.05)  # full: the poll loop must wait
    await asyncio.sleep(0.01)
    assert lanes.discard([0]) == 2  # the head runs on; the two behind it are dropped (read again by the next owner)
    assert lanes.room() == 2
    gate.set()
    assert await lanes.idle(within=5)
    await lanes.close()


async def test_lanes_run_other_keys_while_one_handler_waits() -> None:
    # Handlers that finish without waiting run back to back on one worker; one that waits must not hold the others.
    gate = asyncio.Event()
    done: list[int] = []

    async def handle(record: Record) -> bool:
        if record.key == b"slow":
            await gate.wait()
        done.append(record.offset)
        return True

    lanes = KeyLanes(handle, limit=50)
    lanes.put(rec(0, "slow"))
    for n in range(1, 21):
        lanes.put(rec(n, f"fast-{n % 5}"))
    for _ in range(100):
        if len(done) == 20:
            break
        await asyncio.sleep(0.01)
    assert sorted(done) == list(range(1, 21))  # every other key finished while "slow" waits
    assert lanes.in_flight == 1
    gate.set()
    assert await lanes.idle(within=5)
    assert done[-1] == 0
    await lanes.close()


async def test_lanes_use_at_most_limit_workers_and_keep_the_bound_under_load() -> None:
    running = peak = 0

    async def handle(record: Record) -> bool:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.001)
        running -= 1
        return True

    lanes = KeyLanes(handle, limit=4)
    for n in range(40):
        await lanes.wait_room()
        lanes.put(rec(n, f"k{n}"))
        assert lanes.in_flight <= 4
    assert await lanes.idle(within=5)
    assert peak == 4
    await lanes.close()


async def test_lane_discarded_then_refilled_runs_once_in_order() -> None:
    handled: list[int] = []

    async def handle(record: Record) -> bool:
        await asyncio.sleep(0.01)
        handled.append(record.offset)
        return True

    lanes = KeyLanes(handle, limit=10)
    lanes.put(rec(0, "k"))
    assert lanes.discard([0]) == 1  # not started: dropped (the partition moved away)
    lanes.put(rec(5, "k"))  # the partition came back: read again from its committed offset
    lanes.put(rec(6, "k"))
    assert await lanes.idle(within=5)
    assert handled == [5, 6]
    await lanes.close()


async def test_lanes_stop_finishes_running_records_and_drops_the_rest() -> None:
    gate = asyncio.Event()
    handled: list[int] = []

    async def handle(record: Record) -> bool:
        if record.offset == 0:
            await gate.wait()
        handled.append(record.offset)
        return True

    lanes = KeyLanes(handle, limit=10, on_finished=lambda r, _: None)
    lanes.put(rec(0, "a"))
    lanes.put(rec(1, "a"))  # behind the running one: never started
    await asyncio.sleep(0.01)
    lanes.put(rec(2, "b"))  # taken, not yet started
    lanes.stop()
    assert lanes.in_flight == 1  # only the running record is left
    gate.set()
    assert await lanes.idle(within=5)
    assert handled == [0]
    await lanes.close()


def test_max_in_flight_must_be_positive() -> None:
    with pytest.raises(ValueError):
        MemoryBus().subscribe(EVENTS, group="g", handler=lambda env: asyncio.sleep(0), max_in_flight=0)
