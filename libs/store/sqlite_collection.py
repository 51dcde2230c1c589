"""The SQLite adapter's collection: one (id, doc JSON) table, queried through JSON paths (sqlite_query.py).

Every operation is one synchronous `store.run` call, so it cannot interleave with another task's."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import orjson

from libs.errors import Conflict, Invalid
from libs.store.documents import (
    check_amount,
    check_field,
    get_path,
    is_missing,
    prepare_changes,
    prepare_doc,
    set_path,
)
from libs.store.filters import check_page, parse_sort
from libs.store.port import AggregateOp, Collection, Filter, Sort
from libs.store.sqlite_query import compile_order, compile_where, type_expr, value_expr

if TYPE_CHECKING:
    from libs.store.sqlite import SQLiteStore

_AGGREGATES = {"sum": "SUM", "avg": "AVG", "min": "MIN", "max": "MAX"}


def dumps(doc: dict[str, Any]) -> str:
    return orjson.dumps(doc).decode()


class SQLiteCollection(Collection):
    def __init__(self, store: SQLiteStore, name: str) -> None:
        self._store = store
        self._table = f'"{name}"'
        self._name = name

    async def insert(self, doc: dict[str, Any]) -> dict[str, Any]:
        body = prepare_doc(doc)
        sql = f"INSERT INTO {self._table} (id, doc) VALUES (?, ?)"
        try:
            self._store.run(lambda conn: conn.execute(sql, (body["id"], dumps(body))))
        except Conflict as exc:
            exc.details.setdefault("id", body["id"])
            raise
        return body

    async def upsert(self, doc: dict[str, Any]) -> dict[str, Any]:
        body = prepare_doc(doc)
        sql = f"INSERT INTO {self._table} (id, doc) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET doc = excluded.doc"
        self._store.run(lambda conn: conn.execute(sql, (body["id"], dumps(body))))
        return body

    async def insert_if_absent(self, doc: dict[str, Any]) -> bool:
        body = prepare_doc(doc)
        sql = f"INSERT INTO {self._table} (id, doc) VALUES (?, ?) ON CONFLICT(id) DO NOTHING"
        cursor = self._store.run(lambda conn: conn.execute(sql, (body["id"], dumps(body))))
        return cursor.rowcount == 1

    async def get(self, id: str) -> dict[str, Any] | None:
        row = self._store.run(
            lambda conn: conn.execute(f"SELECT doc FROM {self._table} WHERE id = ?", (id,)).fetchone()
        )
        return None if row is None else orjson.loads(row[0])

    async def find_one(self, filter: Filter) -> dict[str, Any] | None:
        where, params = compile_where(filter)
        sql = f"SELECT doc FROM {self._table} WHERE {where} LIMIT 1"
        row = self._store.run(lambda conn: conn.execute(sql, params).fetchone())
        return None if row is None else orjson.loads(row[0])

    async def update(self, id: str, changes: dict[str, Any]) -> dict[str, Any] | None:
        fields = prepare_changes(id, changes)

        def apply(doc: dict[str, Any]) -> None:
            for field, value in fields.items():
                set_path(doc, field, value)

        return self._read_modify_write(id, apply)

    async def update_where(self, id: str, filter: Filter, changes: dict[str, Any]) -> dict[str, Any] | None:
        fields = prepare_changes(id, changes)
        where, params = compile_where(filter)  # parsed before the transaction: a bad filter writes nothing

        def apply(doc: dict[str, Any]) -> None:
            for field, value in fields.items():
                set_path(doc, field, value)

        return self._read_modify_write(id, apply, where=(where, params))

    async def increment(self, id: str, field: str, by: float = 1) -> dict[str, Any] | None:
        check_field(field)
        amount = check_amount(by)
        if field == "id":
            raise Invalid("'id' cannot be changed", {"field": "id"})

        def apply(doc: dict[str, Any]) -> None:
            current = get_path(doc, field)
            if is_missing(current):
                current = 0
            elif isinstance(current, bool) or not isinstance(current, int | float):
                raise Invalid("cannot increment a non-numeric field", {"field": field})
            set_path(doc, field, current + amount)

        return self._read_modify_write(id, apply)

    def _read_modify_write(
        self, id: str, apply: Callable[[dict[str, Any]], None], *, where: tuple[str, list[Any]] = ("1", [])
    ) -> dict[str, Any] | None:
        # BEGIN IMMEDIATE holds the write lock from the read on, so the filter's answer still holds at the write.
        select = f"SELECT doc FROM {self._table} WHERE id = ? AND ({where[0]})"
        write = f"UPDATE {self._table} SET doc = ? WHERE id = ?"

        def work(conn: sqlite3.Connection) -> dict[str, Any] | None:
            with self._store.transaction(conn):
                row = conn.execute(select, (id, *where[1])).fetchone()
                if row is None:
                    return None
                doc: dict[str, Any] = orjson.loads(row[0])
                apply(doc)
                conn.execute(write, (dumps(doc), id))
                return doc

        return self._store.run(work)

    async def delete(self, id: str) -> bool:
        sql = f"DELETE FROM {self._table} WHERE id = ?"
        return self._store.run(lambda conn: conn.execute(sql, (id,)).rowcount) == 1

    async def delete_many(self, filter: Filter) -> int:
        where, params = compile_where(filter)
        sql = f"DELETE FROM {self._table} WHERE {where}"
        return self._store.run(lambda conn: conn.execute(sql, params).rowcount)

    async def find(
        self, filter: Filter | None = None, *, sort: Sort = (), skip: int = 0, limit: int | None = None
    ) -> list[dict[str, Any]]:
        check_page(skip, limit)
        where, params = compile_where(filter)
        order = compile_order(parse_sort(sort))
        sql = f"SELECT doc FROM {self._table} WHERE {where}{order} LIMIT ? OFFSET ?"
        args = [*params, -1 if limit is None else limit, skip]
        rows = self._store.run(lambda conn: conn.execute(sql, args).fetchall())
        return [orjson.loads(row[0]) for row in rows]

    async def count(self, filter: Filter | None = None) -> int:
        where, params = compile_where(filter)
        sql = f"SELECT COUNT(*) FROM {self._table} WHERE {where}"
        return int(self._store.run(lambda conn: conn.execute(sql, params).fetchone()[0]))

    async def count_by(self, field: str, filter: Filter | None = None) -> dict[Any, int]:
        check_field(field)
        where, params = compile_where(filter)
        value, kind = value_expr(field), type_expr(field)
        # Booleans come out of json_extract as 1/0, so the JSON type rides along to restore them.
        sql = (
            f"SELECT {value}, {kind}, COUNT(*) FROM {self._table} WHERE {where} "
            f"GROUP BY {value}, {kind} IN ('true', 'false')"
        )
        counts: dict[Any, int] = {}
        for raw, json_type, n in self._store.run(lambda conn: conn.execute(sql, params).fetchall()):
            if json_type in ("array", "object"):
                raise Invalid("count_by needs a scalar field", {"field": field})
            key = bool(raw) if json_type in ("true", "false") else raw
            counts[key] = counts.get(key, 0) + n
        return counts

    async def aggregate(self, field: str, op: AggregateOp, filter: Filter | None = None) -> float | None:
        check_field(field)
        if op not in _AGGREGATES:
            raise Invalid("aggregate op must be sum, avg, min or max", {"field": "op"})
        where, params = compile_where(filter)
        sql = (
            f"SELECT {_AGGREGATES[op]}({value_expr(field)}) FROM {self._table} "
            f"WHERE ({where}) AND {type_expr(field)} IN ('integer', 'real')"
        )
        result = self._store.run(lambda conn: conn.execute(sql, params).fetchone()[0])
        return None if result is None else float(result)

    async def ensure_index(self, fields: Sequence[str], *, unique: bool = False) -> None:
        names = [check_field(f) for f in fields]
        if not names:
            raise Invalid("an index needs at least one field", {"field": "fields"})
        if names == ["id"]:
            return  # the primary key already is one
        exprs, index = ", ".join(value_expr(f) for f in names), self._index(names, unique)
        sql = f"CREATE {'UNIQUE ' if unique else ''}INDEX IF NOT EXISTS {index} ON {self._table} ({exprs})"
        self._store.run(lambda conn: conn.execute(sql))

    async def drop_index(self, fields: Sequence[str], *, unique: bool = False) -> bool:
        names = [check_field(f) for f in fields]
        if not names or names == ["id"]:
            return False
        name = self._index(names, unique)
        query = "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?"

        def work(conn: sqlite3.Connection) -> bool:
            if conn.execute(query, (name.strip('"'),)).fetchone() is None:
                return False
            conn.execute(f"DROP INDEX {name}")
            return True

        return self._store.run(work)

    def _index(self, names: list[str], unique: bool) -> str:
        return f'"ix:{self._name}:{",".join(names)}{":unique" if unique else ""}"'
