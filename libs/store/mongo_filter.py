"""The store port's filter language translated to MongoDB queries, with the $type fences that keep numbers and
booleans apart the way the SQLite adapter does (so both adapters answer every filter alike)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from libs.store.filters import Condition, parse_filter


def mongo_field(field: str) -> str:
    return "_id" if field == "id" else field


def to_mongo_filter(filter: Mapping[str, Any] | None) -> dict[str, Any]:
    """Validated Conditions -> a Mongo query ($and of one clause per condition keeps repeated fields)."""
    clauses = [_clause(c) for c in parse_filter(filter)]
    if not clauses:
        return {}
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def _bracket(value: Any) -> str | None:
    """The $type fence for a value; numbers and booleans get one explicitly because drivers and mocks
    that compare in Python conflate True with 1 (MongoDB itself keeps them in separate brackets)."""
    if isinstance(value, bool):
        return "bool"
    return "number" if isinstance(value, int | float) else None


def _typed(op: str, value: Any) -> dict[str, Any]:
    bracket = _bracket(value)
    return {op: value, "$type": bracket} if bracket else {op: value}


def _in_clause(field: str, values: tuple[Any, ...]) -> dict[str, Any]:
    groups: dict[str | None, list[Any]] = {}
    for value in values:
        groups.setdefault(_bracket(value), []).append(value)
    branches = [
        {field: {"$in": group, "$type": bracket} if bracket else {"$in": group}} for bracket, group in groups.items()
    ]
    if not branches:
        return {field: {"$in": []}}
    return branches[0] if len(branches) == 1 else {"$or": branches}


def _clause(c: Condition) -> dict[str, Any]:
    field = mongo_field(c.field)
    if c.op == "$in":
        return _in_clause(field, c.value)
    if c.op == "$nin":
        return {"$nor": [_in_clause(field, c.value)]}
    if c.op == "$ne":
        return {field: {"$not": _typed("$eq", c.value)}} if _bracket(c.value) else {field: {"$ne": c.value}}
    if c.op == "$exists":
        return {field: {"$exists": c.value}}
    return {field: _typed(c.op, c.value)}
