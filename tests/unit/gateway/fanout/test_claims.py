"""Outbox claims between gateway replicas: two workers over one SQLite file (two connections, as two processes
would hold) never both win a row; a claim left by a dead worker is taken over once it expires; only the holder
may write the outcome."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from libs.store.sqlite import SQLiteStore
from services.gateway.fanout.domain import Delivery, now_utc
from services.gateway.fanout.store import WebhookStore, to_doc


def _row(n: int = 1) -> Delivery:
    moment = now_utc().isoformat()
    return Delivery(
        id=f"msg_{n}",
        tenant_id="default",
        subscription_id="wh_1",
        event="session.closed",
        body="{}",
        ordering_key="sess_1",
        seq=n,
        created_at=moment,
        next_attempt_at=moment,
    )


async def test_one_of_two_replicas_wins_a_row_until_its_claim_expires(tmp_path: Path) -> None:
    stores = [SQLiteStore(tmp_path / "gateway.sqlite3") for _ in range(2)]
    first, second = (WebhookStore(s) for s in stores)
    await first.enqueue(_row())
    moment = now_utc()
    lease = moment + timedelta(seconds=30)
    row_a, row_b = (await first.due(moment, 10, skip_subscriptions=[]))[0], _row()
    assert await first.claim(row_a, "a", lease, moment) is True
    assert await second.claim(row_b, "b", lease, moment) is False
    assert await second.due(moment, 10, skip_subscriptions=[]) == []  # a claimed row leaves the due window
    later = lease + timedelta(seconds=1)  # replica a died mid-attempt: its claim runs out
    assert await second.claim(row_b, "b", later + timedelta(seconds=30), later) is True
    row_a.status = "delivered"
    assert await first.settle(row_a, "a") is False  # a's late outcome does not overwrite b's attempt
    row_b.status, row_b.attempts = "delivered", 1
    assert await second.settle(row_b, "b") is True
    stored = await first.delivery("wh_1", "msg_1")
    assert (stored.status, stored.attempts, stored.lease_owner, stored.lease_until) == ("delivered", 1, "", "")
    assert await first.claim(_row(), "a", later, later) is False  # settled rows are never claimed again
    for store in stores:
        await store.close()


async def test_release_gives_a_cut_off_attempt_back_at_once(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "gateway.sqlite3")
    outbox = WebhookStore(store)
    await outbox.enqueue(_row())
    moment = now_utc()
    assert await outbox.claim(_row(), "a", moment + timedelta(seconds=30), moment)
    await outbox.release("msg_1", "b")  # not b's claim: nothing changes
    assert await outbox.due(moment, 10, skip_subscriptions=[]) == []
    await outbox.release("msg_1", "a")
    assert [d.id for d in await outbox.due(moment, 10, skip_subscriptions=[])] == ["msg_1"]
    await store.close()


async def test_prune_deletes_settled_rows_and_attempts_past_retention_in_batches(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "gateway.sqlite3")
    outbox = WebhookStore(store)
    old, recent = now_utc() - timedelta(days=31), now_utc() - timedelta(days=1)
    rows = {
        "msg_1": ("delivered", old),
        "msg_2": ("failed", old),
        "msg_3": ("pending", old),
        "msg_4": ("delivered", old),
        "msg_5": ("delivered", recent),
        "msg_6": ("failed", recent),
        "msg_7": ("delivered", old),
    }
    for n, (status, at) in enumerate(rows.values(), start=1):
        row = _row(n)
        row.status, row.created_at = status, at.isoformat()  # type: ignore[assignment]
        await outbox.enqueue(row)
    attempts = store.collection("webhook_attempts")
    for n, at in enumerate((old, old, old, recent)):
        await attempts.insert({"id": f"att_{n}", "subscription_id": "wh_1", "at": at.isoformat()})
    removed = await outbox.prune(now_utc() - timedelta(days=30), batch=2)
    outbox_ids = {d["id"] for d in await store.collection("webhook_deliveries").find()}
    assert outbox_ids == {"msg_3", "msg_5", "msg_6"}  # pending rows stay whatever their age
    assert [d["id"] for d in await attempts.find()] == ["att_3"]
    assert removed == 4 + 3
    assert await outbox.prune(now_utc() - timedelta(days=30), batch=2) == 0
    await store.close()


async def test_rows_written_before_claims_existed_are_owed_again_after_the_upgrade(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "gateway.sqlite3")
    old_row = {k: v for k, v in to_doc(_row()).items() if k not in ("lease_until", "lease_owner")}
    await store.collection("webhook_deliveries").insert(old_row)  # as the previous release wrote it
    outbox = WebhookStore(store)
    moment = now_utc()
    assert await outbox.due(moment, 10, skip_subscriptions=[]) == []  # unclaimable without its lease fields
    await outbox.ensure_indexes()  # what the gateway runs at start
    [due] = await outbox.due(moment, 10, skip_subscriptions=[])
    assert await outbox.claim(due, "a", moment + timedelta(seconds=30), moment)
    await store.close()
