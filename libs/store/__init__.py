"""Document-store port and factory: settings in, a MongoDB- or SQLite-backed DocumentStore out."""

from __future__ import annotations

from pathlib import Path

from libs.store.documents import check_name
from libs.store.port import AggregateOp, Collection, DocumentStore, Filter, Insert, Sort, Update, Upsert, Write
from libs.store.sqlite import SQLiteStore

__all__ = [
    "AggregateOp",
    "Collection",
    "DocumentStore",
    "Filter",
    "Insert",
    "Sort",
    "Update",
    "Upsert",
    "Write",
    "open_store",
]


def open_store(*, database: str, mongodb_url: str | None = None, sqlite_dir: Path | None = None) -> DocumentStore:
    """mongodb_url -> MongoDB `database`; else <sqlite_dir>/<database>.sqlite3; neither -> in-memory."""
    check_name(database, "database")
    if mongodb_url:
        # Imported here so SQLite-only processes never load motor.
        from motor.motor_asyncio import AsyncIOMotorClient

        from libs.store.mongo import MongoStore

        return MongoStore(AsyncIOMotorClient(mongodb_url, tz_aware=True), database)
    if sqlite_dir is None:
        return SQLiteStore(":memory:")
    directory = Path(sqlite_dir)
    directory.mkdir(parents=True, exist_ok=True)
    return SQLiteStore(directory / f"{database}.sqlite3")
