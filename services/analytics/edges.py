"""A period's partial edge hours (a past period ending mid-hour: the rest of its hour holds facts, so the hour rows
do not fit) are accumulated from their facts and the state rows of the sessions opened there. That read is most of
such a report's time (~15 ms at 10^6 events over 30 days), and a two-report endpoint (/api/status,
/admin/analytics/system) asks for the same edge twice, a dashboard again on every refresh.

So the accumulated edge is cached per (tenant, edge, granularity) together with the *revisions* of the hour rows
that cover it (`rev`, new on every rewrite: rollup_writer.py). Every counted fact of those hours and every moved
contribution of a session opened there rewrites one of those rows, so while their revisions are the same, the
edge's facts and states are too; any change (a late event, a rebuild's drop) gives other revisions and the edge
is read again. The revisions are read before the facts, and a commit writes facts and states before the rows, so
a cached edge is never older than the revisions it is filed under.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime
from typing import TYPE_CHECKING, Any

from services.analytics.cohort import COHORT, contribution
from services.analytics.domain import FACT_KINDS, Granularity, bucket_start, iso
from services.analytics.durable import DURABLE
from services.analytics.rollups import Cells, contribute, merge, next_start

if TYPE_CHECKING:
    from services.analytics.store import FactStore, Scope

Edge = tuple[dict[str, Cells], str | None]  # cells per bucket of the granularity, the newest fact's time
Revisions = tuple[tuple[str, int], ...]


class EdgeCache:
    """The last `size` edges read, each with the revisions it was read at."""

    def __init__(self, size: int = 256) -> None:
        self._entries: OrderedDict[tuple[str, ...], tuple[Revisions, Edge]] = OrderedDict()
        self._size = size

    def get(self, key: tuple[str, ...], revisions: Revisions) -> Edge | None:
        found = self._entries.get(key)
        if found is None or found[0] != revisions:
            return None
        self._entries.move_to_end(key)
        return found[1]

    def put(self, key: tuple[str, ...], revisions: Revisions, edge: Edge) -> None:
        self._entries[key] = (revisions, edge)
        self._entries.move_to_end(key)
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()


async def edge_cells(facts: FactStore, scope: Scope, lo: datetime, hi: datetime, by: Granularity) -> Edge:
    """The cells of [lo, hi) (shorter than an hour, within at most two hours) per bucket of `by`. The returned
    cells may be shared with the cache: merge them into others, never change them."""
    rows = await facts.rollups(scope.tenant_id, "hour", bucket_start(lo, "hour"), hi)
    revisions = None  # rows written before revisions existed: no cache
    if all("rev" in row for row in rows):
        revisions = tuple(sorted((str(row["id"]), int(row["rev"])) for row in rows))
    key = (scope.tenant_id, iso(lo), iso(hi), by)
    cached = facts.edges.get(key, revisions) if revisions is not None else None
    if cached is not None:
        return cached
    rest = _rest_of_hour(lo, hi)
    if rest is not None and sum((b - a).total_seconds() for a, b in rest) < (hi - lo).total_seconds():
        edge = await _hour_minus_rest(facts, scope, (lo, hi), by, rows, rest)
    else:
        edge = await _read_edge(facts, scope, lo, hi, by)
    if revisions is not None:
        facts.edges.put(key, revisions, edge)
    return edge


async def _read_edge(facts: FactStore, scope: Scope, lo: datetime, hi: datetime, by: Granularity) -> Edge:
    buckets: dict[str, Cells] = {}
    last: str | None = None
    period = {"at": {"$gte": iso(lo), "$lt": iso(hi)}, "kind": {"$in": list(FACT_KINDS)}}
    for doc in await facts.find_all(scope.filter() | period):
        contribute(buckets.setdefault(doc[by], {}), doc)
        last = max(last or doc["at"], doc["at"])
    for state in await facts.opened_sessions(scope.tenant_id, lo, hi):
        key = iso(bucket_start(datetime.fromisoformat(state["opened"]), by))
        cell = buckets.setdefault(key, {}).setdefault(COHORT, {"n": 0, "sum": {}, "by": {}})
        for name, value in contribution(state).items():
            cell["sum"].setdefault(name, [0, 0])[0] += value
    return buckets, last


def _rest_of_hour(lo: datetime, hi: datetime) -> list[tuple[datetime, datetime]] | None:
    """The parts of [lo, hi)'s hour outside it; None when [lo, hi) is not inside one hour."""
    start = bucket_start(lo, "hour")
    end = next_start(start, "hour")
    if hi > end:
        return None
    return [(a, b) for a, b in ((start, lo), (hi, end)) if a < b]


async def _hour_minus_rest(
    facts: FactStore,
    scope: Scope,
    edge: tuple[datetime, datetime],
    by: Granularity,
    rows: list[dict[str, Any]],
    rest: list[tuple[datetime, datetime]],
) -> Edge:
    """The edge as its whole hour (the rows) minus the facts and sessions of the rest of the hour, when the rest is
    the shorter part: cells add up, so they subtract too (counts exactly; sums to float noise, which the report
    rounds away as it does for sums added in another order)."""
    cells: Cells = {}
    for row in rows:
        merge(cells, row["kinds"])
    cells.pop(DURABLE, None)  # broken resolutions are counted from the breaks, not from these cells
    for a, b in rest:
        for other in (await _read_edge(facts, scope, a, b, by))[0].values():
            _subtract(cells, other)
    lo, hi = edge
    last = await facts.latest(
        scope.filter() | {"at": {"$gte": iso(lo), "$lt": iso(hi)}, "kind": {"$in": list(FACT_KINDS)}}
    )
    return ({iso(bucket_start(lo, by)): cells} if cells else {}), last


def _subtract(into: Cells, other: Cells) -> None:
    """into - other, then what no fact of the edge holds any more is removed (the facts would not have made it)."""
    for kind, cell in other.items():
        mine = into.setdefault(kind, {"n": 0, "sum": {}, "by": {}})
        mine["n"] -= cell["n"]
        _subtract_sums(mine["sum"], cell["sum"])
        for field, values in cell["by"].items():
            per_value = mine["by"].setdefault(field, {})
            for value, sub in values.items():
                target = per_value.setdefault(value, {"n": 0, "sum": {}})
                target["n"] -= sub["n"]
                _subtract_sums(target["sum"], sub["sum"])
    for kind in [k for k in into if k != COHORT]:
        cell = into[kind]
        if cell["n"] <= 0:
            del into[kind]
            continue
        cell["sum"] = {f: pair for f, pair in cell["sum"].items() if pair[1] > 0}
        for field, values in list(cell["by"].items()):
            kept = {v: sub | {"sum": {f: p for f, p in sub["sum"].items() if p[1] > 0}}
                    for v, sub in values.items() if sub["n"] > 0}  # fmt: skip
            cell["by"][field] = kept


def _subtract_sums(into: dict[str, list[float]], other: dict[str, list[float]]) -> None:
    for field, (total, count) in other.items():
        entry = into.setdefault(field, [0, 0])
        entry[0] -= total
        entry[1] -= count


def merged_last(last: str | None, other: str | None) -> str | None:
    return other if last is None else last if other is None else max(last, other)
