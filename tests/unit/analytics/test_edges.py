"""A past period ending mid-hour reads its partial edge hour from the facts once per state of that hour: a second
report reuses it, and a late event of the hour (new revisions of its rows) makes the next report read it again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from libs.bus import MemoryBus
from libs.runtime import Service
from libs.store import DocumentStore
from services.analytics.report import build_report
from services.analytics.store import FactStore, Scope
from tests.support.analytics_traffic import DAY, SessionScript, events, send_day

# s1 opens at 01:00 and s2 at 01:30 (tests/support/analytics_traffic.py): the period's edges [00:20, 01:00) and
# [01:00, 01:15) lie in hours that hold later facts, so their cells cannot come from the hour rows.
PERIOD = Scope("acme", DAY + timedelta(minutes=20), DAY + timedelta(hours=1, minutes=15))
NOW = datetime(2026, 6, 1, tzinfo=UTC)


async def _report(facts: FactStore, *, rollups: bool = True) -> Any:
    return await build_report(facts, PERIOD, "hour", window=timedelta(days=7), now=NOW, rollups=rollups)


async def test_an_edge_is_read_once_per_revision_of_its_hour(
    stack: tuple[Service, MemoryBus], analytics_store: DocumentStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    service, client = stack
    assert isinstance(service.bus, MemoryBus)
    await send_day(client, "acme")
    await service.bus.drain()
    facts = FactStore(analytics_store)
    reads: list[dict[str, Any]] = []
    find_all = facts.find_all

    async def counted(flt: dict[str, Any], page: int = 5000) -> list[dict[str, Any]]:
        reads.append(flt)
        return await find_all(flt, page)

    monkeypatch.setattr(facts, "find_all", counted)
    first = await _report(facts)
    assert len(reads) == 2  # [00:20, 01:15) is read as one edge per hour: [00:20, 01:00) and [01:00, 01:15)
    reads.clear()
    assert (await _report(facts)).model_dump() == first.model_dump()
    assert reads == []  # from the cache
    assert first.model_dump() == (await _report(facts, rollups=False)).model_dump()
    assert first.totals.conversations == 1 and first.totals.messages == 1

    # A late session opened at 01:05, inside the cached edge: its hour row gets a new revision.
    for event in events(SessionScript("late", 65, outcome="open")):
        await client.publish("conversation.events", event, key="late", tenant_id="acme")
    await service.bus.drain()
    reads.clear()
    late = await _report(facts)
    assert len(reads) == 1  # [01:00, 01:15) read again; [00:20, 01:00), whose hour did not change, still cached
    assert late.model_dump() == (await _report(facts, rollups=False)).model_dump()
    assert (late.totals.conversations, late.totals.messages) == (2, 2)
