"""SentenceCache: uncached passages and the caller's query share one encoder call; cached ones cost nothing."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from libs.embeddings import get_encoder
from libs.llm.local.sentences import SentenceCache, split_sentences

PASSAGE = "Refunds go back to the original card within 5 to 7 business days. Keep your receipt number at hand."
OTHER = "Our opening hours are 9am to 5pm, Monday to Friday. Phone lines are closed on public holidays."


class CountingEncoder:
    """The real MiniLM encoder, recording what each call was given."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(list(texts))
        return get_encoder().encode(texts)


def test_misses_and_query_are_embedded_in_one_call() -> None:
    encoder = CountingEncoder()
    cache = SentenceCache(encoder)
    entries, extra = cache.get_many([PASSAGE, OTHER], ("when will my refund arrive?",))
    assert len(encoder.calls) == 1 and encoder.calls[0][-1] == "when will my refund arrive?"
    assert [sentences for sentences, _ in entries] == [split_sentences(PASSAGE), split_sentences(OTHER)]
    alone = get_encoder().encode(["when will my refund arrive?"])
    np.testing.assert_allclose(extra, alone, atol=1e-4)
    np.testing.assert_allclose(entries[0][1], get_encoder().encode(split_sentences(PASSAGE)), atol=1e-4)


def test_cached_passages_are_not_embedded_again_until_cleared() -> None:
    encoder = CountingEncoder()
    cache = SentenceCache(encoder)
    cache.warm([PASSAGE])
    _, extra = cache.get_many([PASSAGE], ("a query",))
    assert encoder.calls[-1] == ["a query"] and extra.shape == (1, 384)
    _, none = cache.get_many([PASSAGE])
    assert len(encoder.calls) == 2 and none.shape == (0, 384)
    cache.clear()
    cache.get_many([PASSAGE])
    assert encoder.calls[-1] == split_sentences(PASSAGE)
