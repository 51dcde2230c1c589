"""The analytics store: one fact document per counted event (its id is the event id: the "event seen" record) and
the hour/day/month rollups it adds to, written together in one atomic commit per batch of events."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from libs.errors import Conflict, NotFound
from libs.store import Collection, DocumentStore
from libs.store.port import Filter, Insert, Update, Write
from services.analytics import epoch
from services.analytics.domain import Fact, iso
from services.analytics.durable import BREAKS, broken_resolutions
from services.analytics.edges import EdgeCache
from services.analytics.rollup_writer import ROLLUPS, SESSIONS, RollupWriter
from services.analytics.rollups import Level

FACTS = "facts"
DEFAULT_WINDOW = timedelta(days=7)
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

    def __init__(
        self,
        store: DocumentStore,
        *,
        remembered_sessions: int = 4096,
        writer: str | None = None,
        window: timedelta = DEFAULT_WINDOW,
    ) -> None:
        self._store = store
        self.facts = store.collection(FACTS)
        self.rollup_docs = store.collection(ROLLUPS)
        self.states = store.collection(SESSIONS)
        self.breaks = store.collection(BREAKS)
        self.meta = store.collection(epoch.META)
        self._epoch: str | None = None  # the epoch this writer's remembered rollup rows belong to (epoch.py)
        self.window = window  # of durable resolutions (durable.py); a new window needs a rebuild
        # This process's own rollup rows are read, added to and replaced: one batch at a time here; other
        # processes write rows of their own (rollup_writer.py).
        self._writing = asyncio.Lock()
        self.writer = RollupWriter(store, writer=writer)
        # (tenant, session) -> its `conversation` fact: facts never change, so a cached one is always right, and
        # a session's later events skip the lookup (it was half of each event's store time). Bounded to recent
        # sessions, whose events are the ones still arriving: 50,000 whole facts grew a 10-minute soak by 17 %.
        self._opened: OrderedDict[tuple[str, str], dict[str, Any]] = OrderedDict()
        self._remember = remembered_sessions
        self.edges = EdgeCache()  # past periods' partial edge hours, per revisions of their rows (edges.py)

    async def ensure_indexes(self) -> None:
        await self.facts.ensure_index(["tenant_id", "kind", "at"])
        await self.facts.ensure_index(["tenant_id", "session_id", "kind"])
        await self.facts.ensure_index(["tenant_id", "customer_id", "at"])
        await self.facts.ensure_index(["tenant_id", "customer_id", "kind"])
        await self.rollup_docs.ensure_index(["tenant_id", "level", "start"])
        await self.states.ensure_index(["tenant_id", "opened"])
        await self.breaks.ensure_index(["tenant_id", "at"])

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
                except (Conflict, NotFound):  # another writer stored one of these ids, or a rebuild fenced us
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
            token = await epoch.enter(self.meta, self.writer.writer)  # before the epoch is read (epoch.py)
            try:
                await self._commit(fresh)
            finally:
                await epoch.leave(self.meta, token)
            for doc in fresh.values():
                if doc["kind"] == "conversation" and doc.get("session_id"):
                    self._remember_opening(doc)
        return stored

    async def _commit(self, fresh: dict[str, dict[str, Any]]) -> None:
        writes: list[Write] = [Insert(FACTS, doc) for doc in fresh.values()]
        broken = await broken_resolutions(self.facts, self.breaks, fresh.values(), self.window)
        writes += [Insert(BREAKS, {"id": d["id"], "tenant_id": d["tenant_id"], "at": d["at"]}) for d in broken]
        writes.append(await self._fence())
        try:
            await self._store.commit(writes + await self.writer.writes(fresh.values(), broken))
        except BaseException:
            self.writer.forget()
            raise

    async def _fence(self) -> Update:
        """The epoch check this batch commits with: refused once a rebuild has dropped the store since."""
        current = await epoch.current(self.meta)
        if current["id"] != self._epoch:
            self.writer.forget()  # the rows remembered from another epoch were dropped
            self._epoch = current["id"]
        return Update(epoch.META, current["id"], {"last_commit": datetime.now(UTC).isoformat()})

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
        self._opened[(doc["tenant_id"], doc["session_id"])] = doc
        if len(self._opened) > self._remember:
            self._opened.popitem(last=False)

    async def drop_all(self) -> int:
        """Forget every fact and rollup (rebuild): the replay stores them again. Live writers are fenced for
        the while (epoch.py) and go on afterwards beside the replay."""
        fence = await epoch.begin(self.meta)
        if not await epoch.settle(self.meta):  # a writer died mid-batch: finish its journaled commit first
            await self._store.recover()
        self._opened.clear()
        self.edges.clear()
        self.writer.forget()
        await self.rollup_docs.delete_many({})
        await self.states.delete_many({})
        await self.breaks.delete_many({})
        dropped = await self.facts.delete_many({})
        await epoch.ready(self.meta, fence)
        return dropped

    async def rollups(self, tenant_id: str, level: Level, lo: datetime, hi: datetime) -> list[dict[str, Any]]:
        """The tenant's rollup documents of `level` starting in [lo, hi)."""
        flt = {"tenant_id": tenant_id, "level": level, "start": {"$gte": iso(lo), "$lt": iso(hi)}}
        return await _paged(self.rollup_docs, flt, "start", 1000)

    async def opened_sessions(self, tenant_id: str, lo: datetime, hi: datetime) -> list[dict[str, Any]]:
        """The state rows of the tenant's sessions opened in [lo, hi) (a period's partial edge hours)."""
        flt = {"tenant_id": tenant_id, "opened": {"$gte": iso(lo), "$lt": iso(hi)}}
        return await _paged(self.states, flt, "opened", 1000)

    async def count(self, flt: Filter) -> int:
        return await self.facts.count(flt)

    async def count_by(self, field: str, flt: Filter) -> dict[str, int]:
        return {str(k): n for k, n in (await self.facts.count_by(field, flt)).items() if k is not None}

    async def total(self, field: str, flt: Filter) -> float:
        return await self.facts.aggregate(field, "sum", flt) or 0.0

    async def mean(self, field: str, flt: Filter) -> float | None:
        return await self.facts.aggregate(field, "avg", flt)

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
        if any(isinstance(flt.get(f), str) for f in ("session_id", "customer_id")):
            # One session's or customer's facts: read them all through the (tenant, session|customer, kind)
            # index, keep the period and sort here. With the period or an ORDER BY on the time in the query,
            # SQLite picks the (tenant, kind, at) index instead and walks every fact of the kind.
            period = flt.get("at") or {}
            docs = await self.facts.find({k: v for k, v in flt.items() if k != "at"})
            return sorted((d for d in docs if _within(d["at"], period)), key=lambda d: (d["at"], d["id"]))
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


_COMPARE = {"$gte": str.__ge__, "$gt": str.__gt__, "$lt": str.__lt__, "$lte": str.__le__}


def _within(at: str, period: dict[str, str]) -> bool:
    return all(_COMPARE[op](at, bound) for op, bound in period.items())


async def _paged(collection: Collection, flt: Filter, order: str, page: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    while True:
        docs = await collection.find(flt, sort=[(order, 1)], skip=len(out), limit=page)
        out.extend(docs)
        if len(docs) < page:
            return out
