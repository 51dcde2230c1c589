"""Document-store port: the Collection and DocumentStore interfaces every service repository codes against."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

# Mongo-style subset, the same on every adapter (see libs/store/README.md for the exact semantics):
# {"field": v, "a.b": v, "f": {"$in": [...], "$nin": [...], "$ne": v, "$gt": v, "$gte": v, "$lt": v,
#  "$lte": v, "$exists": bool}}
Filter = dict[str, Any]
# (field, 1 | -1); adapters append ("id", 1) as a final tie-breaker so pagination is stable.
Sort = Sequence[tuple[str, int]]
AggregateOp = Literal["sum", "avg", "min", "max"]


@dataclass(frozen=True)
class Insert:
    """Add a new doc; the whole commit fails with Conflict (nothing written) when its id exists. `trusted`: the
    caller built `doc` itself from JSON-like values (str keys, finite numbers), so the adapter stores it as it is
    instead of copying and checking every value (a service's own bulk rows; the copy was most of their cost)."""

    collection: str
    doc: dict[str, Any]
    trusted: bool = False


@dataclass(frozen=True)
class Upsert:
    """Replace the doc with the same id, or insert it (`trusted` as for Insert)."""

    collection: str
    doc: dict[str, Any]
    trusted: bool = False


@dataclass(frozen=True)
class Update:
    """$set `changes` on an existing doc; the whole commit fails with NotFound when the id is unknown."""

    collection: str
    id: str
    changes: dict[str, Any]


# One effect of a command, applied with the others by DocumentStore.commit as a single unit.
Write = Insert | Upsert | Update


class Collection(ABC):
    """A named set of JSON-like documents keyed by their string "id"; every returned doc is a fresh dict."""

    @abstractmethod
    async def insert(self, doc: dict[str, Any]) -> dict[str, Any]:
        """Store a new doc; raises Conflict on a duplicate id or unique-index value."""

    @abstractmethod
    async def upsert(self, doc: dict[str, Any]) -> dict[str, Any]:
        """Replace the doc with the same id, or insert it."""

    @abstractmethod
    async def insert_if_absent(self, doc: dict[str, Any]) -> bool:
        """True if inserted, False if the id already existed (for idempotent effects)."""

    @abstractmethod
    async def get(self, id: str) -> dict[str, Any] | None: ...

    @abstractmethod
    async def find_one(self, filter: Filter) -> dict[str, Any] | None: ...

    @abstractmethod
    async def update(self, id: str, changes: dict[str, Any]) -> dict[str, Any] | None:
        """$set semantics on top-level and dotted fields; the updated doc, or None when the id is unknown."""

    @abstractmethod
    async def update_where(self, id: str, filter: Filter, changes: dict[str, Any]) -> dict[str, Any] | None:
        """Compare-and-set: `$set` `changes` on the doc with this id only if it also matches `filter`, as one atomic
        step (across processes too); the updated doc, or None when no doc has this id and matches. Leases and
        claims are built on it (two workers never both win one row)."""

    @abstractmethod
    async def increment(self, id: str, field: str, by: float = 1) -> dict[str, Any] | None:
        """Atomically add `by` to a numeric field (a missing field counts as 0)."""

    @abstractmethod
    async def delete(self, id: str) -> bool: ...

    @abstractmethod
    async def delete_many(self, filter: Filter) -> int: ...

    @abstractmethod
    async def find(
        self, filter: Filter | None = None, *, sort: Sort = (), skip: int = 0, limit: int | None = None
    ) -> list[dict[str, Any]]: ...

    @abstractmethod
    async def count(self, filter: Filter | None = None) -> int: ...

    @abstractmethod
    async def count_by(self, field: str, filter: Filter | None = None) -> dict[Any, int]:
        """Group-by count; a missing or null field groups under None."""

    @abstractmethod
    async def aggregate(self, field: str, op: AggregateOp, filter: Filter | None = None) -> float | None:
        """sum/avg/min/max over the numeric values of `field`; None when no matching doc holds a number."""

    @abstractmethod
    async def ensure_index(self, fields: Sequence[str], *, unique: bool = False) -> None: ...

    @abstractmethod
    async def drop_index(self, fields: Sequence[str], *, unique: bool = False) -> bool:
        """Drop the index `ensure_index(fields, unique=unique)` made (a migration); False when there is none."""


class DocumentStore(ABC):
    """One service's database: a set of collections."""

    @abstractmethod
    def collection(self, name: str) -> Collection: ...

    @abstractmethod
    async def close(self) -> None: ...

    @abstractmethod
    async def ping(self) -> bool:
        """Readiness: True when the database answers."""

    @abstractmethod
    async def commit(self, writes: Sequence[Write]) -> None:
        """Apply `writes`, across collections, as one unit: all of them or none is ever the outcome.

        Why: a command's effects and its inbox record ("this event id was handled, here is the reply") must
        land together, or a crash between them repeats or half-applies the command on redelivery. SQLite runs
        them in one transaction; MongoDB (standalone servers have no transactions) first stores them all in
        one journal document (a single-document write is atomic), then applies them; a journal left by a
        crash is rolled forward by `recover()`, which every service calls when it opens its store.
        """

    @abstractmethod
    async def recover(self) -> int:
        """Finish commits a crash interrupted (see `commit`); the number finished. Call before serving."""
