"""The rollup and session-state writes of one batch of new facts, as whole documents for the batch's commit.

**One set of rollup rows per writer.** Every process that stores facts (a live replica, a rebuild) writes its
own rollup documents, `<tenant>|<level>|<start>|<writer>`, and readers add up every writer's rows of a bucket.
A row therefore has exactly one writer, which may read it, add to it and write it whole (a replayed MongoDB
commit journal then writes the same values again: idempotent) without losing another process's increments,
on SQLite and MongoDB alike, with no conditional update in the store. The writer keeps the rows it wrote last
in memory, so the next batch adds to them without reading them back.

**Session states** (`cohort.py`) are one row per session, read for the batch in one query and written in the
same commit. A session's events share one key, hence one partition, which one consumer of a group owns: two
replicas never update the same session row at once (README: more than one writer).
"""

from __future__ import annotations

import time
import uuid
from collections import OrderedDict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from libs.store import DocumentStore
from libs.store.port import Upsert, Write
from services.analytics import cohort
from services.analytics.domain import bucket_start, iso
from services.analytics.durable import DURABLE
from services.analytics.rollups import ROLLUP_LEVELS, Level, contribute, merge, rollup_id

ROLLUPS = "rollups"
SESSIONS = "sessions"


class RollupWriter:
    def __init__(self, store: DocumentStore, *, writer: str | None = None, remember: int = 1024) -> None:
        # A fresh id per process by default: rows of a crashed process are never written again, only read.
        self.writer = writer or uuid.uuid4().hex[:12]
        self.rollup_docs = store.collection(ROLLUPS)
        self.states = store.collection(SESSIONS)
        self._recent: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._rev = 0
        self._remember = remember

    def forget(self) -> None:
        """After a failed commit (nothing was written) or a drop: read the rows back next time."""
        self._recent.clear()

    async def writes(self, docs: Iterable[dict[str, Any]], broken: Iterable[dict[str, Any]] = ()) -> list[Write]:
        """Rollup rows and session states changed by these new facts. Test sessions add nothing to rollups.
        Each fact is accumulated once into its hour (its session's transitions into the opening hour); the
        hours are then added to their day and month."""
        docs = list(docs)
        hours: dict[str, dict[str, Any]] = {}
        for doc in docs:
            if not doc.get("test"):
                hour = self._hour(hours, doc["tenant_id"], doc["at"])
                contribute(hour["kinds"], doc)
                hour["last"] = max(hour["last"] or doc["at"], doc["at"])
        state_writes = await self._session_transitions(docs, hours)
        for resolution in broken:  # durable.py: one less durable resolution in its hour
            cell = self._hour(hours, resolution["tenant_id"], resolution["at"])["kinds"]
            _add_to(cell.setdefault(DURABLE, {"n": 0, "sum": {}, "by": {}}), "broken", 1)
        deltas = dict(hours)
        finer = hours
        for level in ROLLUP_LEVELS[1:]:  # hours into their days, the days (a few) into their months
            coarser: dict[str, dict[str, Any]] = {}
            for part in finer.values():
                start = bucket_start(datetime.fromisoformat(part["start"]), level)
                rid = self._row_id(part["tenant_id"], level, start)
                add_rollup(coarser.setdefault(rid, self._empty(part["tenant_id"], level, start)), part)
            deltas |= coarser
            finer = coarser
        writes: list[Write] = []
        for rid, delta in deltas.items():
            current = self._recent.pop(rid, None) or await self.rollup_docs.get(rid)
            if current is not None:
                add_rollup(current, delta)
            # A new revision on every rewrite, never reused (not after a rebuild's drop, nor by a restarted
            # process: it starts from the clock): readers cache what a set of revisions held (rollup_view.py).
            self._rev = max(self._rev + 1, time.time_ns())
            (current or delta)["rev"] = self._rev
            self._recent[rid] = current or delta
            writes.append(Upsert(ROLLUPS, current or delta, trusted=True))
        while len(self._recent) > self._remember:
            self._recent.popitem(last=False)
        # States before rows: a reader that sees a row's new revision finds the batch's states written too (MongoDB
        # applies a commit's writes in order; rollup_view.py caches an edge hour per set of revisions).
        return state_writes + writes

    async def _session_transitions(self, docs: list[dict[str, Any]], hours: dict[str, dict[str, Any]]) -> list[Write]:
        """Fold the facts into their sessions' states; what each session's contribution moved by goes to the
        `cohort` cell of its opening hour."""
        tracked = [d for d in docs if d["kind"] in cohort.TRACKED and d.get("session_id")]
        if not tracked:
            return []
        ids = list({cohort.state_id(d["tenant_id"], d["session_id"]) for d in tracked})
        states = {s["id"]: s for s in await self.states.find({"id": {"$in": ids}}, limit=len(ids))}
        before = {sid: cohort.contribution(s) for sid, s in states.items()}
        for doc in tracked:
            sid = cohort.state_id(doc["tenant_id"], doc["session_id"])
            state = states.setdefault(sid, cohort.new_state(doc["tenant_id"], doc["session_id"]))
            cohort.apply(state, doc)
        for sid, state in states.items():
            moved = cohort.difference(cohort.contribution(state), before.get(sid, {}))
            if moved:
                hour = self._hour(hours, state["tenant_id"], state["opened"])
                cell = hour["kinds"].setdefault(cohort.COHORT, {"n": 0, "sum": {}, "by": {}})
                for name, delta in moved.items():
                    _add_to(cell, name, delta)
        return [Upsert(SESSIONS, state, trusted=True) for state in states.values()]

    def _hour(self, hours: dict[str, dict[str, Any]], tenant_id: str, at: str) -> dict[str, Any]:
        start = _hour_start(at)
        rid = self._row_id(tenant_id, "hour", start)
        found = hours.get(rid)
        if found is None:
            found = hours[rid] = self._empty(tenant_id, "hour", start)
        return found

    def _row_id(self, tenant_id: str, level: Level, start: datetime) -> str:
        return f"{rollup_id(tenant_id, level, start)}|{self.writer}"

    def _empty(self, tenant_id: str, level: Level, start: datetime) -> dict[str, Any]:
        return {"id": self._row_id(tenant_id, level, start), "tenant_id": tenant_id, "level": level,
                "start": iso(start), "writer": self.writer, "last": None, "kinds": {}}  # fmt: skip


_HOURS: dict[str, datetime] = {}


def _hour_start(at: str) -> datetime:
    """The hour of a stored time (`iso`: fixed-width UTC, so its first 13 characters name the hour); parsed once
    per hour, not once per fact."""
    key = at[:13]
    found = _HOURS.get(key)
    if found is None:
        if len(_HOURS) > 100_000:  # bounded: a long-running writer sees ever new hours
            _HOURS.clear()
        found = _HOURS[key] = bucket_start(datetime.fromisoformat(at), "hour")
    return found


def _add_to(cell: dict[str, Any], name: str, delta: float) -> None:
    """A counter of a cell: its total moves, its "measured" count stays 0 (no mean is taken of it)."""
    cell["sum"].setdefault(name, [0, 0])[0] += delta


def add_rollup(into: dict[str, Any], other: dict[str, Any]) -> None:
    merge(into["kinds"], other["kinds"])
    if other["last"] is not None:
        into["last"] = max(into["last"] or other["last"], other["last"])
