"""The service's char n-gram TF-IDF against scikit-learn's own transform, and the lexical intent head end to end."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from services.sentiment.lexical import CharTfidf, char_wb_ngrams
from services.sentiment.model import SentimentModel

CORPUS = [
    "My card still hasn't arrived after two weeks",
    "How do I top up with Apple Pay?",
    "why is my top-up still pending",
    "I was charged twice for one transfer",
    "a b  c\tdd",
]
ODD = ["", "   ", "x", "ÜBER straße 😡", "TOP UP!!!", "pendingpendingpending", "unseen qqqq zzzz"]


def test_ngrams_cut_like_scikit_learn() -> None:
    analyzer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5)).build_analyzer()
    for text in CORPUS + ODD:
        assert char_wb_ngrams(text, 2, 5) == analyzer(text)


@pytest.mark.parametrize("ngram_range", [(2, 5), (1, 3)])
def test_transform_equals_scikit_learn(ngram_range: tuple[int, int]) -> None:
    fitted = TfidfVectorizer(analyzer="char_wb", ngram_range=ngram_range, sublinear_tf=True).fit(CORPUS)
    vocabulary = sorted(fitted.vocabulary_, key=fitted.vocabulary_.get)
    ours = CharTfidf(vocabulary, fitted.idf_, ngram_range).transform(CORPUS + ODD).toarray()
    assert np.abs(ours - fitted.transform(CORPUS + ODD).toarray()).max() < 1e-6
    assert not ours[len(CORPUS)].any()  # an empty text is an all-zero row, not NaN


def test_lexical_head_ranks_the_obvious_intent(model: SentimentModel) -> None:
    probs = model._heads.lexical_intent(["I want to change my PIN", ""])
    assert np.allclose(probs.sum(axis=1), 1.0)
    assert model.intent_labels[int(probs[0].argmax())] == "change_pin"
