"""Atomic multi-document commits on MongoDB without transactions (a standalone server has none).

The writes are first stored in ONE journal document (a single-document insert is atomic on every server and on
mongomock), then applied in order, each idempotently, and the journal document is deleted. A crash before the
journal insert leaves nothing; a crash after it leaves a journal that `recover()` (run when a service opens its
store) or the next replay applies to the end. So the outcome is all of the writes or none, as on SQLite's
transaction; only a reader racing the apply can see part of it, for the moment until the apply ends.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from libs.errors import Conflict, NotFound
from libs.store.documents import check_name, prepare_changes, prepare_doc, set_path, trusted_doc
from libs.store.port import Collection, Insert, Update, Upsert, Write

JOURNAL = "store_journal"


def journal_entry(write: Write) -> dict[str, Any]:
    """A validated write as journal data; $set changes travel as {"field", "value"} objects because dotted keys are
    not valid field names inside a stored MongoDB document (and nested arrays are refused by some servers)."""
    check_name(write.collection, "collection")
    if isinstance(write, Insert | Upsert):
        op = "insert" if isinstance(write, Insert) else "upsert"
        doc = trusted_doc(write.doc) if write.trusted else prepare_doc(write.doc)
        return {"op": op, "collection": write.collection, "doc": doc}
    assert isinstance(write, Update)
    changes = prepare_changes(write.id, write.changes)
    pairs = [{"field": field, "value": value} for field, value in changes.items()]
    return {"op": "update", "collection": write.collection, "id": write.id, "changes": pairs}


class Journal:
    """Commits and recovers through `collection(name)` of one MongoStore."""

    def __init__(self, store: Any) -> None:
        self._store = store

    def _col(self, name: str) -> Collection:
        collection: Collection = self._store.collection(name)
        return collection

    async def commit(self, writes: Sequence[Write]) -> None:
        entries = [journal_entry(write) for write in writes]
        await self._check(entries)
        journal_id = uuid.uuid4().hex
        await self._col(JOURNAL).insert({"id": journal_id, "at": datetime.now(UTC).isoformat(), "writes": entries})
        await self._apply(journal_id, entries)

    async def recover(self) -> int:
        pending = await self._col(JOURNAL).find(sort=[("at", 1)])
        for entry in pending:
            await self._apply(entry["id"], entry["writes"])
        return len(pending)

    async def _check(self, entries: list[dict[str, Any]]) -> None:
        """Refuse up front what SQLite's transaction would roll back (an existing Insert id, a missing Update id,
        a $set under a scalar), so the apply cannot fail half-way for a reason a replay would meet again.
        Callers serialise commits of one key (the bus orders a key's messages), so no race is left here."""
        for entry in entries:
            collection = self._col(entry["collection"])
            if entry["op"] == "insert" and await collection.get(entry["doc"]["id"]) is not None:
                raise Conflict("duplicate key", {"id": entry["doc"]["id"]})
            if entry["op"] == "update":
                current = await collection.get(entry["id"])
                if current is None:
                    raise NotFound("no document to update", {"collection": entry["collection"], "id": entry["id"]})
                for change in entry["changes"]:
                    set_path(
                        current, change["field"], change["value"]
                    )  # raises Invalid where MongoDB would refuse the $set

    async def _apply(self, journal_id: str, entries: list[dict[str, Any]]) -> None:
        # Each step is idempotent, so a replay after a crash in the middle of this loop ends in the same state.
        for entry in entries:
            collection = self._col(entry["collection"])
            if entry["op"] == "insert":
                await collection.insert_if_absent(entry["doc"])
            elif entry["op"] == "upsert":
                await collection.upsert(entry["doc"])
            else:
                await collection.update(entry["id"], {c["field"]: c["value"] for c in entry["changes"]})
        await self._col(JOURNAL).delete(journal_id)
