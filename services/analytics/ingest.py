"""Group commit: the bus hands the handler one event at a time, but runs many keys' handlers at once. Each
handler parks its fact here and awaits it; one writer stores every fact parked meanwhile in ONE store commit
(facts + rollups), then wakes them. A handler still returns only once its fact is stored, so the bus commits
its offset only after that (a crash before the commit replays every event of the batch: all are no-ops or new)."""

from __future__ import annotations

import asyncio

from services.analytics.domain import Fact
from services.analytics.store import FactStore


class GroupCommit:
    def __init__(self, facts: FactStore, *, max_batch: int = 500) -> None:
        self._facts = facts
        self._max = max_batch
        self._parked: list[tuple[Fact, asyncio.Future[bool]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def record(self, fact: Fact) -> bool:
        """True when stored now, False when this event id was counted before."""
        done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._parked.append((fact, done))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write(), name="analytics:group-commit")
        return await done

    async def _write(self) -> None:
        await asyncio.sleep(0)  # the handlers already runnable park their facts first
        while self._parked:
            batch, self._parked = self._parked[: self._max], self._parked[self._max :]
            try:
                stored = await self._facts.record_many([fact for fact, _ in batch])
            except Exception as exc:  # each handler raises it, and the bus redelivers its event
                for _, done in batch:
                    if not done.done():
                        done.set_exception(exc)
                continue
            for (_, done), ok in zip(batch, stored, strict=True):
                if not done.done():
                    done.set_result(ok)
