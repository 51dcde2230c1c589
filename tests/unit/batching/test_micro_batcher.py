"""MicroBatcher: concurrent callers share one batch call, each gets its own result; a lone caller does not wait."""

from __future__ import annotations

import asyncio
import threading

import pytest

from libs.batching import MicroBatcher


async def test_items_arriving_while_a_batch_runs_form_the_next_batch_and_answers_match_their_callers() -> None:
    calls: list[list[int]] = []
    release = threading.Event()

    def square_all(items: list[int]) -> list[int]:
        calls.append(list(items))
        if len(calls) == 1:
            release.wait(5)  # hold the first batch so the others queue behind it
        return [i * i for i in items]

    batcher: MicroBatcher[int, int] = MicroBatcher(square_all, max_batch=3)
    first = asyncio.create_task(batcher.submit(1))
    await asyncio.sleep(0.05)
    rest = [asyncio.create_task(batcher.submit(i)) for i in range(2, 8)]
    await asyncio.sleep(0.05)
    release.set()
    assert await first == 1
    assert [await r for r in rest] == [i * i for i in range(2, 8)]
    assert calls == [[1], [2, 3, 4], [5, 6, 7]]  # a lone item ran at once; then batches of at most 3
    assert batcher.batches == 3


async def test_cost_limit_keeps_a_long_item_from_holding_short_ones_back() -> None:
    calls: list[list[str]] = []
    gate = threading.Event()

    def lengths(items: list[str]) -> list[int]:
        calls.append(list(items))
        gate.wait(5)
        return [len(i) for i in items]

    batcher: MicroBatcher[str, int] = MicroBatcher(lengths, max_batch=10, max_cost=10, cost=len)
    tasks = [asyncio.create_task(batcher.submit(t)) for t in ("a", "bb", "x" * 30, "cc", "dd")]
    gate.set()
    assert [await t for t in tasks] == [1, 2, 30, 2, 2]
    assert calls == [["a", "bb"], ["x" * 30], ["cc", "dd"]]  # an item over the limit still runs, alone


async def test_a_failing_batch_raises_to_each_of_its_callers_and_the_next_batch_still_runs() -> None:
    def fail_on_negative(items: list[int]) -> list[int]:
        if any(i < 0 for i in items):
            raise ValueError("negative")
        return items

    batcher: MicroBatcher[int, int] = MicroBatcher(fail_on_negative)
    with pytest.raises(ValueError, match="negative"):
        await batcher.submit(-1)
    assert await batcher.submit(4) == 4


async def test_a_batch_function_returning_the_wrong_number_of_results_is_an_error_not_a_mismatch() -> None:
    batcher: MicroBatcher[int, int] = MicroBatcher(lambda items: items[:-1])
    with pytest.raises(RuntimeError, match="0 results for 1 items"):
        await batcher.submit(1)
