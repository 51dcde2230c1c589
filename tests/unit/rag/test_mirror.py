"""In-process search mirror: tenant isolation, exact dense top-k, BM25 scoring with per-tenant IDF, removal."""

from __future__ import annotations

import math

import numpy as np

from services.rag.mirror import SearchMirror
from services.rag.models import ChunkRecord
from services.rag.sparse import document_vector, idf, query_vector


def record(pid: str, tenant: str, text: str, vector: np.ndarray, doc: str = "d") -> ChunkRecord:
    indices, values = document_vector(text)
    payload: dict[str, object] = {"tenant_id": tenant, "doc_key": doc, "version": "v1", "content": text}
    return ChunkRecord(pid, (vector / np.linalg.norm(vector)).tolist(), indices, values, payload)


def test_dense_top_k_is_exact_and_tenant_scoped() -> None:
    rng = np.random.default_rng(7)
    vectors = rng.standard_normal((40, 384)).astype(np.float32)
    mirror = SearchMirror(384)
    mirror.add(record(f"p{i}", "t1" if i % 2 else "t2", f"text {i}", vectors[i]) for i in range(40))
    query = vectors[3] / np.linalg.norm(vectors[3])
    hits = mirror.search_dense("t1", query, 5)
    assert hits[0][0] == "p3" and math.isclose(hits[0][1], 1.0, rel_tol=1e-5)
    assert all(h[2]["tenant_id"] == "t1" for h in hits)
    t1 = [i for i in range(40) if i % 2]
    unit = vectors[t1] / np.linalg.norm(vectors[t1], axis=1, keepdims=True)
    expected = [f"p{t1[j]}" for j in np.argsort(-(unit @ query))[:5]]
    assert [h[0] for h in hits] == expected
    assert mirror.search_dense("nobody", query, 5) == []


def test_sparse_scores_are_bm25_with_idf_over_the_tenant_only() -> None:
    mirror = SearchMirror(384)
    ones = np.ones(384, np.float32)
    texts = ["refund policy for orders", "shipping times for orders", "refund refund refund"]
    mirror.add(record(f"p{i}", "t1", t, ones) for i, t in enumerate(texts))
    mirror.add([record("other", "t2", "refund everything", ones)])  # another tenant's text must not shift IDF
    hits = mirror.search_sparse("t1", *query_vector("refund"), limit=10)
    assert {h[0] for h in hits} == {"p0", "p2"}  # p1 shares no term and is not a candidate
    _, vals = document_vector(texts[2])
    expected = vals[0] * idf(2, 3)
    assert math.isclose(dict((h[0], h[1]) for h in hits)["p2"], expected, rel_tol=1e-5)
    assert hits[0][0] == "p2"


def test_remove_takes_rows_out_of_search() -> None:
    mirror = SearchMirror(384)
    ones = np.ones(384, np.float32)
    mirror.add([record("a", "t1", "alpha", ones, doc="x"), record("b", "t1", "alpha", ones, doc="y")])
    assert mirror.remove("t1", lambda p: p["doc_key"] == "x") == 1
    assert [h[0] for h in mirror.search_sparse("t1", *query_vector("alpha"), limit=5)] == ["b"]
    assert mirror.count("t1") == 1


def test_select_then_remove_ids_drops_only_those_points() -> None:
    mirror = SearchMirror(384)
    ones = np.ones(384)
    mirror.add([record("a", "t1", "alpha", ones, doc="x"), record("b", "t1", "beta", ones, doc="y")])
    mirror.add([record("c", "t2", "alpha", ones, doc="x")])
    doomed = mirror.select("t1", lambda p: p["doc_key"] == "x")
    assert doomed == ["a"]
    assert mirror.remove_ids("t1", [*doomed, "missing"]) == 1
    assert [h[0] for h in mirror.search_dense("t1", ones, 5)] == ["b"]
    assert mirror.count("t2") == 1
