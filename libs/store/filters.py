"""Filter and sort parsing shared by every adapter: a Mongo-style Filter in, validated Conditions out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from libs.errors import Invalid
from libs.store.documents import check_field, to_json_like

Scalar = str | int | float | bool | None
_RANGE_OPS = frozenset({"$gt", "$gte", "$lt", "$lte"})
_OPS = frozenset({"$eq", "$ne", "$in", "$nin", "$exists"}) | _RANGE_OPS


@dataclass(frozen=True, slots=True)
class Condition:
    """One `field op value` test; all Conditions of a filter are ANDed."""

    field: str
    op: str  # "$eq", "$ne", "$in", "$nin", "$gt", "$gte", "$lt", "$lte", "$exists"
    value: Any


def parse_filter(filter: Mapping[str, Any] | None) -> list[Condition]:
    if filter is None:
        return []
    if not isinstance(filter, Mapping):
        raise Invalid("a filter must be a dict", {"field": "filter"})
    conditions: list[Condition] = []
    for field, spec in filter.items():
        check_field(field)
        if isinstance(spec, Mapping) and spec and all(isinstance(k, str) and k.startswith("$") for k in spec):
            conditions.extend(_operator_conditions(field, spec))
        else:
            conditions.append(Condition(field, "$eq", _scalar(field, spec)))
    return conditions


def _operator_conditions(field: str, spec: Mapping[str, Any]) -> list[Condition]:
    out = []
    for op, raw in spec.items():
        if op not in _OPS:
            raise Invalid(f"unsupported filter operator {op}", {"field": field})
        if op in ("$in", "$nin"):
            if not isinstance(raw, list | tuple | set | frozenset):
                raise Invalid(f"{op} needs a list", {"field": field})
            value: Any = tuple(_scalar(field, item) for item in raw)
        elif op == "$exists":
            if not isinstance(raw, bool):
                raise Invalid("$exists needs true or false", {"field": field})
            value = raw
        elif op in _RANGE_OPS:
            value = _scalar(field, raw)
            if value is None or isinstance(value, bool):
                raise Invalid(f"{op} needs a number or a string", {"field": field})
        else:
            value = _scalar(field, raw)
        out.append(Condition(field, op, value))
    return out


def _scalar(field: str, raw: Any) -> Scalar:
    value = to_json_like(raw, field)
    if isinstance(value, dict | list):
        # Whole-object/array equality differs between engines (key order, array membership): not portable.
        raise Invalid("filter values must be scalars; use dotted fields for nested values", {"field": field})
    return value


def parse_sort(sort: Sequence[tuple[str, int]]) -> list[tuple[str, int]]:
    """Validated sort keys plus ("id", 1) as the final tie-breaker so skip/limit pages are stable."""
    keys: list[tuple[str, int]] = []
    for item in sort:
        if not isinstance(item, tuple | list) or len(item) != 2 or item[1] not in (1, -1):
            raise Invalid("sort keys are (field, 1 | -1) pairs", {"field": "sort"})
        keys.append((check_field(item[0]), int(item[1])))
    if all(field != "id" for field, _ in keys):
        keys.append(("id", 1))
    return keys


def check_page(skip: int, limit: int | None) -> None:
    if isinstance(skip, bool) or not isinstance(skip, int) or skip < 0:
        raise Invalid("skip must be a non-negative integer", {"field": "skip"})
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
        raise Invalid("limit must be a non-negative integer", {"field": "limit"})
