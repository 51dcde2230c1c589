"""The analytics store: one fact document per counted event (its id is the event id: the "event seen" record) and
the hour/day/month rollups it adds to, written together in one atomic commit per batch of events."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from libs.errors import Conflict
from libs.store import Collection, DocumentStore
from libs.store.port import Filter, Insert, Upsert, Write
from services.analytics.domain import Fact, Granularity, bucket_start, iso
from services.analytics.rollups import ROLLUP_LEVELS, Level, contribute, merge, rollup_id

FACTS = "facts"
ROLLUPS = "rollups"
# The session facts that inherit the channel, test mark and start time of the session's `conversation` fact.
ENRICHED_KINDS = frozenset(
    {"resolved", "escalation", "closed", "abandoned", "message", "reply", "cache_hit", "rating", "ticket"}
)
INHERITED = ("at", "channel", "test")  # what they take from it (all the session cache keeps)


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

    def __init__(self, store: DocumentStore, *, remembered_sessions: int = 4096) -> None:
        self._store = store
        self.facts = store.collection(FACTS)
        self.rollup_docs = store.collection(ROLLUPS)
        # Rollups are read, added to and replaced: one batch at a time in this process (README: single writer).
        self._writing = asyncio.Lock()
        # The rollup documents this process wrote last, as written: the next batch adds to them without reading
        # them back (single writer); forgotten when a commit fails, since then they were not written.
        self._recent: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._remember_rollups = 64
        # (tenant, session) -> what later events inherit from its `conversation` fact: facts never change, so a
        # cached one is always right, and a session's later events skip the lookup (it was half of each event's
        # store time). Bounded to recent sessions, whose events are the ones still arriving: a soak opening a
        # session per turn grew the process by 17 % while this held 50,000 whole facts.
        self._opened: OrderedDict[tuple[str, str], dict[str, Any]] = OrderedDict()
        self._remember = remembered_sessions

    async def ensure_indexes(self) -> None:
        await self.facts.ensure_index(["tenant_id", "kind", "at"])
        await self.facts.ensure_index(["tenant_id", "session_id", "kind"])
        await self.facts.ensure_index(["tenant_id", "customer_id", "at"])
        await self.rollup_docs.ensure_index(["tenant_id", "level", "start"])

    async def record(self, fact: Fact) -> bool:
        """Store the fact once; False when this event id was counted before."""
        return (await self.record_many([fact]))[0]

    async def record_many(self, batch: Sequence[Fact], attempts: int = 3) -> list[bool]:
        """Store the facts whose event ids are new, and add them to their rollups, in ONE commit: an event is
        counted everywhere or nowhere. True per fact stored, False for one counted before (or twice in `batch`)."""
        async with self._writing:
            for attempt in range(attempts):
                try:
                    return await self._record_many(batch)
                except Conflict:  # another writer stored one of these ids meanwhile: look again
                    if attempt == attempts - 1:
                        raise
        raise AssertionError("unreachable")

    async def _record_many(self, batch: Sequence[Fact]) -> list[bool]:
        docs = [(await self._enriched(fact)).to_doc() for fact in batch]
        ids = [doc["id"] for doc in docs]
        seen = {doc["id"] for doc in await self.facts.find({"id": {"$in": ids}}, limit=len(ids))}
        fresh: dict[str, dict[str, Any]] = {}
        stored = []
        for doc in docs:
            new = doc["id"] not in seen and doc["id"] not in fresh
            if new:
                fresh[doc["id"]] = doc
            stored.append(new)
        if fresh:
            writes: list[Write] = [Insert(FACTS, doc) for doc in fresh.values()]
            try:
                await self._store.commit(writes + await self._rollup_writes(fresh.values()))
            except BaseException:
                self._recent.clear()
                raise
            for doc in fresh.values():
                if doc["kind"] == "conversation" and doc.get("session_id"):
                    self._remember_opening(doc)
        return stored

    async def _rollup_writes(self, docs: Iterable[dict[str, Any]]) -> list[Write]:
        """The hour, day and month rollups these facts add to, as whole documents (a replayed commit journal
        then writes the same values again: idempotent). Test sessions never count, so they add nothing. Each
        fact is accumulated once into its hour; the hours are then added to their day and month."""
        hours: dict[str, dict[str, Any]] = {}
        for doc in docs:
            if doc.get("test"):
                continue
            start = bucket_start(datetime.fromisoformat(doc["at"]), "hour")
            hour = hours.setdefault(
                rollup_id(doc["tenant_id"], "hour", start), _empty_rollup(doc["tenant_id"], "hour", start)
            )
            contribute(hour["kinds"], doc)
            hour["last"] = max(hour["last"] or doc["at"], doc["at"])
        deltas = dict(hours)
        for hour in hours.values():
            at = datetime.fromisoformat(hour["start"])
            for level in ROLLUP_LEVELS[1:]:
                rid = rollup_id(hour["tenant_id"], level, bucket_start(at, level))
                _add_rollup(
                    deltas.setdefault(rid, _empty_rollup(hour["tenant_id"], level, bucket_start(at, level))), hour
                )
        writes: list[Write] = []
        for rid, delta in deltas.items():
            current = self._recent.pop(rid, None) or await self.rollup_docs.get(rid)
            if current is not None:
                _add_rollup(current, delta)
            self._recent[rid] = current or delta
            writes.append(Upsert(ROLLUPS, current or delta))
        while len(self._recent) > self._remember_rollups:
            self._recent.popitem(last=False)
        return writes

    async def _enriched(self, fact: Fact) -> Fact:
        if fact.kind in ENRICHED_KINDS and fact.session_id:
            return await self._with_session(fact)
        return fact

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
            self._remember_opening(found)
        return found

    def _remember_opening(self, doc: dict[str, Any]) -> None:
        self._opened[(doc["tenant_id"], doc["session_id"])] = {k: doc.get(k) for k in INHERITED}
        if len(self._opened) > self._remember:
            self._opened.popitem(last=False)

    async def drop_all(self) -> int:
        """Forget every fact and rollup (rebuild): the replay stores them again."""
        self._opened.clear()
        self._recent.clear()
        await self.rollup_docs.delete_many({})
        return await self.facts.delete_many({})

    async def rollups(self, tenant_id: str, level: Level, lo: datetime, hi: datetime) -> list[dict[str, Any]]:
        """The tenant's rollup documents of `level` starting in [lo, hi)."""
        flt = {"tenant_id": tenant_id, "level": level, "start": {"$gte": iso(lo), "$lt": iso(hi)}}
        return await _paged(self.rollup_docs, flt, "start", 1000)

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
        """Every matching fact, oldest first, read in pages (a large find would hold the event loop). Pages
        continue from the last time read (keyset), not by skipping what was read: skipping re-reads every
        earlier page, quadratic in the period's facts."""
        out: list[dict[str, Any]] = []
        period = dict(flt.get("at") or {})
        after, same = None, 0  # the last time read, and how many facts at exactly that time were read
        while True:
            at = period | {"$gte": after} if after is not None else period
            docs = await self.facts.find(flt | ({"at": at} if at else {}), sort=[("at", 1)], skip=same, limit=page)
            out.extend(docs)
            if len(docs) < page:
                return out
            last = docs[-1]["at"]
            same = (same if last == after else 0) + sum(1 for doc in docs if doc["at"] == last)
            after = last


def _add_rollup(into: dict[str, Any], other: dict[str, Any]) -> None:
    merge(into["kinds"], other["kinds"])
    into["last"] = max(into["last"] or other["last"], other["last"])


def _empty_rollup(tenant_id: str, level: Level, start: datetime) -> dict[str, Any]:
    return {"id": rollup_id(tenant_id, level, start), "tenant_id": tenant_id, "level": level, "start": iso(start),
            "last": None, "kinds": {}}  # fmt: skip


async def _paged(collection: Collection, flt: Filter, order: str, page: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    while True:
        docs = await collection.find(flt, sort=[(order, 1)], skip=len(out), limit=page)
        out.extend(docs)
        if len(docs) < page:
            return out
