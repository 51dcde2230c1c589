"""Character n-gram TF-IDF: texts in, L2-normalised sparse rows (scikit-learn's char_wb TfidfVectorizer) out.

The intent blend uses it as a lexical view beside the two MiniLM encoders: BANKING77's intents hinge on words such as
"pending", "reverted" or "top up", which char n-grams catch even when misspelt. The training script fits scikit-learn's
TfidfVectorizer; the service re-implements only its transform, so no pickled object is ever loaded.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

import numpy as np
from scipy.sparse import csr_matrix

_WHITE_SPACES = re.compile(r"\s\s+")  # scikit-learn's own pattern: runs of two or more collapse to one space


def char_wb_ngrams(text: str, low: int, high: int) -> list[str]:
    """n-grams (low ≤ n ≤ high) inside space-padded words, exactly as TfidfVectorizer(analyzer="char_wb") cuts them."""
    out: list[str] = []
    for word in _WHITE_SPACES.sub(" ", text.lower()).split():
        padded = f" {word} "
        for n in range(low, high + 1):
            out += [padded[i : i + n] for i in range(max(1, len(padded) - n + 1))]
            if len(padded) <= n:  # a word shorter than n counts once, for the smallest such n only
                break
    return out


class CharTfidf:
    """transform() of a fitted TfidfVectorizer(analyzer="char_wb", sublinear_tf=True, norm="l2")."""

    def __init__(self, vocabulary: Sequence[str], idf: np.ndarray, ngram_range: tuple[int, int]) -> None:
        self.index = {gram: i for i, gram in enumerate(vocabulary)}
        self.idf = np.asarray(idf, dtype=np.float32)
        self.low, self.high = ngram_range

    def transform(self, texts: Sequence[str]) -> csr_matrix:
        rows: list[int] = []
        cols: list[int] = []
        values: list[float] = []
        for r, text in enumerate(texts):
            counts = Counter(self.index[g] for g in char_wb_ngrams(text, self.low, self.high) if g in self.index)
            rows += [r] * len(counts)
            cols += counts.keys()
            values += counts.values()
        tf = np.asarray(values, dtype=np.float32)
        data = (1.0 + np.log(tf)) * self.idf[np.asarray(cols, dtype=np.int64)] if values else tf
        matrix = csr_matrix((data, (rows, cols)), shape=(len(texts), len(self.index)), dtype=np.float32)
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return csr_matrix(matrix.multiply(1.0 / norms[:, None]))
