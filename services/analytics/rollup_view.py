"""One tenant's period read from the rollups: the cells of the documents covering it, per bucket of the report's
granularity, and the partial edge hours from the facts. Per-session and per-customer scopes read their facts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from services.analytics.cohort import COHORT
from services.analytics.domain import FACT_KINDS, Granularity, bucket_start, iso
from services.analytics.edges import edge_cells, merged_last
from services.analytics.rollups import (
    Cells,
    Level,
    contribute,
    dimension,
    key_value,
    levels_for,
    merge,
    next_start,
    plan,
    value_key,
)
from services.analytics.store import FactStore, Scope


class RollupView:
    def __init__(self, buckets: dict[str, Cells], last: str | None) -> None:
        self.buckets = buckets
        self.last = last  # the time of the newest fact of the period

    @classmethod
    async def load(cls, facts: FactStore, scope: Scope, by: Granularity, *, rollups: bool = True) -> RollupView:
        """`rollups=False` accumulates every fact of the period instead (the reference the tests and the bench
        compare with)."""
        buckets: dict[str, Cells] = {}
        last: str | None = None
        narrow = scope.session_id is not None or scope.customer_id is not None or not rollups
        pieces = [(None, scope.start, scope.end)] if narrow else _per_hour(plan(scope.start, scope.end, levels_for(by)))
        for level, lo, hi in pieces:
            if level is None and not narrow and await _nothing_after(facts, scope, lo, hi):
                level, hi = "hour", next_start(lo, "hour")  # a period ending "now": its last hour is whole so far
            if level is None and not narrow:  # a partial edge hour: its facts and sessions (edges.py)
                cells, edge_last = await edge_cells(facts, scope, lo, hi, by)
                for key, cell in cells.items():
                    merge(buckets.setdefault(key, {}), cell)
                last = merged_last(last, edge_last)
                continue
            if level is None:
                edge = {"at": {"$gte": iso(lo), "$lt": iso(hi)}, "kind": {"$in": list(FACT_KINDS)}}
                for doc in await facts.find_all(scope.filter() | edge):
                    contribute(buckets.setdefault(doc[by], {}), doc)
                    last = max(last or doc["at"], doc["at"])
                continue
            for doc in await facts.rollups(scope.tenant_id, level, lo, hi):
                key = iso(bucket_start(datetime.fromisoformat(doc["start"]), by))
                merge(buckets.setdefault(key, {}), doc["kinds"])
                if doc["last"] is not None:  # None: the row holds only later transitions of its sessions
                    last = max(last or doc["last"], doc["last"])
        return cls(buckets, last)

    def cohort_sums(self, bucket: str | None = None) -> dict[str, float]:
        """The `cohort` cells' totals (cohort.contribution's names) over the period or one bucket."""
        out: dict[str, float] = {}
        for _, _, sums in self._cells(COHORT, bucket, {}):
            for name, (total, _) in sums.items():
                out[name] = out.get(name, 0.0) + total
        return out

    def _cells(self, kind: str, bucket: str | None, eq: dict[str, Any]) -> Iterator[tuple[str, int, dict[str, Any]]]:
        """(bucket, count, sums) of the cells of `kind` matching at most one category filter `eq`."""
        for key, cells in self.buckets.items():
            cell = cells.get(kind)
            if cell is None or (bucket is not None and key != bucket):
                continue
            if not eq:
                yield key, cell["n"], cell["sum"]
                continue
            ((field, value),) = eq.items()
            sub = cell["by"].get(dimension(kind, field), {}).get(value_key(value))
            if sub is not None:
                yield key, sub["n"], sub["sum"]

    def count(self, kind: str, bucket: str | None = None, **eq: Any) -> int:
        return sum(n for _, n, _ in self._cells(kind, bucket, eq))

    def measured(self, field: str, kind: str) -> int:
        """How many facts of `kind` hold a number in `field`."""
        return int(sum(sums.get(field, (0, 0))[1] for _, _, sums in self._cells(kind, None, {})))

    def total(self, field: str, kind: str, **eq: Any) -> float:
        return sum(sums.get(field, (0, 0))[0] for _, _, sums in self._cells(kind, None, eq))

    def mean(self, field: str, kind: str, bucket: str | None = None, **eq: Any) -> float | None:
        total, count = 0.0, 0
        for _, _, sums in self._cells(kind, bucket, eq):
            value, n = sums.get(field, (0, 0))
            total, count = total + value, count + int(n)
        return total / count if count else None

    def count_by(self, field: str, kind: str) -> dict[str, int]:
        out: dict[str, int] = {}
        for cells in self.buckets.values():
            for value, sub in cells.get(kind, {}).get("by", {}).get(dimension(kind, field), {}).items():
                out[key_value(value)] = out.get(key_value(value), 0) + sub["n"]
        return {k: n for k, n in out.items() if n}

    def per_bucket(self, kind: str, **eq: Any) -> dict[str, int]:
        out: dict[str, int] = {}
        for key, n, _ in self._cells(kind, None, eq):
            out[key] = out.get(key, 0) + n
        return {k: n for k, n in out.items() if n}


def _per_hour(pieces: list[tuple[Level | None, datetime, datetime]]) -> list[tuple[Level | None, datetime, datetime]]:
    """An edge piece across an hour boundary (shorter than an hour: 09:17-10:17) split at it, so each part is one
    hour's edge: the part ending "now" reads its hour rows, and equal parts of several reports share one cached
    edge (/api/status asks for 1 day and 1 hour up to the same end)."""
    out: list[tuple[Level | None, datetime, datetime]] = []
    for level, lo, hi in pieces:
        while level is None and next_start(bucket_start(lo, "hour"), "hour") < hi:
            cut = next_start(bucket_start(lo, "hour"), "hour")
            out.append((None, lo, cut))
            lo = cut
        out.append((level, lo, hi))
    return out


async def _nothing_after(facts: FactStore, scope: Scope, lo: datetime, hi: datetime) -> bool:
    """A partial hour starting on the hour whose rest holds no fact (a period ending now): its hour rows are
    exactly its cells, so they are read instead of its facts."""
    if lo != bucket_start(lo, "hour"):
        return False
    rest = {"at": {"$gte": iso(hi), "$lt": iso(next_start(lo, "hour"))}, "kind": {"$in": list(FACT_KINDS)}}
    return not await facts.facts.find(scope.filter() | rest, limit=1)
