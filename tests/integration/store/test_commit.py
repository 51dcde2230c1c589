"""DocumentStore.commit conformance: several writes across collections land as one unit on every adapter."""

from __future__ import annotations

from typing import Any

import pytest

from libs.errors import Conflict, Invalid, NotFound
from libs.store import DocumentStore, Insert, Update, Upsert
from libs.store.mongo import MongoCollection

pytestmark = pytest.mark.integration


async def _state(store: DocumentStore) -> dict[str, list[dict[str, Any]]]:
    return {name: await store.collection(name).find() for name in ("inbox", "messages", "sessions")}


async def _seed(store: DocumentStore) -> None:
    await store.collection("sessions").insert({"id": "s1", "count": 0, "meta": {"a": 1}, "flat": "x"})


async def test_commit_applies_every_write_across_collections(store: DocumentStore) -> None:
    await _seed(store)
    await store.commit(
        [
            Insert("inbox", {"id": "evt-1", "reply": {"ok": True}}),
            Insert("messages", {"id": "m1", "seq": 1}),
            Upsert("messages", {"id": "m2", "seq": 2}),
            Update("sessions", "s1", {"count": 2, "meta.b": 2}),
        ]
    )
    assert await store.collection("inbox").get("evt-1") == {"id": "evt-1", "reply": {"ok": True}}
    assert [m["id"] for m in await store.collection("messages").find(sort=[("seq", 1)])] == ["m1", "m2"]
    assert await store.collection("sessions").get("s1") == {
        "id": "s1",
        "count": 2,
        "meta": {"a": 1, "b": 2},
        "flat": "x",
    }


async def test_trusted_writes_land_as_the_checked_ones(store: DocumentStore) -> None:
    """`trusted` skips the per-value copy, not the write: the same documents come back on every adapter."""
    row = {"id": "r1", "kinds": {"reply": {"n": 2, "sum": {"cost_usd": [0.5, 2]}, "by": {}}}, "last": None}
    await store.commit([Insert("messages", row, trusted=True), Upsert("sessions", {"id": "s9", "n": 1}, trusted=True)])
    await store.commit([Upsert("sessions", {"id": "s9", "n": 2, "tags": ["a"]}, trusted=True)])
    assert await store.collection("messages").get("r1") == row
    assert await store.collection("sessions").get("s9") == {"id": "s9", "n": 2, "tags": ["a"]}
    with pytest.raises(Invalid):
        await store.commit([Insert("messages", {"id": "m1"}), Upsert("messages", {"n": 1}, trusted=True)])
    assert await store.collection("messages").get("m1") is None


@pytest.mark.parametrize(
    ("failing", "error"),
    [
        (Insert("inbox", {"id": "evt-1"}), Conflict),  # the command was handled already
        (Update("sessions", "nope", {"count": 1}), NotFound),
        (Update("sessions", "s1", {"flat.deeper": 1}), Invalid),  # a $set under a scalar
        (Insert("messages", {"id": "bad", "v": float("nan")}), Invalid),
    ],
)
async def test_a_failing_write_leaves_nothing_of_the_commit(store: DocumentStore, failing: Any, error: type) -> None:
    await _seed(store)
    await store.collection("inbox").insert({"id": "evt-1", "reply": "first"})
    before = await _state(store)
    with pytest.raises(error):
        await store.commit(
            [
                Insert("messages", {"id": "m1", "seq": 1}),
                Update("sessions", "s1", {"count": 2}),
                failing,
                Insert("inbox", {"id": "evt-2", "reply": "second"}),
            ]
        )
    assert await _state(store) == before


async def test_a_commit_cut_by_a_crash_is_all_or_nothing_after_recover(
    backend: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The process dies between two writes of the commit; the next process recovers on open."""
    if not backend.persistent:
        pytest.skip(f"{backend.name} keeps nothing after close")
    first = backend.open()
    await _seed(first)

    def die(*_: Any, **__: Any) -> None:
        raise SystemExit("killed in the middle of the commit")

    async def killed(*args: Any, **kwargs: Any) -> None:
        die()

    # The crash point sits between the inserts and the update on every adapter that has one (MongoDB's apply
    # loop); SQLite runs the commit as one transaction, which a dying process never commits.
    monkeypatch.setattr(MongoCollection, "update", killed)
    monkeypatch.setattr("libs.store.sqlite.set_path", die)
    writes = [Insert("messages", {"id": "m1", "seq": 1}), Update("sessions", "s1", {"count": 2})]
    with pytest.raises(SystemExit):
        await first.commit([Insert("inbox", {"id": "evt-1"}), *writes])
    monkeypatch.undo()
    second = backend.open()
    await second.recover()
    state = await _state(second)
    applied = [len(state["inbox"]), len(state["messages"]), state["sessions"][0]["count"]]
    assert applied in ([1, 1, 2], [0, 0, 0]), applied
    assert await second.recover() == 0
    await first.close()
    await second.close()
