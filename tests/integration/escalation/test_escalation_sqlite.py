"""EscalationService on real SQLite files: durability across reopen, atomic ids and first-decision-wins
under concurrent writers (separate connections, separate threads)."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from libs.errors import Conflict
from libs.store import DocumentStore, open_store
from services.escalation.service import EscalationService

pytestmark = pytest.mark.integration

BODY = {"session_id": "sess_1", "reason": "manual_request", "priority": "medium"}
ITEM = {"query": "q", "response": "r", "category": "general", "priority": 2}


def _service(directory: Path, year: int = 2026) -> tuple[EscalationService, DocumentStore]:
    store = open_store(database="escalation", sqlite_dir=directory)
    return EscalationService(store, clock=lambda: datetime(year, 6, 1, tzinfo=UTC)), store


async def test_everything_survives_a_reopen(tmp_path: Path) -> None:
    svc, store = _service(tmp_path)
    await svc.start()
    tid = (await svc.create_ticket("t1", BODY, customer_id="c1")).ticket_id
    await svc.update_ticket("t1", tid, {"assigned_agent": "agent_1"})
    await svc.update_config("t1", {"tiers": {"ai_rep": {"capabilities": {"max_credit_amount": 20}}}})
    item_id = (await svc.queue_review("t1", ITEM)).item_id
    await store.close()

    svc, store = _service(tmp_path)
    ticket = await svc.get_ticket("t1", tid)
    assert (ticket.status, ticket.assigned_agent, ticket.customer_id) == ("assigned", "agent_1", "c1")
    assert (await svc.company_config("t1")).data["tiers"]["ai_rep"]["capabilities"]["max_credit_amount"] == 20
    assert (await svc.create_ticket("t1", BODY)).ticket_id == "TKT-2026-000002"  # counter persisted
    assert (await svc.list_reviews("t1"))[0][0].item_id == item_id
    await store.close()

    next_year, store = _service(tmp_path, year=2027)
    assert (await next_year.create_ticket("t1", BODY)).ticket_id == "TKT-2027-000001"
    await store.close()


def _create_many(directory: Path, count: int, out: list[str]) -> None:
    async def run() -> None:
        svc, store = _service(directory)
        for _ in range(count):
            out.append((await svc.create_ticket("t1", BODY)).ticket_id)
        await store.close()

    asyncio.run(run())


def test_ticket_ids_unique_across_concurrent_writers(tmp_path: Path) -> None:
    results: list[list[str]] = [[] for _ in range(4)]
    threads = [threading.Thread(target=_create_many, args=(tmp_path, 25, r)) for r in results]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ids = [i for r in results for i in r]
    assert sorted(ids) == [f"TKT-2026-{n:06d}" for n in range(1, 101)]


def _decide(directory: Path, item_id: str, reviewer: str, barrier: threading.Barrier, out: dict) -> None:
    async def run() -> None:
        svc, store = _service(directory)
        barrier.wait()
        try:
            await svc.decide_review("t1", {"item_id": item_id, "approved": True}, reviewer_id=reviewer)
            out[reviewer] = "ok"
        except Conflict:
            out[reviewer] = "conflict"
        await store.close()

    asyncio.run(run())


async def test_racing_reviewers_exactly_one_wins(tmp_path: Path) -> None:
    svc, store = _service(tmp_path)
    item_ids = [(await svc.queue_review("t1", ITEM)).item_id for _ in range(5)]
    for item_id in item_ids:
        out: dict[str, str] = {}
        barrier = threading.Barrier(4)
        threads = [threading.Thread(target=_decide, args=(tmp_path, item_id, f"u{n}", barrier, out)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(out.values()) == ["conflict", "conflict", "conflict", "ok"]
        winner = next(r for r, v in out.items() if v == "ok")
        reviewed = {i.item_id: i for i in (await svc.list_reviews("t1", status="reviewed"))[0]}
        assert reviewed[item_id].reviewer_id == winner
    await store.close()
