"""Sparse BM25 weights: stable hashing, stemming, stop words, TF saturation and length normalisation."""

from __future__ import annotations

import math
import subprocess
import sys

from services.rag.sparse import K1, document_vector, idf, query_vector, term_index, terms


def test_terms_are_stemmed_lowercased_and_stopword_free() -> None:
    assert terms("How do I DELETE my accounts? Deleting it’s deleted!") == ["delet", "account", "delet", "delet"]


def test_term_index_is_stable_across_processes() -> None:
    here = term_index("refund")
    code = "from services.rag.sparse import term_index; print(term_index('refund'))"
    there = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert int(there) == here
    assert 0 <= here < 2**31


def test_document_weights_saturate_and_normalise_by_length() -> None:
    one, _ = document_vector("refund"), None
    idx = term_index("refund")
    w1 = dict(zip(*document_vector("refund policy"), strict=True))[idx]
    w3 = dict(zip(*document_vector("refund refund refund policy"), strict=True))[idx]
    assert w1 < w3 < K1 + 1  # more occurrences weigh more, but never beyond k1 + 1
    long_doc = "refund " + " ".join(f"filler{i}" for i in range(300))
    w_long = dict(zip(*document_vector(long_doc), strict=True))[idx]
    assert w_long < w1  # the same single mention counts less in a longer passage
    assert one[0] == sorted(one[0])


def test_query_vector_has_unit_weights_on_distinct_terms() -> None:
    indices, values = query_vector("refund the refund please")
    assert values == [1.0] * len(indices)
    assert indices == sorted({term_index("refund"), term_index("pleas")})
    assert query_vector("the and of") == ([], [])


def test_idf_matches_qdrant_formula_and_favours_rare_terms() -> None:
    assert math.isclose(idf(1, 100), math.log((100 - 1 + 0.5) / 1.5 + 1))
    assert idf(1, 100) > idf(50, 100) > 0
