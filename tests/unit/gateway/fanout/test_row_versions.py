"""Outbox and subscription rows written by another version of the gateway (replicas of two versions share the
store through an upgrade or a rollback): a field this version does not know is ignored, a field it added that an
older row lacks takes its default; the row is read, sent and listed as usual."""

from __future__ import annotations

from pathlib import Path

from libs.store.sqlite import SQLiteStore
from services.gateway.fanout.domain import Delivery, SigningSecret, Subscription, now_utc
from services.gateway.fanout.store import WebhookStore, to_doc


def _delivery() -> Delivery:
    moment = now_utc().isoformat()
    return Delivery(
        id="msg_1",
        tenant_id="default",
        subscription_id="wh_1",
        event="session.closed",
        body="{}",
        ordering_key="sess_1",
        seq=1,
        created_at=moment,
        next_attempt_at=moment,
    )


def _subscription() -> Subscription:
    secret = SigningSecret(ciphertext="sealed", created_at=now_utc().isoformat())
    return Subscription(
        id="wh_1",
        tenant_id="default",
        url="https://hooks.example.com/in",
        events=["*"],
        format="support_agent",
        description=None,
        enabled=True,
        created_at=now_utc().isoformat(),
        secrets=[secret],
    )


async def test_a_delivery_row_from_a_newer_version_is_read_and_due(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "gateway.sqlite3")
    row = _delivery()
    newer = {**to_doc(row), "priority": 3, "trace": {"span": "abc"}}  # fields this version lacks
    await store.collection("webhook_deliveries").insert(newer)
    webhooks = WebhookStore(store)
    assert await webhooks.delivery("wh_1", "msg_1") == row
    assert [d.id for d in await webhooks.due(now_utc(), 10, skip_subscriptions=[])] == ["msg_1"]


async def test_a_delivery_row_from_an_older_version_takes_the_defaults(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "gateway.sqlite3")
    older = to_doc(_delivery())
    del older["reopened"]  # added later, with a default
    await store.collection("webhook_deliveries").insert(older)
    assert (await WebhookStore(store).delivery("wh_1", "msg_1")).reopened is False


async def test_a_subscription_row_from_a_newer_version_is_read(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "gateway.sqlite3")
    sub = _subscription()
    doc = to_doc(sub)
    doc["rate_limit"] = 10
    doc["secrets"][0]["algorithm"] = "hmac-sha256"  # a newer secret record
    await store.collection("webhooks").insert(doc)
    webhooks = WebhookStore(store)
    assert await webhooks.subscription("default", "wh_1") == sub
    assert [s.id for s in await webhooks.subscriptions("default")] == ["wh_1"]
