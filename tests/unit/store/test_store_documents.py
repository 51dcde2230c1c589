"""Unit tests of document rules and the store factory: what a document may hold and how changes apply."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from libs.errors import Invalid
from libs.store import open_store
from libs.store.documents import prepare_changes, prepare_doc, set_path
from libs.store.mongo import MongoStore
from libs.store.sqlite import SQLiteStore


def test_prepare_doc_copies_puts_id_first_and_stringifies_dates() -> None:
    nested = {"k": [1, (2, 3)]}
    doc = prepare_doc({"a": nested, "id": "x", "d": date(2024, 1, 2), "t": datetime(2024, 1, 2, 3, tzinfo=UTC)})
    assert list(doc) == ["id", "a", "d", "t"]
    assert doc["a"] == {"k": [1, [2, 3]]} and doc["a"] is not nested
    assert doc["d"] == "2024-01-02" and doc["t"] == "2024-01-02T03:00:00+00:00"


@pytest.mark.parametrize(
    "bad",
    [
        {"id": "x", "b": b"raw"},
        {"id": "x", 1: "v"},
        {"id": "x", "f": float("inf")},
        {"id": "x", "s": {1}},
        {"id": "x", "a": {"b": [1, float("nan")]}},
        {"id": "x", "a": {2: "v"}},
    ],
)
def test_prepare_doc_rejects_non_json_values(bad: dict) -> None:  # type: ignore[type-arg]
    with pytest.raises(Invalid):
        prepare_doc(bad)


def test_a_refused_nested_value_is_named_by_its_path() -> None:
    """The fast copy (plain values) hands anything else to the checked one, which names the field."""
    with pytest.raises(Invalid) as refused:
        prepare_doc({"id": "x", "a": {"b": {"c": float("-inf")}}})
    assert refused.value.details == {"field": "doc.a.b.c"}


def test_plain_documents_are_copied_all_the_way_down() -> None:
    inner = {"n": [1, 2.5, {"deep": True}]}
    doc = prepare_doc({"id": "x", "a": inner, "none": None})
    assert doc == {"id": "x", "a": {"n": [1, 2.5, {"deep": True}]}, "none": None}
    assert doc["a"] is not inner and doc["a"]["n"] is not inner["n"] and doc["a"]["n"][2] is not inner["n"][2]


def test_prepare_changes_keeps_id_immutable_and_paths_disjoint() -> None:
    assert prepare_changes("x", {"id": "x", "a.b": 1}) == {"a.b": 1}
    with pytest.raises(Invalid):
        prepare_changes("x", {"id": "y"})
    with pytest.raises(Invalid):
        prepare_changes("x", {"a": {}, "a.b": 1})


def test_set_path_creates_parents_and_refuses_scalars() -> None:
    doc: dict = {"a": 1}  # type: ignore[type-arg]
    set_path(doc, "b.c.d", 2)
    assert doc == {"a": 1, "b": {"c": {"d": 2}}}
    with pytest.raises(Invalid) as caught:
        set_path(doc, "a.x", 3)
    assert caught.value.details == {"field": "a"}


async def test_open_store_picks_the_adapter(tmp_path: Path) -> None:
    memory = open_store(database="svc")
    assert isinstance(memory, SQLiteStore) and await memory.ping()
    await memory.close()
    assert await memory.ping() is False
    on_disk = open_store(database="svc", sqlite_dir=tmp_path / "data")
    await on_disk.collection("c").insert({"id": "1"})
    await on_disk.close()
    assert (tmp_path / "data" / "svc.sqlite3").exists()
    mongo = open_store(database="svc", mongodb_url="mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=200")
    assert isinstance(mongo, MongoStore)  # motor connects lazily: nothing happened yet
    assert await mongo.ping() is False
    await mongo.close()
    with pytest.raises(Invalid):
        open_store(database="../etc")
