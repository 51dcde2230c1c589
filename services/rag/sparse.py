"""Text in, BM25-style sparse vectors out: stemmed word terms hashed to stable indices, saturated TF weights.

Documents carry BM25's term-frequency part, tf·(k1+1) / (tf + k1·(1 − b + b·dl/avgdl)); queries carry 1 per
distinct term; the IDF factor is applied at query time (Qdrant `Modifier.IDF`, or `idf` below in the
in-process mirror), so adding documents never requires re-weighting the ones already indexed.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections import Counter
from functools import lru_cache

K1 = 1.2
B = 0.75
# BM25 normalises by the corpus' average length; a fixed figure keeps stored weights stable as the corpus
# grows (fastembed's Bm25 does the same). Chunks are ~200 word pieces, about 90 terms after stop-word removal.
AVG_DOC_TERMS = 90.0

_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
_STOPWORD_TEXT = """a about above after again against all am an and any are as at be because been before being below
between both but by can could did do does doing down during each few for from further had has have having
he her here hers herself him himself his how i if in into is it its itself just me more most my myself no
nor not of off on once only or other our ours ourselves out over own same she should so some such than
that the their theirs them themselves then there these they this those through to too under until up very
was we were what when where which while who whom why will with would you your yours yourself yourselves
i'm i've i'd i'll it's don't can't won't isn't doesn't didn't s t"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


@lru_cache(maxsize=1)
def _stemmer() -> object:
    import snowballstemmer

    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    return str(_stemmer().stemWord(word))  # type: ignore[attr-defined]


def terms(text: str) -> list[str]:
    """Lower-cased, accent-folded, stop-word-free Snowball stems, in text order."""
    folded = unicodedata.normalize("NFKC", text).lower()
    out = []
    for match in _TOKEN.finditer(folded):
        word = match.group(0).replace("’", "'")
        if word not in STOPWORDS and len(word) < 40:
            out.append(_stem(word.removesuffix("'s")))
    return out


@lru_cache(maxsize=200_000)
def term_index(term: str) -> int:
    """Stable 31-bit index of a term (blake2b, not Python's salted hash): identical across processes."""
    return int.from_bytes(hashlib.blake2b(term.encode(), digest_size=4).digest(), "big") & 0x7FFFFFFF


def document_vector(text: str) -> tuple[list[int], list[float]]:
    """Sorted indices and BM25 TF weights of a passage; empty lists when it has no indexable term."""
    counts: Counter[int] = Counter(term_index(t) for t in terms(text))
    length = sum(counts.values())
    if not length:
        return [], []
    norm = K1 * (1 - B + B * length / AVG_DOC_TERMS)
    indices = sorted(counts)
    return indices, [counts[i] * (K1 + 1) / (counts[i] + norm) for i in indices]


def query_vector(text: str) -> tuple[list[int], list[float]]:
    """Sorted indices of the query's distinct terms, each weighted 1 (IDF is applied by the index)."""
    indices = sorted({term_index(t) for t in terms(text)})
    return indices, [1.0] * len(indices)


def idf(document_frequency: int, documents: int) -> float:
    """BM25 IDF, the same formula Qdrant applies for `Modifier.IDF`: ln((N − df + 0.5) / (df + 0.5) + 1)."""
    return math.log((documents - document_frequency + 0.5) / (document_frequency + 0.5) + 1)
