"""Escalation persistence over libs/store: tickets, per-company CS configs, review items and decisions,
and per-tenant counters. Every document carries tenant_id and every query filters by it. Tickets and review items
cross this module as domain objects (Ticket, ReviewItem); their documents exist only here."""

from __future__ import annotations

import re
from contextlib import AbstractContextManager
from dataclasses import fields
from typing import Any

from libs.store import DocumentStore, Insert, Write
from libs.store.staging import Staging

from .domain import Priority, ReviewItem, ReviewStatus, Ticket, TicketStatus

TICKETS = "tickets"
CONFIGS = "cs_configs"
REVIEWS = "review_items"
DECISIONS = "review_decisions"
COUNTERS = "counters"


def snake_keys(value: Any) -> Any:
    """`value` with every object key in snake_case (a camelCase key such as maxRefundAmount -> max_refund_amount)."""
    if isinstance(value, dict):
        return {_CAMEL_HUMP.sub(r"_\1", key).lower(): snake_keys(item) for key, item in value.items()}
    if isinstance(value, list):
        return [snake_keys(item) for item in value]
    return value


_CAMEL_HUMP = re.compile(r"(?<=[a-z0-9])([A-Z])")


def scoped_id(tenant_id: str, public_id: str) -> str:
    """Public ids (TKT-2026-000001, rev-000001) repeat across tenants; the stored id never does."""
    return f"{tenant_id}/{public_id}"


_TICKET_FIELDS = frozenset(f.name for f in fields(Ticket))
_REVIEW_FIELDS = frozenset(f.name for f in fields(ReviewItem))
# What a decision claim records (the first decision wins on its unique id).
_DECISION_FIELDS = ("approved", "feedback", "edits", "reviewer_id", "review_time", "final_response")


def ticket_doc(ticket: Ticket) -> dict[str, Any]:
    """The stored document; `priority_rank` lets the queue count tickets at least as urgent."""
    values = {name: getattr(ticket, name) for name in sorted(_TICKET_FIELDS)}
    values |= {"priority": ticket.priority.value, "status": ticket.status.value}
    return {"id": scoped_id(ticket.tenant_id, ticket.ticket_id), **values, "priority_rank": ticket.priority.rank}


def ticket_from_doc(doc: dict[str, Any]) -> Ticket:
    values = {k: v for k, v in doc.items() if k in _TICKET_FIELDS}
    return Ticket(**values | {"priority": Priority(doc["priority"]), "status": TicketStatus(doc["status"])})


def review_doc(item: ReviewItem) -> dict[str, Any]:
    values = {name: getattr(item, name) for name in sorted(_REVIEW_FIELDS)}
    return {"id": scoped_id(item.tenant_id, item.item_id), **values, "status": item.status.value}


def review_from_doc(doc: dict[str, Any]) -> ReviewItem:
    values = {k: v for k, v in doc.items() if k in _REVIEW_FIELDS}
    return ReviewItem(**values | {"status": ReviewStatus(doc["status"])})


# The creations of the command being handled, when it runs as a unit of work (see `EscalationRepository.staging`).
_staging = Staging("escalation_staged")


