"""rag.Retrieve.v1 hands back the query's embedding, so the conversation turn does not embed the query twice."""

from __future__ import annotations

import numpy as np

from libs.embeddings import get_encoder
from tests.unit.rag_api.conftest import Platform


async def test_retrieve_returns_the_query_embedding(platform: Platform) -> None:
    query = "How do I reset my password?"
    data = await platform.retrieve(query)
    vector = np.asarray(data["query_vector"], dtype=np.float32)
    assert vector.shape == (384,)
    expected = get_encoder().encode([query])[0]
    assert float(vector @ expected) > 0.999  # the same unit vector, up to rounding
