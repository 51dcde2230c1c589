"""Exports the analytics consumer group's lag per partition (`switchboard_analytics_consumer_lag`), read from the
broker every `lag_interval_s` through the bus's lag probe (libs/bus/lag.py)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence

from libs.bus.base import Bus
from libs.bus.lag import Lag, LagProbe, lag_probe
from libs.observability import get_logger
from services.analytics import metrics

log = get_logger("analytics.lag")


class LagWatch:
    def __init__(self, bus: Bus, group: str, topics: Sequence[str], *, interval_s: float) -> None:
        self._bus, self._group, self._topics, self._interval = bus, group, list(topics), interval_s
        self._probe: LagProbe | None = None
        self._task: asyncio.Task[None] | None = None

    async def read(self) -> Lag:
        """The group's lag now, also exported."""
        if self._probe is None:
            self._probe = lag_probe(self._bus)
        lag = await self._probe.lag(self._group, self._topics)
        for (topic, partition), behind in lag.items():
            metrics.CONSUMER_LAG.labels(topic, str(partition)).set(behind)
        return lag

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="analytics:lag")

    async def _run(self) -> None:
        while True:
            try:
                await self.read()
            except Exception as exc:  # the broker being away is the bus's health, not a reason to stop
                log.warning("analytics.lag_unavailable", error=str(exc))
                await self._close_probe()
            await asyncio.sleep(self._interval)

    async def _close_probe(self) -> None:
        probe, self._probe = self._probe, None
        if probe is not None:
            with contextlib.suppress(Exception):
                await probe.close()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._close_probe()
