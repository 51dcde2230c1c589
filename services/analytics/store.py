"""The analytics store: one fact document per counted event (its id is the event id) and the rollup queries."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from libs.store import DocumentStore
from libs.store.port import Filter
from services.analytics.domain import Fact, Granularity, iso

FACTS = "facts"
# The session facts that inherit the channel, test mark and start time of the session's `conversation` fact.
ENRICHED_KINDS = frozenset(
    {"resolved", "escalation", "closed", "abandoned", "message", "reply", "cache_hit", "rating", "ticket"}
)


@dataclass(frozen=True)
class Scope:
    """Which facts a query reads: one tenant, [start, end), optionally one session or one customer."""

    tenant_id: str
    start: datetime
    end: datetime
    session_id: str | None = None
    customer_id: str | None = None

    def filter(self, kind: str | None = None, **extra: Any) -> Filter:
        found: Filter = {"tenant_id": self.tenant_id, "at": {"$gte": iso(self.start), "$lt": iso(self.end)}}
        found["test"] = {"$ne": True}  # test sessions (seed 001 /api/test/*) never count
        if self.session_id is not None:
            found["session_id"] = self.session_id
        if self.customer_id is not None:
            found["customer_id"] = self.customer_id
        if kind is not None:
            found["kind"] = kind
        return found | extra


class FactStore:
    """Writes are idempotent per event id: the fact is the inbox record and the rollup contribution in one
    document, so a redelivered event (same id) changes nothing, and a crash leaves it either counted or not."""

    def __init__(self, store: DocumentStore, *, remembered_sessions: int = 50_000) -> None:
        self._store = store
        self.facts = store.collection(FACTS)
        # (tenant, session) -> its `conversation` fact: facts never change, so a cached one is always right, and
        # a session's later events skip the lookup (it was half of each event's store time).
        self._opened: OrderedDict[tuple[str, str], dict[str, Any]] = OrderedDict()
        self._remember = remembered_sessions

    async def ensure_indexes(self) -> None:
        await self.facts.ensure_index(["tenant_id", "kind", "at"])
        await self.facts.ensure_index(["tenant_id", "session_id", "kind"])
        await self.facts.ensure_index(["tenant_id", "customer_id", "at"])

    async def record(self, fact: Fact) -> bool:
        """Store the fact once; False when this event id was counted before."""
        if fact.kind in ENRICHED_KINDS and fact.session_id:
            fact = await self._with_session(fact)
        return await self.facts.insert_if_absent(fact.to_doc())

    async def _with_session(self, fact: Fact) -> Fact:
        """Copy the session's channel and test mark, and measure time since it opened: the session's events share
        one key, so its `conversation` fact was stored first, on replays too."""
        opened = await self._opening(fact.tenant_id, fact.session_id or "")
        if opened is None:
            return fact
        since = (fact.at - datetime.fromisoformat(opened["at"])).total_seconds()
        inherited = {"channel": opened.get("channel"), "test": opened.get("test"), "since_open_s": max(since, 0.0)}
        return replace(fact, values=fact.values | inherited)

    async def _opening(self, tenant_id: str, session_id: str) -> dict[str, Any] | None:
        key = (tenant_id, session_id)
        found = self._opened.get(key)
        if found is not None:
            self._opened.move_to_end(key)
            return found
        found = await self.facts.find_one({"tenant_id": tenant_id, "session_id": session_id, "kind": "conversation"})
        if found is not None:
            self._opened[key] = found
            if len(self._opened) > self._remember:
                self._opened.popitem(last=False)
        return found

    async def drop_all(self) -> int:
        """Forget every fact (rebuild): the replay stores them again."""
        return await self.facts.delete_many({})

    async def count(self, flt: Filter) -> int:
        return await self.facts.count(flt)

    async def count_by(self, field: str, flt: Filter) -> dict[str, int]:
        return {str(k): n for k, n in (await self.facts.count_by(field, flt)).items() if k is not None}

    async def total(self, field: str, flt: Filter) -> float:
        return await self.facts.aggregate(field, "sum", flt) or 0.0

    async def mean(self, field: str, flt: Filter) -> float | None:
        return await self.facts.aggregate(field, "avg", flt)

    async def sessions(self, flt: Filter, by: Granularity | None = None) -> dict[str, set[str]]:
        """Distinct session ids among matching facts, per bucket when `by` is given (else under "")."""
        out: dict[str, set[str]] = {}
        for doc in await self.find_all(flt):
            if doc.get("session_id"):
                out.setdefault(doc[by] if by else "", set()).add(doc["session_id"])
        return out

    async def latest(self, flt: Filter) -> str | None:
        """The time of the newest matching fact."""
        docs = await self.facts.find(flt, sort=[("at", -1)], limit=1)
        return str(docs[0]["at"]) if docs else None

    async def find(self, flt: Filter, *, limit: int) -> list[dict[str, Any]]:
        return await self.facts.find(flt, sort=[("at", 1)], limit=limit)

    async def find_all(self, flt: Filter, page: int = 5000) -> list[dict[str, Any]]:
        """Every matching fact, oldest first, read in pages (a large find would hold the event loop)."""
        out: list[dict[str, Any]] = []
        while True:
            docs = await self.facts.find(flt, sort=[("at", 1)], skip=len(out), limit=page)
            out.extend(docs)
            if len(docs) < page:
                return out
