"""VectorIndex on real Qdrant local mode: deletes by version stay exact, also after a write failed part-way."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from libs.errors import Unavailable
from services.rag.index import VectorIndex
from services.rag.models import ChunkRecord
from services.rag.sparse import document_vector


def records(n: int, version: str, doc: str = "file:a.txt", bad_at: int | None = None) -> list[ChunkRecord]:
    rng = np.random.default_rng(0)
    out = []
    for i in range(n):
        vector = rng.standard_normal(384 if i != bad_at else 17)  # a wrong dimension makes Qdrant refuse it
        indices, values = document_vector(f"chunk number {i} of {doc}")
        payload: dict[str, object] = {"tenant_id": "t1", "doc_key": doc, "version": version, "content": str(i)}
        out.append(
            ChunkRecord(f"00000000-0000-0000-0000-{i:06d}{version[-6:]:0>6}", list(vector), indices, values, payload)
        )
    return out


def test_a_partly_failed_upsert_is_rolled_back_completely(tmp_path: Path) -> None:
    index = VectorIndex(path=tmp_path / "q")
    try:
        index.upsert(records(3, "000001", doc="file:keep.txt"))
        with pytest.raises(Unavailable):
            index.upsert(records(300, "000002", bad_at=280))  # the first batch of 256 lands, the second fails
        assert index.count("t1") == 3 + 256
        assert index.delete("t1", "file:a.txt", only_version="000002") == 256
        assert index.count("t1") == 3
        hits = index.search("t1", np.ones(384, np.float32), document_vector("chunk number"), 50)[0]
        assert {h[2]["doc_key"] for h in hits} == {"file:keep.txt"}
    finally:
        index.close()


def test_replacing_a_version_deletes_only_the_old_points(tmp_path: Path) -> None:
    index = VectorIndex(path=tmp_path / "q")
    try:
        index.upsert(records(4, "000001"))
        index.upsert(records(2, "000002"))
        assert index.delete("t1", "file:a.txt", keep_version="000002") == 4
        assert index.count("t1") == 2 and index.count("t1", "file:a.txt") == 2
    finally:
        index.close()
    reopened = VectorIndex(path=tmp_path / "q")  # the mirror rebuilt from disk agrees with what was deleted
    try:
        assert reopened.delete("t1", "file:a.txt") == 2 and reopened.count("t1") == 0
    finally:
        reopened.close()
