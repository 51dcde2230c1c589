"""Retrieval choices measured on the thread-grouped split of StackFAQ: title weighting of chunk vectors, chunk
size, reranking the top candidates by question-to-title similarity, and the fusion's dense weight.

Scored per article (a chunk list becomes the best chunk of each article), dense vectors computed here in numpy
from the same encoder and chunker as ingestion, BM25 candidates from a real VectorIndex built once. Read the
tune half to choose; the test half (other threads) shows whether the choice transfers.
Run: python -m tests.eval.rag_choices   (a few minutes: one index build, and one embedding pass per chunk size)
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

import numpy as np

from libs.embeddings import get_encoder
from services.rag.chunking import TokenChunker
from services.rag.fusion import FusionConfig, fuse
from services.rag.ingest import _embed_chunks
from services.rag.models import Section
from services.rag.sparse import query_vector
from tests.eval import eval_rag

Lists = dict[str, float]  # article id → score


def chunk_vectors(threads: list[dict], size: int) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """Raw chunk vectors, their article's title vectors, and each chunk's article position."""
    encoder, chunker = get_encoder(), TokenChunker(chunk_size=size)
    raw, owner = [], []
    for n, thread in enumerate(threads):
        chunks = chunker.chunk([Section("\n\n".join(thread["answers"]), heading=thread["question"])])
        raw.append(_embed_chunks(encoder, chunks, [c.embed_text for c in chunks]))
        owner += [n] * len(chunks)
    titles = encoder.encode([t["question"] for t in threads])
    return np.vstack(raw), titles, owner


def dense_lists(q: np.ndarray, raw: np.ndarray, titles: np.ndarray, owner: list[int], ids: list[str], w: float):
    vecs = raw + w * titles[owner]
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    sims = q @ vecs.T
    out = []
    for row in sims:
        best: Lists = {}
        for s, n in zip(row, owner, strict=True):
            best[ids[n]] = max(best.get(ids[n], -1.0), float(s))
        out.append(best)
    return out


def recall_at_1(ranked: list[list[str]], queries: list[tuple[str, str]], half: str) -> float:
    hits = [r[0] == rel for r, (_, rel) in zip(ranked, queries, strict=True) if eval_rag.split_of(rel) == half]
    return sum(hits) / len(hits)


def ranking(dense: Lists, sparse: Lists, dense_weight: float, title_sim: Lists, beta: float) -> list[str]:
    d = sorted(dense.items(), key=lambda kv: -kv[1])[: eval_rag.CANDIDATES]
    s = sorted(sparse.items(), key=lambda kv: -kv[1])
    fused = fuse(d, s, FusionConfig("convex", dense_weight)) if dense_weight < 1 else d
    top = fused[:10]  # rerank only the top candidates, as a serving-time reranker would
    top = sorted(top, key=lambda kv: -(kv[1] + beta * title_sim.get(kv[0], 0.0)))
    return [a for a, _ in top]


def main() -> int:
    if not eval_rag.DATA.exists():
        print("rag_choices: skipped, ../shared/data/stackfaq absent")
        return 0
    threads = eval_rag.load_threads()
    encoder = get_encoder()
    sparse_all, queries, article_of = asyncio.run(_sparse_and_queries(threads))
    ids = [article_of[t["question"]] for t in threads]
    qvecs = encoder.encode([q for q, _ in queries])
    titles_only = encoder.encode([t["question"] for t in threads])
    title_sim = [dict(zip(ids, (titles_only @ q).tolist(), strict=True)) for q in qvecs]
    print(f"{'chunk':>5} {'title w':>7} {'dense w':>7} {'rerank b':>8} {'tune r@1':>9} {'test r@1':>9}")
    for size in (128, 200, 256):
        raw, titles, owner = chunk_vectors(threads, size)
        for w in (0.0, 0.5, 1.0, 1.5, 2.0):
            dense = dense_lists(qvecs, raw, titles, owner, ids, w)
            for dense_weight in (0.7, 0.85, 1.0):
                for beta in (0.0, 0.2, 0.5):
                    rows = zip(dense, sparse_all, title_sim, strict=True)
                    ranked = [ranking(d, s, dense_weight, t, beta) for d, s, t in rows]
                    tune, test = recall_at_1(ranked, queries, "tune"), recall_at_1(ranked, queries, "test")
                    print(f"{size:>5} {w:>7.1f} {dense_weight:>7.2f} {beta:>8.1f} {tune:>9.3f} {test:>9.3f}")
    return 0


async def _sparse_and_queries(threads: list[dict]) -> tuple[list[Lists], list[tuple[str, str]], dict[str, str]]:
    """BM25 candidates per query (best chunk per article) from a real index, the queries and the article ids."""
    with tempfile.TemporaryDirectory() as tmp:
        _, index, article_of, queries = await eval_rag.build(Path(tmp))
        vectors = get_encoder().encode([q for q, _ in queries])
        out = []
        for (query, _), vector in zip(queries, vectors, strict=True):
            _, hits = index.search(eval_rag.TENANT, vector, query_vector(query), eval_rag.CANDIDATES)
            best: Lists = {}
            for _, score, payload in hits:
                best[payload["article_id"]] = max(best.get(payload["article_id"], 0.0), float(score))
            out.append(best)
        index.close()
    return out, queries, article_of


if __name__ == "__main__":
    sys.exit(main())
