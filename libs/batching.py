"""Micro-batching for CPU-bound model calls: items submitted one by one in; one worker-thread call per batch out,
each caller answered with its own result.

Why: under load a service has many commands in flight at once (the bus runs different keys concurrently). Models
(ONNX encoders, spaCy) process texts passed together for much less CPU each than one call per text, and one thread
hop per batch replaces one per message. Nothing waits to fill a batch: an item arriving while no batch runs starts
one at once (an idle service answers as fast as without batching); items arriving while one runs form the next.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

In = TypeVar("In")
Out = TypeVar("Out")


@dataclass(frozen=True, slots=True)
class _Pending(Generic[In, Out]):
    item: In
    answer: asyncio.Future[Out]


class MicroBatcher(Generic[In, Out]):
    """Runs `run_batch(items) -> results` (same length, same order) in a worker thread, one batch at a time.

    A batch holds at most `max_batch` items and, beyond its first item, at most `max_cost` summed `cost(item)`
    (e.g. characters), so one long input does not hold many short ones back. An exception from `run_batch` is
    raised to every caller of that batch.
    """

    def __init__(
        self,
        run_batch: Callable[[list[In]], Sequence[Out]],
        *,
        max_batch: int = 32,
        max_cost: float = float("inf"),
        cost: Callable[[In], float] = lambda _: 1.0,
    ) -> None:
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self._run_batch = run_batch
        self._max_batch = max_batch
        self._max_cost = max_cost
        self._cost = cost
        self._queue: deque[_Pending[In, Out]] = deque()
        self._worker: asyncio.Task[None] | None = None
        self.batches = 0  # batches run so far (for tests and figures)

    async def submit(self, item: In) -> Out:
        answer: asyncio.Future[Out] = asyncio.get_running_loop().create_future()
        self._queue.append(_Pending(item, answer))
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._drain(), name="micro-batcher")
        return await answer

    async def _drain(self) -> None:
        while self._queue:
            batch = self._take()
            if not batch:
                continue
            self.batches += 1
            try:
                results = await asyncio.to_thread(self._run_batch, [p.item for p in batch])
                if len(results) != len(batch):
                    raise RuntimeError(f"batch function returned {len(results)} results for {len(batch)} items")
            except Exception as exc:  # handed to every waiting caller, which raises it in its own handler
                for pending in batch:
                    if not pending.answer.done():
                        pending.answer.set_exception(exc)
                continue
            for pending, result in zip(batch, results, strict=True):
                if not pending.answer.done():  # its caller may have been cancelled meanwhile
                    pending.answer.set_result(result)

    def _take(self) -> list[_Pending[In, Out]]:
        batch: list[_Pending[In, Out]] = []
        total = 0.0
        while self._queue and len(batch) < self._max_batch:
            pending = self._queue[0]
            item_cost = self._cost(pending.item)
            if batch and total + item_cost > self._max_cost:
                break
            self._queue.popleft()
            if not pending.answer.done():  # a cancelled caller's item is not worth computing
                batch.append(pending)
                total += item_cost
        return batch
