"""Every figure of a report read from the rollups (session cohort figures included) equals the same report
computed from the facts, on a generated history stored by two writers at once, some sessions' events out of
order and some redelivered."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta

import pytest

from libs.bus import Envelope
from libs.store import DocumentStore, open_store
from services.analytics.handlers import event_handler
from services.analytics.listing import list_conversations
from services.analytics.report import build_report
from services.analytics.session_views import durable_resolutions
from services.analytics.store import FactStore, Scope
from tests.support.analytics_history import START, history

NOW = datetime(2026, 6, 1, tzinfo=UTC)
# Some resolutions' durable window has passed, not all (the cut falls inside an hour).
MIDWAY = START + timedelta(days=9, hours=13, minutes=37)


async def _feed(store: DocumentStore, sessions: list[list[Envelope]], rng: random.Random) -> None:
    """Two writers (as two replicas, each owning half the sessions' partitions) on one store, 16 lanes each."""
    writers = [event_handler(FactStore(store, writer=name)) for name in ("replica-a", "replica-b")]
    lanes: list[list[list[Envelope]]] = [[], []]
    for i, envs in enumerate(sessions):
        envs = list(envs)
        if i % 7 == 3:
            rng.shuffle(envs)  # overtaken events (a rebuild beside the live service): state updates are order-free
        if i % 5 == 1:
            envs += rng.sample(envs, k=max(1, len(envs) // 2))  # redelivered: counted once
        lanes[i % 2].append(envs)

    async def lane(handle: object, queue: list[list[Envelope]]) -> None:
        while queue:
            for env in queue.pop():
                await handle(env)  # type: ignore[operator]

    await asyncio.gather(*(lane(writers[w], lanes[w]) for w in (0, 1) for _ in range(16)))


def _periods(rng: random.Random) -> list[tuple[datetime, datetime]]:
    fixed = [(START, START + timedelta(days=12)), (START + timedelta(days=2), START + timedelta(days=3))]
    for _ in range(6):
        lo = START + timedelta(minutes=rng.uniform(0, 9 * 1440))
        fixed.append((lo, lo + timedelta(minutes=rng.uniform(30, 6 * 1440))))
    return fixed


@pytest.mark.parametrize("granularity", ["hour", "day", "week", "month"])
async def test_rollups_equal_fact_scans_with_two_writers(granularity: str) -> None:
    rng = random.Random(granularity)
    store = open_store(database="cohort")
    await FactStore(store).ensure_indexes()
    await _feed(store, history(400), rng)
    facts = FactStore(store)
    opened = escalated = 0
    durable = 0
    newest = datetime.fromisoformat(str(await facts.latest({"tenant_id": "acme"})))
    ending_now = [(lo, newest + timedelta(minutes=1)) for lo in (START, newest - timedelta(hours=5, minutes=3))]
    for lo, hi in _periods(rng) + ending_now:  # the last two end "now": their last hour is read from its rows
        for now in (NOW, MIDWAY):
            scope = Scope("acme", lo, hi)
            args = {"window": timedelta(days=7), "now": now}
            rolled = await build_report(facts, scope, granularity, **args)  # type: ignore[arg-type]
            scanned = await build_report(facts, scope, granularity, rollups=False, **args)  # type: ignore[arg-type]
            assert rolled.model_dump() == scanned.model_dump(), (lo, hi, now)
            opened += rolled.totals.conversations
            escalated += rolled.totals.escalated_sessions
            durable += rolled.totals.durable_resolved
    # The periods hold sessions of every kind the cohort follows.
    args = {"window": timedelta(days=7), "now": NOW}
    whole = (await build_report(facts, Scope("acme", START, START + timedelta(days=12)), "day", **args)).totals  # type: ignore[arg-type]
    assert whole.conversations == 400 and opened > 400 and escalated > 0 and durable > 0
    assert 0 < whole.durable_resolved < whole.resolved  # some customers came back within the window
    assert whole.open_sessions > 0 and whole.waiting_for_human > 0 and whole.sentiment_sessions
    assert whole.session_length_s_avg is not None
    await store.close()


async def test_listings_page_through_the_figures() -> None:
    """Each listing's total is the report's figure and its pages hold exactly the counted conversations."""
    store = open_store(database="listing")
    await FactStore(store).ensure_indexes()
    await _feed(store, history(300), random.Random(1))
    facts = FactStore(store)
    scope = Scope("acme", START + timedelta(days=1, minutes=13), START + timedelta(days=8, hours=5))
    args = {"window": timedelta(days=7), "now": MIDWAY}
    totals = (await build_report(facts, scope, "day", **args)).totals  # type: ignore[arg-type]
    figures = {"conversations": totals.conversations, "resolved": totals.resolved, "ai_resolved": totals.ai_resolved,
               "durable_resolved": totals.durable_resolved, "escalated": totals.escalated_sessions,
               "abandoned": totals.abandoned, "rated": totals.satisfaction_count}  # fmt: skip
    for metric, figure in figures.items():
        items = []
        for offset in range(0, figure + 7, 7):
            page = await list_conversations(facts, scope, metric, limit=7, offset=offset, **args)
            assert page.total == figure, metric
            items += page.items
        assert len(items) == figure and (figure > 0 or metric == "rated"), metric  # the history rates nothing
        if metric in ("durable_resolved", "escalated"):
            assert len({i.session_id for i in items}) == figure, metric
    durable = await durable_resolutions(facts, scope, timedelta(days=7), MIDWAY)
    listed = await list_conversations(facts, scope, "durable_resolved", limit=500, offset=0, **args)
    assert [i.session_id for i in listed.items] == [d["session_id"] for d in durable]
    await store.close()
