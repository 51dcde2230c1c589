"""Webhook repositories over the gateway's own store: subscriptions, the delivery outbox (the source of truth
for what is still owed to whom) and the attempt log. Every read of a tenant's data filters on its tenant id."""

from __future__ import annotations

import asyncio
from dataclasses import asdict, fields
from datetime import datetime
from typing import Any, TypeVar

from libs.errors import NotFound
from libs.store import DocumentStore
from services.gateway.fanout.domain import Attempt, Delivery, SigningSecret, Subscription

Record = TypeVar("Record", Subscription, Delivery, Attempt, SigningSecret)


def to_doc(record: Subscription | Delivery | Attempt) -> dict[str, Any]:
    """A record as its row: its fields as they are (a subscription's secrets as nested rows)."""
    return asdict(record)


def from_doc(cls: type[Record], doc: dict[str, Any]) -> Record:
    """The record a row holds, reading only the entries `cls` declares. A row written by another version of the
    gateway (a newer one adds a field, an older one lacks one that has a default here) still reads, so replicas of
    different versions share the store through an upgrade or a rollback; store metadata is left out too."""
    names = {f.name for f in fields(cls)}
    known = {key: value for key, value in doc.items() if key in names}
    if cls is Subscription:
        known["secrets"] = [from_doc(SigningSecret, secret) for secret in doc["secrets"]]
    return cls(**known)


