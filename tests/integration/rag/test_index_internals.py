"""VectorIndex reaches into qdrant-client's local mode for its SQLite connection (`_relax_local_fsync`: WAL instead of
an fsync per point). It falls back silently when the internals move, so this test is what notices an upgrade."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from services.rag.index import VectorIndex

pytestmark = pytest.mark.integration


def test_local_mode_still_exposes_the_sqlite_connection_the_index_tunes(tmp_path: Path) -> None:
    index = VectorIndex(path=tmp_path / "q", use_mirror=False)
    # The path the index walks: QdrantClient._client (QdrantLocal).collections[name].storage (CollectionPersistence)
    # .storage (sqlite3.Connection).
    connection = index._client._client.collections[index.collection].storage.storage  # type: ignore[attr-defined]
    assert isinstance(connection, sqlite3.Connection)
    assert connection.execute("PRAGMA synchronous").fetchone() == (1,)  # NORMAL, set on this very connection
    files = list((tmp_path / "q").rglob("storage.sqlite"))
    assert len(files) == 1
    with sqlite3.connect(files[0]) as fresh:  # WAL is a property of the file: any connection sees it
        assert fresh.execute("PRAGMA journal_mode").fetchone() == ("wal",)
