"""Reports read from the rollups equal the same reports accumulated from every fact of the period, for whole and
partial hours, every granularity and narrow scopes; batched writes count each event id once."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from libs.bus import Envelope, MemoryBus
from libs.contracts.models.conversation import ConversationCreatedV1
from libs.runtime import Service
from libs.store import DocumentStore, open_store
from services.analytics.domain import Fact
from services.analytics.handlers import event_handler
from services.analytics.ingest import GroupCommit
from services.analytics.report import build_report
from services.analytics.rollups import plan
from services.analytics.store import FactStore, Scope
from tests.support.analytics_traffic import send_day

NOW = datetime(2026, 6, 1, tzinfo=UTC)
PERIODS = [
    ("2026-03-02T00:00:00", "2026-03-03T00:00:00"),  # one whole day
    ("2026-03-02T00:20:00", "2026-03-02T01:45:00"),  # partial hours at both edges
    ("2026-03-01T23:59:00", "2026-03-02T00:30:30"),  # across midnight, no whole hour
    ("2026-02-01T00:00:00", "2026-04-01T00:00:00"),  # whole months
    ("2026-02-27T05:17:00", "2026-03-09T13:00:00"),  # hours, days, weeks
]


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize("granularity", ["hour", "day", "week", "month"])
async def test_rollup_reports_equal_fact_scans(
    stack: tuple[Service, MemoryBus], analytics_store: DocumentStore, granularity: str
) -> None:
    service, client = stack
    await send_day(client, "acme")
    await send_day(client, "other")  # another tenant's rollups must not leak in
    assert isinstance(service.bus, MemoryBus)
    await service.bus.drain()
    facts = FactStore(analytics_store)
    seen_conversations = 0
    for start, end in PERIODS:
        for scope in (Scope("acme", _at(start), _at(end)), Scope("acme", _at(start), _at(end), session_id="s2")):
            args = {"window": timedelta(days=7), "now": NOW}
            rolled = await build_report(facts, scope, granularity, **args)  # type: ignore[arg-type]
            scanned = await build_report(facts, scope, granularity, rollups=False, **args)  # type: ignore[arg-type]
            assert rolled.model_dump() == scanned.model_dump(), (start, end, scope.session_id)
            seen_conversations += rolled.totals.conversations
    assert seen_conversations > 0  # the periods do hold traffic


def test_plan_covers_the_period_with_the_coarsest_whole_buckets() -> None:
    pieces = plan(_at("2026-02-27T05:17:00"), _at("2026-04-02T01:00:00"), ("month", "day", "hour"))
    assert [(level, lo.isoformat()[:16], hi.isoformat()[:16]) for level, lo, hi in pieces] == [
        (None, "2026-02-27T05:17", "2026-02-27T06:00"),
        ("hour", "2026-02-27T06:00", "2026-02-28T00:00"),
        ("day", "2026-02-28T00:00", "2026-03-01T00:00"),
        ("month", "2026-03-01T00:00", "2026-04-01T00:00"),
        ("day", "2026-04-01T00:00", "2026-04-02T00:00"),
        ("hour", "2026-04-02T00:00", "2026-04-02T01:00"),
    ]


async def test_concurrent_redeliveries_in_one_batch_count_once() -> None:
    store = open_store(database="batch")
    facts = FactStore(store)
    handle = event_handler(facts)
    envs = [
        Envelope(
            source="test", type="conversation.ConversationCreated.v1", tenantid="acme", correlationid="c1",
            data=ConversationCreatedV1(
                session_id=f"s{i % 3}", customer_id="c", channel="chat", dialect="kb_platform", tier="AI_REP",
                created_at="2026-03-02T10:00:00Z",
            ).model_dump(),
        )
        for i in range(3)
    ]  # fmt: skip
    # Each event three times at once: they share one group commit, and later ones find the first stored.
    await asyncio.gather(*(handle(env) for env in envs * 3))
    await asyncio.gather(*(handle(env) for env in envs))
    scope = Scope("acme", _at("2026-03-02T00:00:00"), _at("2026-03-03T00:00:00"))
    report = await build_report(facts, scope, "hour", window=timedelta(days=7), now=NOW)
    assert report.totals.conversations == 3 == await facts.count(scope.filter("conversation"))
    await store.close()


class FailingOnce(FactStore):
    """A real FactStore whose first batch fails, as a store outage would; counts the batches it is handed."""

    def __init__(self, store: DocumentStore) -> None:
        super().__init__(store)
        self.batches: list[int] = []

    async def record_many(self, batch: Sequence[Fact], attempts: int = 3) -> list[bool]:
        self.batches.append(len(batch))
        if len(self.batches) == 1:
            raise ConnectionError("store down")
        return await super().record_many(batch, attempts)


async def test_group_commit_stores_concurrent_facts_together_and_fails_them_together() -> None:
    store = open_store(database="group")
    facts = FailingOnce(store)
    writer = GroupCommit(facts)
    at = _at("2026-03-02T10:00:00")
    batch = [Fact(f"e{i}", "acme", "conversation", at, f"s{i}", "c", {"channel": "chat"}) for i in range(5)]
    failed = await asyncio.gather(*(writer.record(f) for f in batch), return_exceptions=True)
    assert all(isinstance(r, ConnectionError) for r in failed)  # every handler fails: the bus redelivers each
    assert await asyncio.gather(*(writer.record(f) for f in batch)) == [True] * 5
    assert await writer.record(batch[0]) is False
    assert facts.batches == [5, 5, 1]  # one commit per group of concurrent handlers
    await store.close()


async def test_find_all_pages_through_facts_sharing_a_time() -> None:
    store = open_store(database="pages")
    facts = FactStore(store)
    times = ["10:00", "10:01", "10:01", "10:01", "10:01", "10:02", "10:03"]
    for i, t in enumerate(times):
        await facts.record(Fact(f"e{i}", "acme", "conversation", _at(f"2026-03-02T{t}:00"), f"s{i}", "c"))
    scope = Scope("acme", _at("2026-03-02T10:00:30"), _at("2026-03-02T11:00:00"))
    for page in (1, 2, 3, 10):
        found = await facts.find_all(scope.filter("conversation"), page=page)
        assert [d["id"] for d in found] == ["e1", "e2", "e3", "e4", "e5", "e6"], page
    assert len(await facts.find_all({"tenant_id": "acme"}, page=2)) == 7  # no period: pages all the same
    await store.close()
