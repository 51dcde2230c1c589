"""Query-side and scoring choices measured on StackFAQ paraphrases grouped by thread (beside BM25 and the shipped
hybrid): stop-phrase stripping of the question ("how do I", "is there a way to") on the query and on the titles,
BM25's k1 and b, a title-only vector beside the chunks (max-over-both), a bonus for the best-matching answer
sentence, dense pseudo-relevance feedback, and the redaction the turn applies before retrieval.

Scored as `rank_passages` ranks (tests/eval/rag_choices.py's numpy re-implementation: chunk-level dense and BM25
top-50 lists, convex fusion of min-max scores, the first chunk's article is the answer). The grouped figure is a
nested cross-validation over threads: for each fold the variant with the best recall@1 on the other folds is
chosen (ties go to the shipped variant) and scored on this fold's paraphrases.
Run: .venv/bin/python -m tests.eval.rag_query_choices   (a minute or two: chunks and sentences embedded once)
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, replace

import numpy as np

from libs.embeddings import get_encoder
from libs.llm.local.sentences import split_sentences
from services.privacy.domain import anonymize
from services.rag import sparse
from services.rag.chunking import TokenChunker
from services.rag.ingest import _embed_chunks
from services.rag.models import Section
from services.rag.query import search_text
from tests.eval import eval_rag
from tests.eval.rag_choices import CANDIDATES, _bm25, _min_max, _top_mask

FOLDS = eval_rag.FOLDS
# Openings that say "I have a question" rather than what it is about (anchored at the start of the text).
STOP_PHRASE = re.compile(
    r"^(?:(?:so|ok|okay|hi|hello|hey|well|please)[, ]+)?(?:(?:how|where|what|why|when) (?:do|can|could|should|"
    r"would|does|did) (?:i|you|we|one)(?: go about)?|how to|is (?:there|it) (?:a|any|some)? ?(?:way|option|method)s?"
    r"(?: to| for| of| that)?|is it possible(?: to| for me to)?|(?:can|could|should|would) (?:i|you|we|one)|"
    r"i(?:'d| would) like to(?: know| find out)?(?: how to)?|i (?:want|need)(?: to)?|does anyone know(?: how to| if)?|"
    r"i'm (?:looking for|trying to)|i am (?:looking for|trying to))\s*",
    re.IGNORECASE,
)


def strip_opening(text: str) -> str:
    rest = STOP_PHRASE.sub("", text.strip())
    return rest if len(rest.split()) >= 2 else text


@dataclass(frozen=True)
class Variant:
    query: str = "raw"  # raw | stripped | mixed (mean of both vectors)
    titles: str = "raw"  # raw | stripped (the heading pull uses the stripped title)
    k1: float = sparse.K1
    b: float = sparse.B
    title_max: bool = False  # an article also scores its bare title's similarity, max with its chunks
    sentence: float = 0.0  # γ: article score + γ · best answer-sentence similarity
    prf: float = 0.0  # α: query vector + α · mean of its top-3 fused chunk vectors, then searched again
    centre: float = 0.0  # vectors minus this share of the chunks' mean vector (anisotropy correction)
    hubness: float = 0.0  # λ: dense score − λ · a chunk's mean similarity to its 5 nearest other titles (CSLS)

    def label(self) -> str:
        return " ".join(f"{k}={v}" for k, v in vars(self).items() if v != getattr(SHIPPED, k)) or "shipped"


SHIPPED = Variant()
VARIANTS = list(
    dict.fromkeys(
        [  # shipped first; duplicates of it dropped
            SHIPPED,
            *(replace(SHIPPED, query=q, titles=t) for q in ("raw", "stripped", "mixed") for t in ("raw", "stripped")),
            *(replace(SHIPPED, k1=k1, b=b) for k1 in (0.9, 1.2, 1.6) for b in (0.5, 0.75, 0.9)),
            replace(SHIPPED, title_max=True),
            *(replace(SHIPPED, sentence=g) for g in (0.1, 0.2, 0.3)),
            *(replace(SHIPPED, prf=a) for a in (0.2, 0.4)),
            *(replace(SHIPPED, centre=c) for c in (0.5, 1.0)),
            *(replace(SHIPPED, hubness=h) for h in (0.25, 0.5)),
        ]
    )
)


@dataclass
class Data:
    threads: list[dict]
    texts: list[str]
    gold: np.ndarray
    folds: np.ndarray
    chunk_raw: np.ndarray  # body + heading vectors, before the heading pull
    chunk_texts: list[str]
    owner: np.ndarray
    titles: dict[str, np.ndarray]  # raw | stripped title vectors
    queries: dict[str, np.ndarray]  # raw | stripped | mixed query vectors
    sentence_best: np.ndarray  # (queries, articles) best answer-sentence similarity


def load() -> Data:
    encoder, chunker = get_encoder(), TokenChunker()
    threads = eval_rag.load_threads()
    pairs = [(q, n) for n, t in enumerate(threads) for q in t["queries"]]
    texts, gold = [q for q, _ in pairs], np.array([n for _, n in pairs])
    raw, chunk_texts, owner = [], [], []
    for n, thread in enumerate(threads):
        chunks = chunker.chunk([Section("\n\n".join(thread["answers"]), heading=thread["question"])])
        raw.append(_embed_chunks(encoder, chunks, [c.embed_text for c in chunks]))
        chunk_texts += [c.embed_text for c in chunks]
        owner += [n] * len(chunks)
    raw_q, stripped_q = encoder.encode(texts), encoder.encode([strip_opening(t) for t in texts])
    titles = [t["question"] for t in threads]
    return Data(
        threads, texts, gold, np.array([eval_rag.fold_of(threads[n]["question"]) for n in gold]),
        np.vstack(raw), chunk_texts, np.asarray(owner),
        {"raw": encoder.encode(titles), "stripped": encoder.encode([strip_opening(t) for t in titles])},
        {"raw": raw_q, "stripped": stripped_q, "mixed": _unit(raw_q + stripped_q)},
        _sentence_best(encoder, threads, raw_q),
    )  # fmt: skip


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def _sentence_best(encoder, threads: list[dict], queries: np.ndarray) -> np.ndarray:
    sentences = [(n, s) for n, t in enumerate(threads) for a in t["answers"] for s in split_sentences(a)]
    sims = queries @ encoder.encode([s for _, s in sentences]).T
    owner = np.array([n for n, _ in sentences])
    return np.stack([sims[:, owner == n].max(axis=1) if (owner == n).any() else np.zeros(len(queries))
                     for n in range(len(threads))], axis=1)  # fmt: skip


def bm25_scores(data: Data, texts: list[str], k1: float, b: float) -> np.ndarray:
    saved = sparse.K1, sparse.B
    sparse.K1, sparse.B = k1, b  # document_vector reads them at call time
    try:
        return _bm25([sparse.document_vector(t) for t in data.chunk_texts], texts).toarray()
    finally:
        sparse.K1, sparse.B = saved


def top_articles(data: Data, v: Variant, bm25: np.ndarray, queries: np.ndarray | None = None) -> np.ndarray:
    """The article of the first passage per query under variant `v`."""
    vecs = _unit(data.chunk_raw + data.titles[v.titles][data.owner])
    q = data.queries[v.query] if queries is None else queries
    if v.centre:
        mean = vecs.mean(axis=0)
        q, vecs = _unit(q - v.centre * mean), _unit(vecs - v.centre * mean)
    fused = _fuse(q @ vecs.T - v.hubness * _hub(data, vecs), bm25)
    if v.prf:
        top = np.argsort(-fused, axis=1)[:, :3]
        fused = _fuse(_unit(q + v.prf * vecs[top].mean(axis=1)) @ vecs.T, bm25)
    if not (v.title_max or v.sentence):
        return data.owner[np.argmax(fused, axis=1)]
    articles = np.stack([fused[:, data.owner == n].max(axis=1) for n in range(len(data.threads))], axis=1)
    if v.title_max:  # the bare title's similarity, on the fused scale of the dense list's best chunk
        dense = q @ vecs.T
        scale = fused.max(axis=1, keepdims=True) / np.clip(dense.max(axis=1, keepdims=True), 1e-9, None)
        articles = np.maximum(articles, scale * (q @ data.titles["raw"].T))
    return np.argmax(articles + v.sentence * data.sentence_best, axis=1)


def _hub(data: Data, vecs: np.ndarray, k: int = 5) -> np.ndarray:
    """Per chunk: mean similarity to the k nearest titles of other articles (how many questions it lies near)."""
    sims = vecs @ data.titles["raw"].T
    sims[np.arange(len(vecs)), data.owner] = -1.0
    return np.sort(sims, axis=1)[:, -k:].mean(axis=1)[None, :]


def _fuse(dense: np.ndarray, bm25: np.ndarray, dense_weight: float = 0.9) -> np.ndarray:
    d_mask, s_mask = _top_mask(dense, CANDIDATES), _top_mask(bm25, CANDIDATES, positive_only=True)
    fused = dense_weight * _min_max(dense, d_mask) + (1 - dense_weight) * _min_max(bm25, s_mask)
    return np.where(d_mask | s_mask, fused, -np.inf)


def nested_cv(hits: dict[Variant, np.ndarray], folds: np.ndarray) -> tuple[float, list[Variant]]:
    chosen = [max(hits, key=lambda v, f=f: (hits[v][folds != f].mean(), v == SHIPPED)) for f in range(FOLDS)]
    return sum(int(hits[v][folds == f].sum()) for f, v in enumerate(chosen)) / len(folds), chosen


def line(name: str, hit: np.ndarray, folds: np.ndarray) -> None:
    per_fold = "".join(f"{hit[folds == f].mean():>7.3f}" for f in range(FOLDS))
    print(f"{name:<52}{hit.mean():>8.3f}{per_fold}")


def redaction_rows(data: Data) -> None:
    """The shipped variant on the paraphrases as the turn retrieves them: anonymized, placeholders kept or dropped."""
    redacted = [anonymize(t).anonymized_text for t in data.texts]
    print(f"\nredaction changed {sum(r != t for r, t in zip(redacted, data.texts, strict=True))} paraphrases")
    encoder = get_encoder()
    for name, texts in (("redacted, placeholders searched", redacted),
                        ("redacted, placeholders dropped (served)", [search_text(t) for t in redacted])):  # fmt: skip
        hit = top_articles(data, SHIPPED, bm25_scores(data, texts, sparse.K1, sparse.B), encoder.encode(texts))
        line(name, hit == data.gold, data.folds)


def main() -> int:
    if not eval_rag.DATA.exists():
        print("rag_query_choices: skipped, ../shared/data/stackfaq absent")
        return 0
    data = load()
    bm25 = {(k1, b): bm25_scores(data, data.texts, k1, b) for k1, b in {(v.k1, v.b) for v in VARIANTS}}
    hits = {v: top_articles(data, v, bm25[v.k1, v.b]) == data.gold for v in VARIANTS}
    print(f"{len(data.texts)} paraphrases of {len(data.threads)} threads, {FOLDS} thread-grouped folds\n")
    print(
        f"{'variant (recall@1 of the first passage)':<52}{'all':>8}" + "".join(f"{'f' + str(f):>7}" for f in range(5))
    )
    line("BM25 only (the baseline)", data.owner[np.argmax(bm25[sparse.K1, sparse.B], axis=1)] == data.gold, data.folds)
    for v in VARIANTS:
        line(v.label(), hits[v], data.folds)
    grouped, chosen = nested_cv(hits, data.folds)
    print("\nchosen per fold on the other folds: " + "; ".join(v.label() for v in chosen))
    print(f"shipped {hits[SHIPPED].mean():.3f}; thread-grouped nested CV over the variants {grouped:.3f}")
    redaction_rows(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
