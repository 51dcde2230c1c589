"""Fusion: RRF arithmetic, min-max blending, weighting and stable tie-breaking."""

from __future__ import annotations

import math

import pytest

from services.rag.fusion import FusionConfig, convex, focus, fuse, min_max, rrf


def test_rrf_sums_weighted_reciprocal_ranks() -> None:
    fused = rrf([["a", "b"], ["b", "c"]], weights=[1.0, 0.5], k=60)
    assert math.isclose(fused["a"], 1 / 61)
    assert math.isclose(fused["b"], 1 / 62 + 0.5 / 61)
    assert math.isclose(fused["c"], 0.5 / 62)


def test_min_max_and_convex_blend() -> None:
    assert min_max({"a": 0.2, "b": 0.6, "c": 0.4}) == pytest.approx({"a": 0.0, "b": 1.0, "c": 0.5})
    assert min_max({"a": 3.0}) == {"a": 1.0}
    fused = convex([{"a": 0.9, "b": 0.5}, {"b": 10.0, "c": 2.0}], [0.7, 0.3])
    assert math.isclose(fused["a"], 0.7)
    assert math.isclose(fused["b"], 0.3)
    assert math.isclose(fused["c"], 0.0)


def test_sparse_evidence_can_lift_a_close_second_but_not_a_clear_loser() -> None:
    dense = [("a", 0.80), ("b", 0.79), ("c", 0.30)]
    sparse = [("b", 12.0), ("c", 11.0)]
    ranked = [i for i, _ in fuse(dense, sparse, FusionConfig("convex", 0.7))]
    assert ranked[0] == "b"  # near-tie on meaning, decided by exact terms
    assert ranked.index("a") < ranked.index("c")  # c's keyword match cannot beat a far better meaning match


def test_dense_weight_one_reproduces_dense_order_and_ties_are_stable() -> None:
    dense = [("x", 0.5), ("y", 0.5), ("z", 0.1)]
    sparse = [("z", 5.0)]
    assert [i for i, _ in fuse(dense, sparse, FusionConfig("convex", 1.0))] == ["x", "y", "z"]
    assert [i for i, _ in fuse(dense, [], FusionConfig("rrf", 0.5))] == ["x", "y", "z"]


def test_focus_keeps_every_chunk_of_the_documents_near_the_best_one() -> None:
    ranked = [("a1", 1.0), ("b1", 0.95), ("c1", 0.7), ("a2", 0.6), ("b2", 0.5)]
    doc = {"a1": "A", "a2": "A", "b1": "B", "b2": "B", "c1": "C"}.__getitem__
    assert focus(ranked, doc, 0.1) == [("a1", 1.0), ("b1", 0.95), ("a2", 0.6), ("b2", 0.5)]
    assert focus(ranked, doc, 0.0) == [("a1", 1.0), ("a2", 0.6)]  # a clear winner: its chunks alone
    assert focus(ranked, doc, None) == ranked
    assert focus([], doc, 0.1) == []
