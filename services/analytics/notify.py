"""Tells the gateway (analytics.events) which tenants' rollups counted new events, at most once per tenant per
`interval_s`: the fan-out turns each notice into an `analytics_update` WebSocket frame, on which dashboards
refresh. A lost notice only delays a dashboard until its fallback poll."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime

from libs.bus.base import Bus
from libs.contracts.models.analytics import RollupsUpdatedV1
from libs.observability import get_logger

log = get_logger("analytics.notify")


class UpdateNotifier:
    def __init__(self, bus: Bus, *, interval_s: float = 1.0) -> None:
        self._bus = bus
        self._interval = interval_s
        self._pending: dict[str, tuple[int, str]] = {}  # tenant -> (events counted, newest event time)
        self._task: asyncio.Task[None] | None = None

    def counted(self, tenant_id: str, at: datetime) -> None:
        """An event of `tenant_id` was stored (its rollups changed)."""
        events, last = self._pending.get(tenant_id, (0, ""))
        self._pending[tenant_id] = (events + 1, max(last, at.astimezone(UTC).isoformat()))

    async def flush(self) -> None:
        pending, self._pending = self._pending, {}
        now = datetime.now(UTC).isoformat()
        for tenant_id, (events, last) in pending.items():
            notice = RollupsUpdatedV1(events=events, last_activity_at=last, updated_at=now)
            try:
                await self._bus.emit(notice, key=tenant_id, tenant_id=tenant_id)
            except Exception as exc:  # best effort: the dashboards poll as a fallback
                log.warning("analytics.notify_failed", tenant=tenant_id, error=str(exc))

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="analytics:notify")

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            await self.flush()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
