"""Document rules shared by every adapter: names, field paths, JSON-like values, $set/$inc path helpers."""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any

from libs.errors import Invalid

# Field paths are inlined into SQL (json paths must be literals for expression indexes to match), so
# they are held to identifiers joined by dots; values always travel as parameters.
_FIELD_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
_MISSING = object()


def check_name(name: str, what: str) -> str:
    """Validate a collection or database name (becomes a table / file / Mongo name)."""
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise Invalid(f"invalid {what} name", {what: name})
    return name


def check_field(field: str) -> str:
    if not isinstance(field, str) or not _FIELD_RE.match(field):
        raise Invalid("invalid field path: use identifiers joined by dots", {"field": field})
    if field.startswith("id."):
        raise Invalid("'id' is a string and has no sub-fields", {"field": field})
    return field


class _NotPlain(Exception):
    """A value the fast copy does not take: the checked copy converts it or names the field it refuses."""


def _plain_copy(value: Any) -> Any:
    """The copy of a value made only of exact str/int/bool/None/finite float/dict/list: no field paths built and
    no ABC checks (every write copies its documents; this walk was most of a batch's store time)."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is float:
        if value - value != 0:  # inf - inf and nan - nan are nan
            raise _NotPlain
        return value
    if kind is dict:
        out = {}
        for key, item in value.items():
            if type(key) is not str:
                raise _NotPlain
            out[key] = _plain_copy(item)
        return out
    if kind is list:
        return [_plain_copy(item) for item in value]
    raise _NotPlain


def to_json_like(value: Any, where: str = "doc") -> Any:
    """A fresh JSON-like copy of `value`; datetimes become ISO-8601 strings, tuples become lists."""
    try:
        return _plain_copy(value)
    except _NotPlain:
        return _checked_copy(value, where)


def _checked_copy(value: Any, where: str) -> Any:
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise Invalid("non-finite numbers cannot be stored", {"field": where})
        return value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise Invalid("document keys must be strings", {"field": where})
            out[key] = _checked_copy(item, f"{where}.{key}")
        return out
    if isinstance(value, list | tuple):
        return [_checked_copy(item, where) for item in value]
    raise Invalid(f"unsupported value type {type(value).__name__}", {"field": where})


def prepare_doc(doc: Mapping[str, Any]) -> dict[str, Any]:
    """Validate and copy a whole document; "id" (a non-empty string) comes first."""
    if not isinstance(doc, Mapping):
        raise Invalid("a document must be a dict", {"field": "doc"})
    doc_id = doc.get("id")
    if not isinstance(doc_id, str) or not doc_id:
        raise Invalid("a document needs a non-empty string 'id'", {"field": "id"})
    body = to_json_like(doc)
    return {"id": doc_id, **{k: v for k, v in body.items() if k != "id"}}


def trusted_doc(doc: Mapping[str, Any]) -> dict[str, Any]:
    """A `trusted` write's document, taken as it is (see port.Insert): only its id is checked."""
    doc_id = doc.get("id")
    if not isinstance(doc_id, str) or not doc_id:
        raise Invalid("a document needs a non-empty string 'id'", {"field": "id"})
    return dict(doc)


def prepare_changes(doc_id: str, changes: Mapping[str, Any]) -> dict[str, Any]:
    """Validate $set changes: dotted fields, no path that is a prefix of another, "id" immutable."""
    out: dict[str, Any] = {}
    for field, value in changes.items():
        check_field(field)
        if field == "id":
            if value != doc_id:
                raise Invalid("'id' cannot be changed", {"field": "id"})
            continue
        out[field] = to_json_like(value, field)
    fields = sorted(out)
    for first, second in itertools.pairwise(fields):
        if second.startswith(first + "."):
            raise Invalid("conflicting update paths", {"field": second})
    return out


def check_amount(by: Any) -> float:
    if isinstance(by, bool) or not isinstance(by, int | float) or not math.isfinite(by):
        raise Invalid("increment needs a finite number", {"field": "by"})
    return by


def get_path(doc: Mapping[str, Any], field: str) -> Any:
    """The value at a dotted path, or the module's _MISSING sentinel (see is_missing)."""
    node: Any = doc
    for part in field.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return _MISSING
        node = node[part]
    return node


def is_missing(value: Any) -> bool:
    return value is _MISSING


def set_path(doc: dict[str, Any], field: str, value: Any) -> None:
    """$set on a dotted path, creating missing parents; a non-object parent is Invalid (as in MongoDB)."""
    parts = field.split(".")
    node = doc
    for depth, part in enumerate(parts[:-1]):
        child = node.get(part, _MISSING)
        if child is _MISSING:
            child = node[part] = {}
        if not isinstance(child, dict):
            raise Invalid("cannot set a field inside a non-object", {"field": ".".join(parts[: depth + 1])})
        node = child
    node[parts[-1]] = value


def parent_paths(field: str) -> list[str]:
    """'a.b.c' -> ['a', 'a.b']: the parents a $set must find to be objects (or absent)."""
    parts = field.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]