class EscalationRepository:
    """Thin, tenant-scoped access to the escalation service's collections."""

    def __init__(self, store: DocumentStore) -> None:
        self.store = self._store = store
        self.tickets = store.collection(TICKETS)
        self.configs = store.collection(CONFIGS)
        self.reviews = store.collection(REVIEWS)
        self.decisions = store.collection(DECISIONS)
        self.counters = store.collection(COUNTERS)

    async def ensure_indexes(self) -> None:
        await self.tickets.ensure_index(["tenant_id", "status", "priority_rank"])
        await self.tickets.ensure_index(["tenant_id", "session_id"])
        await self.reviews.ensure_index(["tenant_id", "status", "priority"])

    def staging(self) -> AbstractContextManager[list[Write]]:
        """Inside, new tickets and review items are collected instead of written, so the caller commits them with
        the command's handled-record in one store commit (a crash cannot leave a ticket without its record, which
        a redelivery would then open a second time). Reads of this repository see them already."""
        return _staging.collect()

    async def _create(self, collection: str, doc: dict[str, Any]) -> dict[str, Any]:
        staged = _staging.writes()
        if staged is None:
            return await self._store.collection(collection).insert(doc)
        staged.append(Insert(collection, doc))
        return doc

    @staticmethod
    def _staged_doc(collection: str, doc_id: str) -> dict[str, Any] | None:
        return next(
            (
                w.doc
                for w in _staging.writes() or ()
                if isinstance(w, Insert) and w.collection == collection and w.doc["id"] == doc_id
            ),
            None,
        )

    async def commit(self, writes: list[Write]) -> None:
        await self._store.commit(writes)

    async def next_sequence(self, tenant_id: str, name: str) -> int:
        """Atomic per-tenant counter: 1, 2, 3, … for each (tenant, name)."""
        counter_id = scoped_id(tenant_id, name)
        await self.counters.insert_if_absent({"id": counter_id, "tenant_id": tenant_id, "value": 0})
        doc = await self.counters.increment(counter_id, "value", 1)
        assert doc is not None  # created just above and never deleted
        return int(doc["value"])

    async def _get_scoped(self, collection_name: str, tenant_id: str, public_id: str) -> dict[str, Any] | None:
        doc = await self._store.collection(collection_name).get(scoped_id(tenant_id, public_id))
        # Belt and braces: the scoped id already embeds the tenant.
        return doc if doc is not None and doc.get("tenant_id") == tenant_id else None

    # tickets
    async def insert_ticket(self, ticket: Ticket) -> None:
        await self._create(TICKETS, ticket_doc(ticket))

    async def get_ticket(self, tenant_id: str, ticket_id: str) -> Ticket | None:
        doc = await self._get_scoped(TICKETS, tenant_id, ticket_id)
        return None if doc is None else ticket_from_doc(doc)

    async def save_ticket(self, ticket: Ticket) -> Ticket | None:
        """Write the ticket's fields over the stored ones (None when it is gone)."""
        doc = ticket_doc(ticket)
        updated = await self.tickets.update(doc.pop("id"), doc)
        return None if updated is None else ticket_from_doc(updated)

    async def count_open_tickets_at_least(self, tenant_id: str, priority_rank: int) -> int:
        """Unassigned tickets that a new ticket of this urgency would wait behind."""
        return await self.tickets.count(
            {"tenant_id": tenant_id, "status": "open", "priority_rank": {"$gte": priority_rank}}
        )

    async def find_tickets(
        self, tenant_id: str, filters: dict[str, Any], *, skip: int = 0, limit: int = 50
    ) -> tuple[list[Ticket], int]:
        query = {**filters, "tenant_id": tenant_id}
        docs = await self.tickets.find(query, sort=[("created_at", 1)], skip=skip, limit=limit)
        return [ticket_from_doc(d) for d in docs], await self.tickets.count(query)

    # configs
    async def get_config(self, tenant_id: str) -> dict[str, Any] | None:
        doc = await self.configs.get(tenant_id)
        if doc is None or doc.get("tenant_id") != tenant_id:
            return None
        # Configs saved before the contract named its fields in snake_case were stored in seed 002's camelCase.
        return {**doc, "config": snake_keys(doc["config"])}

    async def save_config(self, tenant_id: str, config: dict[str, Any], updated_at: str) -> None:
        await self.configs.upsert({"id": tenant_id, "tenant_id": tenant_id, "config": config, "updated_at": updated_at})

    # reviews
    async def insert_review(self, item: ReviewItem) -> None:
        await self._create(REVIEWS, review_doc(item))

    async def get_review(self, tenant_id: str, item_id: str) -> ReviewItem | None:
        staged = self._staged_doc(REVIEWS, scoped_id(tenant_id, item_id))
        doc = staged if staged is not None else await self._get_scoped(REVIEWS, tenant_id, item_id)
        return None if doc is None else review_from_doc(doc)

    async def claim_decision(self, item: ReviewItem) -> bool:
        """First decision wins atomically (unique id); False when the item was already decided."""
        decision = {name: getattr(item, name) for name in _DECISION_FIELDS}
        doc = {"id": scoped_id(item.tenant_id, item.item_id), "tenant_id": item.tenant_id, "item_id": item.item_id}
        return await self.decisions.insert_if_absent(doc | decision)

    async def save_review(self, item: ReviewItem) -> ReviewItem | None:
        doc = review_doc(item)
        updated = await self.reviews.update(doc.pop("id"), doc)
        return None if updated is None else review_from_doc(updated)

    async def count_queued_reviews_at_most(self, tenant_id: str, priority: int) -> int:
        """Queued items at least as urgent (1 = most urgent) that a new item would wait behind."""
        stored = await self.reviews.count({"tenant_id": tenant_id, "status": "queued", "priority": {"$lte": priority}})
        staged = [
            w.doc
            for w in _staging.writes() or ()
            if isinstance(w, Insert) and w.collection == REVIEWS and w.doc["tenant_id"] == tenant_id
        ]
        return stored + sum(d["status"] == "queued" and d["priority"] <= priority for d in staged)

    async def find_reviews(
        self, tenant_id: str, filters: dict[str, Any], *, skip: int = 0, limit: int = 50
    ) -> tuple[list[ReviewItem], int]:
        query = {**filters, "tenant_id": tenant_id}
        sort = [("priority", 1), ("created_at", 1)]
        docs = await self.reviews.find(query, sort=sort, skip=skip, limit=limit)
        return [review_from_doc(d) for d in docs], await self.reviews.count(query)
