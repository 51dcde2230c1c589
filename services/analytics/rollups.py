"""Pre-aggregated rollups: per tenant, one document per UTC hour, day and month holding what its facts add up to.

A rollup document is `{"id", "tenant_id", "level", "start", "last", "kinds": {kind: Cell}}` where a Cell is
`{"n": events, "sum": {field: [total, count]}, "by": {field: {value: {"n", "sum"}}}}`: counts per kind, sums (and
how many facts held a number, for means) per numeric field, and the same per value of each categorical field
(tier, channel, reason, model, sentiment label, CS level ...). Only the numeric fields a view filters by a
category are summed per value (`CROSS_SUMS`), which keeps the documents small. Cells merge by addition, so a
period is answered by adding the cells of the documents that cover it (`plan`), plus the facts of its
partial edge hours accumulated the same way.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal

from services.analytics.domain import bucket_start, iso

Level = Literal["hour", "day", "month"]
ROLLUP_LEVELS: tuple[Level, ...] = ("hour", "day", "month")
Cells = dict[str, dict[str, Any]]  # kind -> Cell

# Fact fields that are identity or time, never summed.
_NOT_MEASURES = frozenset({"id", "tenant_id", "kind", "at", "session_id", "customer_id"})
# The categories each kind is counted by: those the views group or filter by (report.py). Keeping only these
# keeps the documents small; a view asking for another one is a programming error (`dimension` raises).
DIMENSIONS: dict[str, tuple[str, ...]] = {
    "conversation": ("channel",),
    "message": ("sentiment_label", "cs_level", "weekday", "irate"),
    "reply": ("model", "model_provider", "issue", "agent", "ai_generated", "degraded"),
    "resolved": ("tier", "channel", "ai_resolved"),
    "escalation": ("reason", "to_tier"),
}
# Numeric fields the views average or sum per category value (report.groups, models, issues).
CROSS_SUMS: dict[str, tuple[str, ...]] = {
    "reply": ("tokens_input", "tokens_output", "cost_usd", "turn_sentiment"),
    "resolved": ("duration_s",),
}


def rollup_id(tenant_id: str, level: Level, start: datetime) -> str:
    return f"{tenant_id}|{level}|{iso(start)}"


def value_key(value: Any) -> str:
    """A category value as a document key: MongoDB field names may not hold "." (model names do) or start "$"."""
    return str(value).replace(".", "\uff0e").replace("$", "\uff04")


def key_value(key: str) -> str:
    return key.replace("\uff0e", ".").replace("\uff04", "$")


def _numeric(value: Any) -> bool:
    # As the store's aggregate: numbers only, never booleans.
    return isinstance(value, int | float) and not isinstance(value, bool)


def _add_sum(sums: dict[str, list[float]], field: str, value: float, count: int = 1) -> None:
    entry = sums.setdefault(field, [0, 0])
    entry[0] += value
    entry[1] += count


def contribute(cells: Cells, doc: dict[str, Any]) -> None:
    """Add one fact document to `cells`. Hot (every fact at ingest, every edge fact of a report): the type
    checks are `type(v) is ...` (a bool is not an int here) and sums are added in place."""
    kind = doc["kind"]
    cell = cells.get(kind)
    if cell is None:
        cell = cells[kind] = {"n": 0, "sum": {}, "by": {}}
    cell["n"] += 1
    sums = cell["sum"]
    for field, value in doc.items():
        kind_of = type(value)
        if (kind_of is float or kind_of is int) and field not in _NOT_MEASURES:
            entry = sums.get(field)
            if entry is None:
                sums[field] = [value, 1]
            else:
                entry[0] += value
                entry[1] += 1
    dimensions = DIMENSIONS.get(kind)
    if not dimensions:
        return
    cross = [name for name in CROSS_SUMS.get(kind, ()) if _numeric(doc.get(name))]
    for field in dimensions:
        value = doc.get(field)
        if isinstance(value, str | bool):
            sub = cell["by"].setdefault(field, {}).setdefault(value_key(value), {"n": 0, "sum": {}})
            sub["n"] += 1
            for name in cross:
                _add_sum(sub["sum"], name, doc[name])


def dimension(kind: str, field: str) -> str:
    """`field`, when the rollups count `kind` by it."""
    if field not in DIMENSIONS.get(kind, ()):
        raise ValueError(f"the rollups do not count {kind} by {field}")
    return field


def _merge_sums(into: dict[str, list[float]], other: dict[str, list[float]]) -> None:
    for field, (total, count) in other.items():
        entry = into.get(field)
        if entry is None:
            into[field] = [total, count]
        else:
            entry[0] += total
            entry[1] += count


def merge(into: Cells, other: Cells) -> None:
    """Add every cell of `other` to `into` (`other` is left unchanged). Hot (every rollup row a batch rewrites,
    every document a report reads): lookups are `get` first, a missing part is created once."""
    for kind, cell in other.items():
        mine = into.get(kind)
        if mine is None:
            mine = into[kind] = {"n": 0, "sum": {}, "by": {}}
        mine["n"] += cell["n"]
        _merge_sums(mine["sum"], cell["sum"])
        mine_by = mine["by"]
        for field, values in cell["by"].items():
            per_value = mine_by.get(field)
            if per_value is None:
                per_value = mine_by[field] = {}
            for value, sub in values.items():
                target = per_value.get(value)
                if target is None:
                    target = per_value[value] = {"n": 0, "sum": {}}
                target["n"] += sub["n"]
                _merge_sums(target["sum"], sub["sum"])


def next_start(start: datetime, level: Level) -> datetime:
    if level == "hour":
        return start + timedelta(hours=1)
    if level == "day":
        return start + timedelta(days=1)
    return (start.replace(day=28) + timedelta(days=4)).replace(day=1)


def _ceil(at: datetime, level: Level) -> datetime:
    start = bucket_start(at, level)
    return start if start == at else next_start(start, level)


def plan(lo: datetime, hi: datetime, levels: tuple[Level, ...]) -> list[tuple[Level | None, datetime, datetime]]:
    """Cover [lo, hi) with the coarsest whole buckets of `levels` (coarsest first); None marks a piece shorter
    than an hour, answered from the facts themselves."""
    if lo >= hi:
        return []
    if not levels:
        return [(None, lo, hi)]
    level, finer = levels[0], levels[1:]
    first, last = _ceil(lo, level), bucket_start(hi, level)
    if first >= last:
        return plan(lo, hi, finer)
    return [*plan(lo, first, finer), (level, first, last), *plan(last, hi, finer)]


def levels_for(granularity: str) -> tuple[Level, ...]:
    """The rollup levels whose documents lie inside one bucket of `granularity` (a month spans several weeks)."""
    if granularity == "hour":
        return ("hour",)
    if granularity == "month":
        return ("month", "day", "hour")
    return ("day", "hour")