class WebhookStore:
    def __init__(self, store: DocumentStore) -> None:
        self._subs = store.collection("webhooks")
        self._outbox = store.collection("webhook_deliveries")
        self._attempts = store.collection("webhook_attempts")

    async def ensure_indexes(self) -> None:
        await self._subs.ensure_index(["tenant_id", "created_at"])
        await self._outbox.ensure_index(["status", "next_attempt_at"])
        await self._outbox.ensure_index(["subscription_id", "ordering_key", "status", "seq"])
        await self._outbox.ensure_index(["subscription_id", "created_at"])
        await self._attempts.ensure_index(["subscription_id", "at"])
        await self._outbox.ensure_index(["status", "created_at"])  # pruning
        await self._attempts.ensure_index(["at"])
        await self._adopt_unclaimable_rows()

    async def _adopt_unclaimable_rows(self) -> None:
        """Outbox rows written before claims existed lack the lease fields, and `due`/`claim` filter on them: give
        them an empty lease so they go out instead of being owed forever."""
        unleased = {"lease_until": {"$exists": False}}
        while rows := await self._outbox.find(unleased, limit=500):
            for row in rows:
                await self._outbox.update_where(row["id"], unleased, {"lease_until": "", "lease_owner": ""})

    # -- subscriptions -----------------------------------------------------------------------------------
    async def add_subscription(self, sub: Subscription) -> None:
        await self._subs.insert(to_doc(sub))

    async def subscription(self, tenant_id: str, sub_id: str) -> Subscription:
        doc = await self._subs.get(sub_id)
        if doc is None or doc["tenant_id"] != tenant_id:
            raise NotFound("Webhook not found", {"webhook_id": sub_id})  # another tenant's id is a 404 too
        return from_doc(Subscription, doc)

    async def subscription_by_id(self, sub_id: str) -> Subscription | None:
        doc = await self._subs.get(sub_id)
        return from_doc(Subscription, doc) if doc else None

    async def subscriptions(self, tenant_id: str, *, enabled_only: bool = False) -> list[Subscription]:
        flt: dict[str, Any] = {"tenant_id": tenant_id}
        if enabled_only:
            flt["enabled"] = True
        return [from_doc(Subscription, d) for d in await self._subs.find(flt, sort=[("created_at", 1)], limit=1000)]

    async def save_subscription(self, sub: Subscription) -> None:
        await self._subs.upsert(to_doc(sub))

    async def patch_subscription(self, sub_id: str, changes: dict[str, Any]) -> None:
        """Field-level update: concurrent attempts to one endpoint never overwrite each other's whole document."""
        await self._subs.update(sub_id, changes)

    async def delete_subscription(self, sub: Subscription) -> None:
        await self._subs.delete(sub.id)
        await self._outbox.delete_many({"subscription_id": sub.id, "status": "pending"})

    # -- outbox ------------------------------------------------------------------------------------------
    async def enqueue(self, delivery: Delivery) -> bool:
        """Idempotent: a redelivered domain event maps to the same delivery id and is not queued twice."""
        return await self._outbox.insert_if_absent(to_doc(delivery))

    async def delivery(self, sub_id: str, delivery_id: str) -> Delivery:
        doc = await self._outbox.get(delivery_id)
        if doc is None or doc["subscription_id"] != sub_id:
            raise NotFound("Delivery not found", {"delivery_id": delivery_id})
        return from_doc(Delivery, doc)

    async def reschedule(self, delivery_id: str, changes: dict[str, Any]) -> None:
        """Field-level change (next_attempt_at, status) that leaves another worker's claim on the row alone."""
        await self._outbox.update(delivery_id, changes)

    async def claim(self, delivery: Delivery, owner: str, until: datetime, moment: datetime) -> bool:
        """Take the row for one attempt, atomically: of several workers (gateway replicas) at most one wins while
        the claim lasts. Only pending rows with no live claim can be taken."""
        flt = {"status": "pending", "lease_until": {"$lte": moment.isoformat()}}
        won = await self._outbox.update_where(
            delivery.id, flt, {"lease_until": until.isoformat(), "lease_owner": owner, "reopened": False}
        )
        if won is not None:
            delivery.lease_until, delivery.lease_owner = won["lease_until"], won["lease_owner"]
        return won is not None

    async def release(self, delivery_id: str, owner: str) -> None:
        """Give a claim back without an outcome (the attempt was cut off by a shutdown)."""
        await self._outbox.update_where(delivery_id, {"lease_owner": owner}, {"lease_until": "", "lease_owner": ""})

    async def reopen(self, delivery_id: str, moment: str) -> None:
        """Owe the row again now (resend, replay). `reopened` tells an attempt still in flight on it not to write
        its outcome over this: the row stays pending and goes out once more."""
        await self._outbox.update(delivery_id, {"status": "pending", "next_attempt_at": moment, "reopened": True})

    async def settle(self, delivery: Delivery, owner: str) -> bool:
        """Write an attempt's outcome and release the claim, if this worker still holds it (False: it expired and
        another worker took the row over; that worker's outcome stands). A row reopened during the attempt keeps
        its pending state and is released with the attempt counted."""
        changes = {
            "status": delivery.status,
            "attempts": delivery.attempts,
            "next_attempt_at": delivery.next_attempt_at,
            "last_status_code": delivery.last_status_code,
            "lease_until": "",
            "lease_owner": "",
        }
        held = {"lease_owner": owner, "reopened": {"$ne": True}}
        if await self._outbox.update_where(delivery.id, held, changes) is not None:
            return True
        counted = {k: changes[k] for k in ("attempts", "last_status_code", "lease_until", "lease_owner")}
        reopened = await self._outbox.update_where(delivery.id, {"lease_owner": owner}, {**counted, "reopened": False})
        return reopened is not None

    async def due(self, moment: datetime, limit: int, *, skip_subscriptions: list[str]) -> list[Delivery]:
        """Owed rows whose time has come, oldest first, leaving out endpoints whose slots are all busy (their
        backlog must not fill the window and starve everyone else)."""
        flt: dict[str, Any] = {
            "status": "pending",
            "next_attempt_at": {"$lte": moment.isoformat()},
            "lease_until": {"$lte": moment.isoformat()},  # rows another replica is sending now are left out
        }
        if skip_subscriptions:
            flt["subscription_id"] = {"$nin": skip_subscriptions}
        return [from_doc(Delivery, d) for d in await self._outbox.find(flt, sort=[("seq", 1)], limit=limit)]

    async def next_due_at(self) -> str | None:
        docs = await self._outbox.find({"status": "pending"}, sort=[("next_attempt_at", 1)], limit=1)
        return str(docs[0]["next_attempt_at"]) if docs else None

    async def lane_neighbour(self, delivery: Delivery, *, before: bool) -> Delivery | None:
        """The owed delivery of the same (endpoint, conversation) just before (or after) this one, if any."""
        flt = {
            "subscription_id": delivery.subscription_id,
            "ordering_key": delivery.ordering_key,
            "status": "pending",
            "seq": {"$lt": delivery.seq} if before else {"$gt": delivery.seq},
        }
        docs = await self._outbox.find(flt, sort=[("seq", -1 if before else 1)], limit=1)
        return from_doc(Delivery, docs[0]) if docs else None

    async def deliveries_since(self, sub_id: str, since: datetime, limit: int) -> list[Delivery]:
        flt = {"subscription_id": sub_id, "created_at": {"$gte": since.isoformat()}}
        return [from_doc(Delivery, d) for d in await self._outbox.find(flt, sort=[("seq", 1)], limit=limit)]

    async def prune(self, before: datetime, *, batch: int = 500) -> int:
        """Delete settled deliveries (delivered or finally failed) created before `before`, and attempts made
        before it, `batch` rows at a time (no single delete holds the store for long); pending rows are never
        touched, whatever their age. Returns how many documents went."""
        cutoff = before.isoformat()
        settled = {"status": {"$in": ["delivered", "failed"]}, "created_at": {"$lt": cutoff}}
        removed = 0
        for collection, flt in ((self._outbox, settled), (self._attempts, {"at": {"$lt": cutoff}})):
            while ids := [d["id"] for d in await collection.find(flt, limit=batch)]:
                removed += await collection.delete_many({"id": {"$in": ids}})
                await asyncio.sleep(0)  # other tasks (deliveries, API reads) run between batches
        return removed

    # -- attempt log -------------------------------------------------------------------------------------
    async def log_attempt(self, attempt: Attempt) -> None:
        await self._attempts.insert(to_doc(attempt))

    async def attempts(self, sub_id: str, *, offset: int, limit: int) -> tuple[list[Attempt], int]:
        flt = {"subscription_id": sub_id}
        docs = await self._attempts.find(flt, sort=[("at", -1)], skip=offset, limit=limit)
        return [from_doc(Attempt, doc) for doc in docs], await self._attempts.count(flt)
