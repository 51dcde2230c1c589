"""Background work a service runs off the request path (indexing, training, model loading): coroutines in, tasks
that are kept referenced until done, cancelled together at shutdown or awaited together in tests out."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class BackgroundTasks:
    def __init__(self) -> None:
        # asyncio keeps only weak references to tasks: without this set a running task could be garbage-collected.
        self._tasks: set[asyncio.Task[Any]] = set()

    def start(self, work: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def cancel_all(self) -> None:
        """Cancel every running task and wait until each has stopped (the service is shutting down)."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def wait_all(self) -> None:
        """Wait for every running task (tests and orderly shutdowns)."""
        await asyncio.gather(*self._tasks, return_exceptions=True)
