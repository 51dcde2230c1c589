"""SentenceEncoder: a text's vector never depends on the texts it is sent with, and ids embed exactly like text."""

from __future__ import annotations

import numpy as np

from libs.embeddings import EMBEDDING_DIM, get_encoder
from services.rag.chunking import TokenChunker
from services.rag.models import Section

TEXTS = [
    "Refunds reach the original card within 5 to 7 business days.",
    "hi",
    "How do I reset my password if the emailed link has already expired? " * 6,
    "Opening hours: 9am to 5pm.",
    "Crème brûlée costs €7 — see https://example.com/menu?item=42&lang=fr for the rest.",
]


def test_a_texts_vector_does_not_depend_on_the_texts_sent_with_it() -> None:
    encoder = get_encoder()
    one_by_one = np.stack([encoder.encode([t])[0] for t in TEXTS])
    together = encoder.encode(TEXTS)
    reversed_with_others = encoder.encode([*reversed(TEXTS), "an unrelated long sentence about weather " * 9])
    assert together.shape == (len(TEXTS), EMBEDDING_DIM)
    np.testing.assert_allclose(together, one_by_one, atol=1e-5)
    np.testing.assert_allclose(reversed_with_others[: len(TEXTS)][::-1], one_by_one, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    assert encoder.encode([]).shape == (0, EMBEDDING_DIM)


def test_similar_meaning_scores_higher_than_unrelated_text() -> None:
    refund, card_refund, hours = get_encoder().encode(
        ["When will my refund arrive?", "How long until the money is back on my card?", "Opening hours: 9am to 5pm."]
    )
    assert float(refund @ card_refund) > float(refund @ hours) + 0.2


def test_chunker_token_ids_embed_exactly_like_the_chunk_text() -> None:
    text = " ".join(TEXTS[2:] * 20)
    chunks = TokenChunker(64, 8).chunk([Section(text, heading="Password help"), Section(TEXTS[0])])
    assert len(chunks) > 3 and all(c.token_ids is not None for c in chunks)
    encoder = get_encoder()
    from_ids = encoder.encode_ids([c.token_ids or () for c in chunks])
    from_text = encoder.encode([c.embed_text for c in chunks])
    np.testing.assert_allclose(from_ids, from_text, atol=1e-4)


def test_overlong_ids_are_truncated_like_overlong_text() -> None:
    long_text = "word " * 600
    encoder = get_encoder()
    ids = TokenChunker(256, 0)._tokens(long_text)[1]
    assert ids is not None and len(ids) > 256
    np.testing.assert_allclose(encoder.encode_ids([ids]), encoder.encode([long_text]), atol=1e-4)
