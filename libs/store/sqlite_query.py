"""Compiles validated Conditions and sort keys into SQLite json_extract SQL with bound parameters."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from libs.store.filters import Condition, parse_filter

_NUMBER_TYPES = "('integer','real')"
Sql = tuple[str, list[Any]]


def value_expr(field: str) -> str:
    """The SQL expression for a field; paths are regex-validated identifiers, so inlining them is safe
    and keeps the text identical to the expression indexes (which SQLite only uses on an exact match)."""
    return "id" if field == "id" else f"json_extract(doc, '$.{field}')"


def type_expr(field: str) -> str:
    """json_type: 'null' for JSON null, SQL NULL when missing; 'true'/'false' tells booleans from 1/0."""
    return "'text'" if field == "id" else f"json_type(doc, '$.{field}')"


def compile_where(filter: Mapping[str, Any] | None) -> Sql:
    parts: list[str] = []
    params: list[Any] = []
    for condition in parse_filter(filter):
        sql, args = compile_condition(condition)
        parts.append(sql)
        params.extend(args)
    return (" AND ".join(parts) if parts else "1"), params


def compile_condition(c: Condition) -> Sql:
    if c.op == "$eq":
        return _eq(c.field, c.value)
    if c.op == "$ne":
        sql, params = _eq(c.field, c.value)
        return f"NOT COALESCE({sql}, 0)", params
    if c.op == "$in":
        return _in(c.field, c.value)
    if c.op == "$nin":
        sql, params = _in(c.field, c.value)
        return f"NOT COALESCE({sql}, 0)", params
    if c.op == "$exists":
        if c.field == "id":
            return ("1" if c.value else "0"), []
        return f"{type_expr(c.field)} IS {'NOT ' if c.value else ''}NULL", []
    return _range(c.field, c.op, c.value)


def _type_guard(field: str, value: Any) -> str:
    # Engines disagree on cross-type comparison (SQLite: 1 == true, '[1]' == array); MongoDB compares
    # within a type bracket only, so every comparison is fenced to the value's JSON type.
    if field == "id":
        return "" if isinstance(value, str) else " AND 0"
    if isinstance(value, str):
        return f" AND {type_expr(field)} = 'text'"
    return f" AND {type_expr(field)} IN {_NUMBER_TYPES}"


def _eq(field: str, value: Any) -> Sql:
    if value is None:
        return f"{value_expr(field)} IS NULL", []
    if isinstance(value, bool):
        return f"{type_expr(field)} IS '{'true' if value else 'false'}'", []
    return f"({value_expr(field)} = ?{_type_guard(field, value)})", [value]


def _in(field: str, values: Sequence[Any]) -> Sql:
    branches: list[str] = []
    params: list[Any] = []
    if any(v is None for v in values):
        branches.append(f"{value_expr(field)} IS NULL")
    bools = sorted({"true" if v else "false" for v in values if isinstance(v, bool)})
    if bools:
        branches.append(f"{type_expr(field)} IN ({', '.join(repr(b) for b in bools)})")
    strings = [v for v in values if isinstance(v, str)]
    numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    for group in (strings, numbers):
        if group:
            marks = ", ".join("?" * len(group))
            branches.append(f"({value_expr(field)} IN ({marks}){_type_guard(field, group[0])})")
            params.extend(group)
    if not branches:
        return "0", []
    return ("(" + " OR ".join(branches) + ")" if len(branches) > 1 else branches[0]), params


_RANGE_SQL = {"$gt": ">", "$gte": ">=", "$lt": "<", "$lte": "<="}


def _range(field: str, op: str, value: Any) -> Sql:
    return f"({value_expr(field)} {_RANGE_SQL[op]} ?{_type_guard(field, value)})", [value]


def compile_order(keys: Sequence[tuple[str, int]]) -> str:
    if not keys:
        return ""
    terms = [f"{value_expr(field)} {'ASC' if direction == 1 else 'DESC'}" for field, direction in keys]
    return " ORDER BY " + ", ".join(terms)
