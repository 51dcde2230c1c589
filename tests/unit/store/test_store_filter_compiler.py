"""Unit tests of the filter compiler: Mongo-style filters -> SQLite SQL (values as parameters), Mongo."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import Any

import pytest

from libs.errors import Invalid
from libs.store.filters import parse_filter, parse_sort
from libs.store.mongo import to_mongo_filter
from libs.store.sqlite_query import compile_order, compile_where


def test_values_travel_as_parameters_never_as_sql_text() -> None:
    hostile = "x' OR 1=1; DROP TABLE t; --"
    sql, params = compile_where({"name": hostile, "tier": {"$in": [hostile, "b"]}, "age": {"$gte": 3}})
    assert hostile not in sql
    assert params == [hostile, hostile, "b", 3]
    assert sql.count("?") == len(params)


@pytest.mark.parametrize("field", ["a'b", "a b", "a..b", "$where", "1abc", "a.0", "id.x", "", "a-b"])
def test_unsafe_field_names_are_rejected(field: str) -> None:
    with pytest.raises(Invalid) as caught:
        compile_where({field: 1})
    assert caught.value.details == {"field": field}


def test_sql_uses_the_same_expression_as_indexes_and_fences_types() -> None:
    sql, params = compile_where({"session.id": "s1"})
    assert sql == "(json_extract(doc, '$.session.id') = ? AND json_type(doc, '$.session.id') = 'text')"
    assert params == ["s1"]
    sql, _ = compile_where({"id": "x"})
    assert sql == "(id = ?)"


def test_negations_are_null_safe_so_missing_fields_match() -> None:
    sql, _ = compile_where({"tier": {"$ne": "gold"}})
    assert sql.startswith("NOT COALESCE(")
    sql, _ = compile_where({"tier": {"$nin": ["gold"]}})
    assert sql.startswith("NOT COALESCE(")


def test_compiled_sql_runs_on_sqlite() -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (id TEXT PRIMARY KEY, doc TEXT)")
    conn.executemany(
        "INSERT INTO t VALUES (?, ?)",
        [("1", '{"n": 1, "flag": true}'), ("2", '{"n": "1"}'), ("3", '{"flag": 1}'), ("4", '{"n": null}')],
    )

    def ids(filter: dict[str, Any]) -> list[str]:
        sql, params = compile_where(filter)
        return [r[0] for r in conn.execute(f"SELECT id FROM t WHERE {sql} ORDER BY id", params)]

    assert ids({"n": 1}) == ["1"]
    assert ids({"flag": True}) == ["1"]
    assert ids({"flag": {"$in": [1]}}) == ["3"]
    assert ids({"n": None}) == ["3", "4"]
    assert ids({"n": {"$exists": True}}) == ["1", "2", "4"]
    assert ids({"n": {"$gt": 0}}) == ["1"]


def test_empty_and_none_filters_match_everything() -> None:
    assert compile_where(None) == ("1", [])
    assert compile_where({}) == ("1", [])
    assert compile_where({"x": {"$in": []}})[0] == "0"


@pytest.mark.parametrize(
    "bad",
    [{"a": {"$regex": "x"}}, {"a": {"b": 1}}, {"a": [1]}, {"a": {"$in": 3}}, {"a": {"$lt": True}}, {"a": {}}],
)
def test_unsupported_filters_are_invalid(bad: dict[str, Any]) -> None:
    with pytest.raises(Invalid):
        parse_filter(bad)


def test_datetimes_in_filters_become_iso_strings() -> None:
    (condition,) = parse_filter({"at": {"$gte": datetime(2024, 1, 2, tzinfo=UTC)}})
    assert condition.value == "2024-01-02T00:00:00+00:00"


def test_mongo_translation_maps_id_and_fences_numbers_and_booleans() -> None:
    assert to_mongo_filter({"id": "x"}) == {"_id": {"$eq": "x"}}
    assert to_mongo_filter({"vip": True, "n": {"$gt": 2}}) == {
        "$and": [{"vip": {"$eq": True, "$type": "bool"}}, {"n": {"$gt": 2, "$type": "number"}}]
    }
    assert to_mongo_filter({"t": {"$nin": ["a", None]}}) == {"$nor": [{"t": {"$in": ["a", None]}}]}
    assert to_mongo_filter({"t": {"$ne": "a"}}) == {"t": {"$ne": "a"}}
    assert to_mongo_filter(None) == {}


def test_sort_gets_an_id_tie_breaker() -> None:
    assert parse_sort([("created_at", -1)]) == [("created_at", -1), ("id", 1)]
    assert parse_sort([("id", -1)]) == [("id", -1)]
    assert compile_order(parse_sort([("a.b", -1)])) == " ORDER BY json_extract(doc, '$.a.b') DESC, id ASC"
    with pytest.raises(Invalid):
        parse_sort([("a", 2)])
