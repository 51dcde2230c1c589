"""MongoDB adapter of the document-store port (motor): the doc "id" is the Mongo "_id"."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError, OperationFailure, PyMongoError

from libs.errors import Conflict, Invalid, Unavailable
from libs.store.documents import (
    check_amount,
    check_field,
    check_name,
    parent_paths,
    prepare_changes,
    prepare_doc,
)
from libs.store.filters import check_page, parse_sort

# Filter translation lives in mongo_filter.py; re-exported because tests and callers import it from here.
from libs.store.mongo_filter import mongo_field, to_mongo_filter
from libs.store.mongo_journal import Journal
from libs.store.port import AggregateOp, Collection, DocumentStore, Filter, Sort, Write

__all__ = ["MongoCollection", "MongoStore", "mongo_field", "to_mongo_filter"]


def _from_mongo(raw: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if raw is None:
        return None
    return {"id": raw["_id"], **{k: v for k, v in raw.items() if k != "_id"}}


def _to_mongo(body: dict[str, Any]) -> dict[str, Any]:
    return {"_id": body["id"], **{k: v for k, v in body.items() if k != "id"}}


# The BSON number types the adapter writes (Python int and float), each by name: neither the "number" alias nor a
# list of types is understood by every MongoDB-protocol server (FerretDB, mongomock).
NUMERIC_TYPES = ("double", "int", "long")


def _is_number(field: str) -> list[dict[str, Any]]:
    return [{field: {"$type": name}} for name in NUMERIC_TYPES]


# Unique-index violations: MongoDB's codes, and the SQLite constraint message FerretDB returns as code 1.
DUPLICATE_KEY_CODES = (11000, 11001)


def _is_duplicate_key(exc: OperationFailure) -> bool:
    return exc.code in DUPLICATE_KEY_CODES or "UNIQUE constraint failed" in str(exc)


def _dotted(document: dict[str, Any], path: str) -> Any:
    value: Any = document
    for part in path.split("."):
        value = value[part]
    return value


@asynccontextmanager
async def _mapped_errors() -> AsyncIterator[None]:
    try:
        yield
    except DuplicateKeyError as exc:
        raise Conflict("duplicate key", {"key": (exc.details or {}).get("keyValue")}) from exc
    except OperationFailure as exc:
        if _is_duplicate_key(exc):
            raise Conflict("duplicate key", {"key": (exc.details or {}).get("keyValue")}) from exc
        # Server-side refusals of a valid-looking request ($set under a scalar, $inc of a string).
        raise Invalid("the database refused the operation", {"reason": str(exc)}) from exc
    except PyMongoError as exc:
        raise Unavailable("document store unavailable", {"reason": type(exc).__name__}) from exc


class MongoStore(DocumentStore):
    """Takes any motor-compatible client (AsyncIOMotorClient, mongomock_motor for tests)."""

    def __init__(self, client: Any, database: str, *, owns_client: bool = True) -> None:
        self._client = client
        self._db = client[check_name(database, "database")]
        self._owns_client = owns_client
        self._collections: dict[str, MongoCollection] = {}
        self._journal = Journal(self)

    def collection(self, name: str) -> MongoCollection:
        found = self._collections.get(name)
        if found is None:
            found = self._collections[name] = MongoCollection(self._db[check_name(name, "collection")])
        return found

    async def close(self) -> None:
        if self._owns_client:
            self._client.close()

    async def ping(self) -> bool:
        try:
            reply = await self._db.command("ping")
        except PyMongoError:
            return False
        return bool(reply.get("ok"))

    async def commit(self, writes: Sequence[Write]) -> None:
        await self._journal.commit(writes)

    async def recover(self) -> int:
        return await self._journal.recover()


class MongoCollection(Collection):
    def __init__(self, raw: Any) -> None:
        self._raw = raw

    async def insert(self, doc: dict[str, Any]) -> dict[str, Any]:
        body = prepare_doc(doc)
        async with _mapped_errors():
            await self._raw.insert_one(_to_mongo(body))
        return body

    async def upsert(self, doc: dict[str, Any]) -> dict[str, Any]:
        body = prepare_doc(doc)
        replacement = {k: v for k, v in body.items() if k != "id"}
        for attempt in range(2):
            try:
                async with _mapped_errors():
                    await self._raw.replace_one({"_id": body["id"]}, replacement, upsert=True)
                return body
            except Conflict:
                # Two racing upserts of a new id: the loser's insert hits _id; the retry replaces.
                if attempt or await self._raw.find_one({"_id": body["id"]}, {"_id": 1}) is None:
                    raise
        return body

    async def insert_if_absent(self, doc: dict[str, Any]) -> bool:
        body = prepare_doc(doc)
        try:
            async with _mapped_errors():
                await self._raw.insert_one(_to_mongo(body))
        except Conflict:
            if await self.get(body["id"]) is not None:
                return False
            raise  # a unique index other than the id refused it
        return True

    async def get(self, id: str) -> dict[str, Any] | None:
        async with _mapped_errors():
            return _from_mongo(await self._raw.find_one({"_id": id}))

    async def find_one(self, filter: Filter) -> dict[str, Any] | None:
        query = to_mongo_filter(filter)
        async with _mapped_errors():
            return _from_mongo(await self._raw.find_one(query))

    async def update(self, id: str, changes: dict[str, Any]) -> dict[str, Any] | None:
        fields = prepare_changes(id, changes)
        if not fields:
            return await self.get(id)
        # Guard dotted parents so a scalar parent is refused the same way on every server and on mongomock.
        parents = sorted({p for f in fields for p in parent_paths(f)})
        query: dict[str, Any] = {"_id": id}
        if parents:
            query["$and"] = [{"$or": [{p: {"$type": "object"}}, {p: {"$exists": False}}]} for p in parents]
        return await self._modify(id, query, {"$set": fields}, fields=list(fields))

    async def update_where(self, id: str, filter: Filter, changes: dict[str, Any]) -> dict[str, Any] | None:
        fields = prepare_changes(id, changes)
        matching: dict[str, Any] = {"$and": [{"_id": id}, to_mongo_filter(filter)]}
        parents = sorted({p for f in fields for p in parent_paths(f)})
        guarded = {
            "$and": [
                *matching["$and"],
                *({"$or": [{p: {"$type": "object"}}, {p: {"$exists": False}}]} for p in parents),
            ]
        }
        async with _mapped_errors():  # one find_one_and_update: the match and the write are atomic on the server
            if not fields:
                return _from_mongo(await self._raw.find_one(matching))
            raw = await self._raw.find_one_and_update(guarded, {"$set": fields}, return_document=ReturnDocument.AFTER)
            if raw is None and parents and await self._raw.find_one(matching) is not None:
                raise Invalid("field type does not allow this change", {"field": sorted(fields)[0]})
        return _from_mongo(raw)

    async def increment(self, id: str, field: str, by: float = 1) -> dict[str, Any] | None:
        check_field(field)
        amount = check_amount(by)
        if field == "id":
            raise Invalid("'id' cannot be changed", {"field": "id"})
        numeric = {"$or": [*_is_number(field), {field: {"$exists": False}}]}
        return await self._modify(id, {"_id": id, **numeric}, {"$inc": {field: amount}}, fields=[field])

    async def _modify(
        self, id: str, query: dict[str, Any], change: dict[str, Any], *, fields: list[str]
    ) -> dict[str, Any] | None:
        async with _mapped_errors():
            raw = await self._raw.find_one_and_update(query, change, return_document=ReturnDocument.AFTER)
        if raw is None and await self.get(id) is not None:
            raise Invalid("field type does not allow this change", {"field": fields[0]})
        return _from_mongo(raw)

    async def delete(self, id: str) -> bool:
        async with _mapped_errors():
            result = await self._raw.delete_one({"_id": id})
        return bool(result.deleted_count == 1)

    async def delete_many(self, filter: Filter) -> int:
        query = to_mongo_filter(filter)
        async with _mapped_errors():
            result = await self._raw.delete_many(query)
        return int(result.deleted_count)

    async def find(
        self, filter: Filter | None = None, *, sort: Sort = (), skip: int = 0, limit: int | None = None
    ) -> list[dict[str, Any]]:
        check_page(skip, limit)
        query = to_mongo_filter(filter)
        keys = [(mongo_field(f), d) for f, d in parse_sort(sort)]
        if limit == 0:
            return []  # Mongo reads limit 0 as "no limit"
        cursor = self._raw.find(query).sort(keys).skip(skip)
        if limit is not None:
            cursor = cursor.limit(limit)
        async with _mapped_errors():
            return [doc for raw in await cursor.to_list(None) if (doc := _from_mongo(raw)) is not None]

    async def count(self, filter: Filter | None = None) -> int:
        query = to_mongo_filter(filter)
        async with _mapped_errors():
            return int(await self._raw.count_documents(query))

    async def count_by(self, field: str, filter: Filter | None = None) -> dict[Any, int]:
        check_field(field)
        pipeline = [
            {"$match": to_mongo_filter(filter)},
            {"$group": {"_id": f"${mongo_field(field)}", "n": {"$sum": 1}}},
        ]
        counts: dict[Any, int] = {}
        async with _mapped_errors():
            rows = await self._raw.aggregate(pipeline).to_list(None)
        for row in rows:
            if isinstance(row["_id"], list | dict):
                raise Invalid("count_by needs a scalar field", {"field": field})
            counts[row["_id"]] = counts.get(row["_id"], 0) + int(row["n"])
        return counts

    async def aggregate(self, field: str, op: AggregateOp, filter: Filter | None = None) -> float | None:
        check_field(field)
        if op not in ("sum", "avg", "min", "max"):
            raise Invalid("aggregate op must be sum, avg, min or max", {"field": "op"})
        name = mongo_field(field)
        query = to_mongo_filter(filter)
        numeric = {"$or": _is_number(name)}
        match = {"$and": [query, numeric]} if query else numeric
        # Built from count, $sum and a sorted find: the $group accumulators past $sum are missing on some
        # MongoDB-protocol servers (FerretDB v1), and a sorted find uses an index for min/max where one exists.
        async with _mapped_errors():
            count = await self._raw.count_documents(match)
            if count == 0:
                return None
            if op in ("min", "max"):
                cursor = self._raw.find(match, {name: 1}).sort(name, 1 if op == "min" else -1).limit(1)
                first = (await cursor.to_list(1))[0]
                return float(_dotted(first, name))
            rows = await self._raw.aggregate(
                [{"$match": match}, {"$group": {"_id": None, "v": {"$sum": f"${name}"}}}]
            ).to_list(None)
        total = float(rows[0]["v"])
        return total if op == "sum" else total / count

    async def ensure_index(self, fields: Sequence[str], *, unique: bool = False) -> None:
        names = [check_field(f) for f in fields]
        if not names:
            raise Invalid("an index needs at least one field", {"field": "fields"})
        if names == ["id"]:
            return
        async with _mapped_errors():
            await self._raw.create_index([(mongo_field(f), 1) for f in names], unique=unique)

    async def drop_index(self, fields: Sequence[str], *, unique: bool = False) -> bool:
        names = [check_field(f) for f in fields]
        if not names or names == ["id"]:
            return False
        keys = [(mongo_field(f), 1) for f in names]
        async with _mapped_errors():
            # Found by its keys and uniqueness, not by name: servers name indexes differently (FerretDB, mongomock).
            for name, info in (await self._raw.index_information()).items():
                if [(k, int(d)) for k, d in info["key"]] == keys and bool(info.get("unique")) == unique:
                    await self._raw.drop_index(name)
                    return True
        return False
