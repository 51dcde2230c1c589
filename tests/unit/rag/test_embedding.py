"""The ai/embed helper: native dimensions from the local model, clear 400s for anything else."""

from __future__ import annotations

import numpy as np
import pytest

from libs.embeddings import EMBEDDING_DIM, MODEL_ID, get_encoder
from libs.errors import Invalid
from services.rag.embedding import embed_texts


def test_local_model_answers_in_native_dimensions() -> None:
    texts = ["dispute a charge", "contest a payment", "sunny weather at the beach"]
    vectors, model, dims = embed_texts(texts, None, get_encoder())
    assert (model, dims) == (MODEL_ID, EMBEDDING_DIM)
    matrix = np.array(vectors)
    assert matrix.shape == (3, EMBEDDING_DIM)
    assert np.allclose(np.linalg.norm(matrix, axis=1), 1.0, atol=1e-4)
    assert float(matrix[0] @ matrix[1]) > float(matrix[0] @ matrix[2]) + 0.2
    assert embed_texts(["x"], EMBEDDING_DIM, get_encoder())[2] == EMBEDDING_DIM


@pytest.mark.parametrize(
    ("texts", "dimensions", "field"),
    [(["hi"], 1536, "dimensions"), ([], None, "texts"), (["ok", "  "], None, "texts[1]"), ("hi", None, "texts")],
)
def test_bad_requests_name_the_field(texts: object, dimensions: int | None, field: str) -> None:
    with pytest.raises(Invalid) as caught:
        embed_texts(texts, dimensions, get_encoder())  # type: ignore[arg-type]
    assert caught.value.details["field"] == field
