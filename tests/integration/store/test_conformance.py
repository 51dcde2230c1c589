"""Document-store conformance: one behaviour, checked on every adapter (SQLite file/memory, motor)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest

from libs.errors import Conflict, Invalid
from libs.store import DocumentStore

pytestmark = pytest.mark.integration

# Filter-operator fixture: ids chosen so each expected set is easy to read.
PEOPLE: list[dict[str, Any]] = [
    {
        "id": "a",
        "name": "ann",
        "age": 30,
        "score": 1.5,
        "vip": True,
        "tier": "gold",
        "at": "2024-01-01T10:00:00",
        "addr": {"city": "oslo", "zip": 100},
    },
    {
        "id": "b",
        "name": "bob",
        "age": 25,
        "score": 1,
        "vip": False,
        "tier": None,
        "at": "2024-02-01T10:00:00",
        "addr": {"city": "rome", "zip": 200},
    },
    {
        "id": "c",
        "name": "cy",
        "age": 40,
        "score": 3,
        "vip": 1,
        "at": "2024-03-01T10:00:00",
        "addr": {"city": "oslo"},
    },
    {"id": "d", "name": "dee", "age": "40", "tier": "silver", "tags": ["x", "y"]},
]


async def _seed(store: DocumentStore) -> Any:
    people = store.collection("people")
    for doc in PEOPLE:
        await people.insert(doc)
    return people


async def test_insert_get_roundtrip_returns_fresh_copies(store: DocumentStore) -> None:
    col = store.collection("things")
    doc = {
        "name": "x",
        "id": "t1",
        "nested": {"list": [1, 2.5, "s", None, True]},
        "when": datetime(2024, 5, 1, tzinfo=UTC),
    }
    stored = await col.insert(doc)
    assert next(iter(stored)) == "id"
    assert stored["when"] == "2024-05-01T00:00:00+00:00"  # datetimes are stored as ISO strings
    got = await col.get("t1")
    assert got == stored
    got["nested"]["list"].append(99)
    doc["nested"]["list"].append(98)
    assert (await col.get("t1"))["nested"]["list"] == [1, 2.5, "s", None, True]
    assert await col.get("nope") is None


async def test_collections_are_separate(store: DocumentStore) -> None:
    await store.collection("one").insert({"id": "same", "v": 1})
    await store.collection("two").insert({"id": "same", "v": 2})
    assert (await store.collection("one").get("same"))["v"] == 1
    assert await store.collection("three").count() == 0


@pytest.mark.parametrize(
    "bad", [{"v": 1}, {"id": 5}, {"id": ""}, {"id": "x", "v": {1, 2}}, {"id": "x", "v": float("nan")}]
)
async def test_insert_rejects_invalid_documents(store: DocumentStore, bad: dict[str, Any]) -> None:
    with pytest.raises(Invalid):
        await store.collection("things").insert(bad)


async def test_duplicate_id_conflicts(store: DocumentStore) -> None:
    col = store.collection("things")
    await col.insert({"id": "t1", "v": 1})
    with pytest.raises(Conflict):
        await col.insert({"id": "t1", "v": 2})
    assert (await col.get("t1"))["v"] == 1


async def test_upsert_replaces_whole_document_or_inserts(store: DocumentStore) -> None:
    col = store.collection("things")
    await col.upsert({"id": "t1", "a": 1, "b": 2})
    await col.upsert({"id": "t1", "a": 3})
    assert await col.get("t1") == {"id": "t1", "a": 3}
    assert await col.count() == 1


async def test_insert_if_absent_is_idempotent(store: DocumentStore) -> None:
    col = store.collection("effects")
    assert await col.insert_if_absent({"id": "evt-1", "n": 1}) is True
    assert await col.insert_if_absent({"id": "evt-1", "n": 2}) is False
    assert (await col.get("evt-1"))["n"] == 1


async def test_update_sets_top_level_and_dotted_fields(store: DocumentStore) -> None:
    col = store.collection("things")
    await col.insert({"id": "t1", "a": 1, "meta": {"keep": True}})
    updated = await col.update("t1", {"a": 2, "meta.new": "x", "deep.er.path": 5, "id": "t1"})
    assert updated == {"id": "t1", "a": 2, "meta": {"keep": True, "new": "x"}, "deep": {"er": {"path": 5}}}
    assert await col.get("t1") == updated
    assert await col.update("t1", {}) == updated
    assert await col.update("missing", {"a": 1}) is None


@pytest.mark.parametrize("changes", [{"id": "other"}, {"a.b": 1}, {"meta": 1, "meta.x": 2}, {"bad-field": 1}])
async def test_update_rejects_impossible_changes(store: DocumentStore, changes: dict[str, Any]) -> None:
    col = store.collection("things")
    await col.insert({"id": "t1", "a": 5, "meta": {}})
    with pytest.raises(Invalid):
        await col.update("t1", changes)
    assert await col.get("t1") == {"id": "t1", "a": 5, "meta": {}}


async def test_increment(store: DocumentStore) -> None:
    col = store.collection("counters")
    await col.insert({"id": "c", "n": 1, "s": "text", "stats": {}})
    assert (await col.increment("c", "n"))["n"] == 2
    assert (await col.increment("c", "n", 2.5))["n"] == 4.5
    assert (await col.increment("c", "fresh", 3))["fresh"] == 3
    assert (await col.increment("c", "stats.hits", -1))["stats"] == {"hits": -1}
    assert await col.increment("missing", "n") is None
    with pytest.raises(Invalid):
        await col.increment("c", "s")
    with pytest.raises(Invalid):
        await col.increment("c", "n", True)


async def test_delete_and_delete_many(store: DocumentStore) -> None:
    people = await _seed(store)
    assert await people.delete("a") is True
    assert await people.delete("a") is False
    assert await people.delete_many({"addr.city": "oslo"}) == 1
    assert await people.delete_many({}) == 2
    assert await people.count() == 0


@pytest.mark.parametrize(
    ("filter", "expected"),
    [
        ({}, "abcd"),
        ({"name": "ann"}, "a"),
        ({"age": 40}, "c"),  # "40" (a string) is a different value
        ({"age": "40"}, "d"),
        ({"score": 1.0}, "b"),  # 1 == 1.0
        ({"vip": True}, "a"),  # true is not 1
        ({"vip": 1}, "c"),
        ({"tier": None}, "bc"),  # null or missing
        ({"tier": {"$ne": None}}, "ad"),
        ({"tier": {"$ne": "gold"}}, "bcd"),  # $ne includes missing
        ({"vip": {"$ne": True}}, "bcd"),
        ({"tier": {"$in": ["gold", "silver"]}}, "ad"),
        ({"tier": {"$in": ["gold", None]}}, "abc"),
        ({"age": {"$in": [25, "40"]}}, "bd"),
        ({"vip": {"$in": [False, 1]}}, "bc"),
        ({"tier": {"$in": []}}, ""),
        ({"tier": {"$nin": ["gold"]}}, "bcd"),
        ({"tier": {"$nin": ["gold", None]}}, "d"),
        ({"age": {"$gt": 25}}, "ac"),  # ranges never cross types
        ({"age": {"$gte": 25, "$lt": 40}}, "ab"),
        ({"age": {"$lte": 30}}, "ab"),
        ({"age": {"$gt": "3"}}, "d"),
        ({"at": {"$gte": "2024-02-01", "$lt": "2024-03-01"}}, "b"),
        ({"at": {"$lt": datetime(2024, 2, 1)}}, "a"),
        ({"tier": {"$exists": True}}, "abd"),  # null exists
        ({"tier": {"$exists": False}}, "c"),
        ({"addr.city": "oslo"}, "ac"),
        ({"addr.zip": {"$gt": 100}}, "b"),
        ({"addr.zip": {"$exists": False}}, "cd"),
        ({"id": "b"}, "b"),
        ({"id": {"$in": ["a", "d", "zz"]}}, "ad"),
        ({"id": {"$gt": "b"}}, "cd"),
        ({"addr.city": "oslo", "age": {"$gt": 30}}, "c"),
    ],
)
async def test_filter_operators(store: DocumentStore, filter: dict[str, Any], expected: str) -> None:
    people = await _seed(store)
    found = await people.find(filter)
    assert "".join(d["id"] for d in found) == expected
    assert await people.count(filter) == len(expected)
    one = await people.find_one(filter)
    assert (one["id"] if one else "") in (expected or [""])


@pytest.mark.parametrize(
    "filter",
    [
        {"age": {"$regex": "x"}},
        {"addr": {"city": "oslo"}},
        {"tags": ["x", "y"]},
        {"name'); DROP TABLE people; --": 1},
        {"tier": {"$exists": 1}},
        {"age": {"$gt": None}},
        {"tier": {"$in": "gold"}},
    ],
)
async def test_unsupported_filters_are_invalid(store: DocumentStore, filter: dict[str, Any]) -> None:
    people = await _seed(store)
    with pytest.raises(Invalid):
        await people.find(filter)
    assert await people.count() == 4


async def test_sort_skip_limit(store: DocumentStore) -> None:
    people = await _seed(store)
    ids = lambda docs: "".join(d["id"] for d in docs)  # noqa: E731
    assert ids(await people.find(sort=[("name", -1)])) == "dcba"
    assert ids(await people.find(sort=[("addr.zip", 1)])) == "cdab"  # missing first, then id tie-break
    assert ids(await people.find({"addr.city": {"$exists": True}}, sort=[("addr.city", 1), ("age", -1)])) == "cab"
    assert ids(await people.find(sort=[("name", 1)], skip=1, limit=2)) == "bc"
    assert ids(await people.find(sort=[("name", 1)], skip=3, limit=10)) == "d"
    assert await people.find(limit=0) == []
    assert ids(await people.find()) == "abcd"  # default order: id
    with pytest.raises(Invalid):
        await people.find(skip=-1)
    with pytest.raises(Invalid):
        await people.find(sort=[("name", 0)])


async def test_count_by(store: DocumentStore) -> None:
    people = await _seed(store)
    assert await people.count_by("tier") == {"gold": 1, "silver": 1, None: 2}
    assert await people.count_by("addr.city", {"age": {"$exists": True}}) == {"oslo": 2, "rome": 1, None: 1}
    assert await people.count_by("vip", {"id": {"$in": ["a", "b"]}}) == {True: 1, False: 1}
    with pytest.raises(Invalid):
        await people.count_by("tags")


async def test_aggregate(store: DocumentStore) -> None:
    people = await _seed(store)
    assert await people.aggregate("age", "sum") == 95.0  # "40" is not a number
    assert await people.aggregate("age", "avg") == pytest.approx(95 / 3)
    assert await people.aggregate("score", "min") == 1.0
    assert await people.aggregate("age", "max", {"addr.city": "oslo"}) == 40.0
    assert await people.aggregate("vip", "sum") == 1.0  # booleans are not numbers
    assert await people.aggregate("name", "sum") is None
    assert await people.aggregate("age", "avg", {"id": "zz"}) is None
    with pytest.raises(Invalid):
        await people.aggregate("age", "median")  # type: ignore[arg-type]


async def test_unique_index_conflicts(store: DocumentStore) -> None:
    users = store.collection("users")
    await users.ensure_index(["tenant_id", "email"], unique=True)
    await users.ensure_index(["tenant_id", "email"], unique=True)  # idempotent
    await users.ensure_index(["created_at"])
    await users.insert({"id": "u1", "tenant_id": "t1", "email": "a@x"})
    await users.insert({"id": "u2", "tenant_id": "t2", "email": "a@x"})
    with pytest.raises(Conflict):
        await users.insert({"id": "u3", "tenant_id": "t1", "email": "a@x"})
    with pytest.raises(Conflict):
        await users.insert_if_absent({"id": "u4", "tenant_id": "t1", "email": "a@x"})
    with pytest.raises(Conflict):
        await users.upsert({"id": "u2", "tenant_id": "t1", "email": "a@x"})
    with pytest.raises(Conflict):
        await users.update("u2", {"tenant_id": "t1"})
    assert await users.count() == 2
    assert (await users.get("u2"))["tenant_id"] == "t2"


async def test_drop_index_migrates_a_unique_index_to_a_wider_one(store: DocumentStore) -> None:
    # The gateway's users moved from one email per platform to one per tenant: the old index must really go.
    users = store.collection("users")
    await users.ensure_index(["email"], unique=True)
    await users.insert({"id": "u1", "tenant_id": "t1", "email": "a@x"})
    with pytest.raises(Conflict):
        await users.insert({"id": "u2", "tenant_id": "t2", "email": "a@x"})
    assert await users.drop_index(["email"], unique=True) is True
    assert await users.drop_index(["email"], unique=True) is False  # idempotent: already gone
    assert await users.drop_index(["never", "made"]) is False
    await users.ensure_index(["tenant_id", "email"], unique=True)
    await users.insert({"id": "u2", "tenant_id": "t2", "email": "a@x"})
    with pytest.raises(Conflict):
        await users.insert({"id": "u3", "tenant_id": "t1", "email": "a@x"})
    assert [u["id"] for u in await users.find({"email": "a@x"}, sort=[("id", 1)])] == ["u1", "u2"]


async def test_unique_index_over_existing_duplicates_conflicts(store: DocumentStore) -> None:
    col = store.collection("things")
    await col.insert({"id": "1", "k": "same"})
    await col.insert({"id": "2", "k": "same"})
    with pytest.raises(Conflict):
        await col.ensure_index(["k"], unique=True)


async def test_concurrent_writers(store: DocumentStore) -> None:
    col = store.collection("busy")
    await asyncio.gather(*(col.insert({"id": f"m{i:03}", "i": i}) for i in range(100)))
    assert await col.count() == 100
    assert [d["i"] for d in await col.find(sort=[("i", 1)])] == list(range(100))
    await col.insert({"id": "counter", "n": 0})
    await asyncio.gather(*(col.increment("counter", "n") for _ in range(100)))
    assert (await col.get("counter"))["n"] == 100
    winners = await asyncio.gather(*(col.insert_if_absent({"id": "once", "k": k}) for k in range(50)))
    assert winners.count(True) == 1


async def test_data_survives_reopen(backend: Any) -> None:
    if not backend.persistent:
        pytest.skip(f"{backend.name} keeps nothing after close")
    first = backend.open()
    await first.collection("kept").ensure_index(["k"], unique=True)
    await first.collection("kept").insert({"id": "k1", "k": "v", "n": {"x": 1}})
    await first.close()
    second = backend.open()
    assert await second.collection("kept").get("k1") == {"id": "k1", "k": "v", "n": {"x": 1}}
    with pytest.raises(Conflict):  # the index survived too
        await second.collection("kept").insert({"id": "k2", "k": "v"})
    await second.close()


async def test_ping(store: DocumentStore) -> None:
    assert await store.ping() is True
