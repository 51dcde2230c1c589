"""A tenant's query in, ranked cited Passages out: dense and sparse candidates from the index, then fusion."""

from __future__ import annotations

from typing import Any

import numpy as np

from services.rag.embedding import Encoder
from services.rag.fusion import FusionConfig, focus, fuse
from services.rag.index import VectorIndex
from services.rag.models import Passage, SearchMode
from services.rag.query import search_text
from services.rag.sparse import query_vector


def rank_passages(
    index: VectorIndex,
    encoder: Encoder,
    tenant_id: str,
    query: str,
    top_k: int,
    candidates: int,
    mode: SearchMode,
    fusion: FusionConfig,
    *,
    use_mirror: bool = True,
    dense_vector: np.ndarray | None = None,
) -> list[Passage]:
    """Blocking: embed the query (unless given), fetch `candidates` per list, fuse (or take one list), keep `top_k`.

    A given `dense_vector` must be the embedding of `search_text(query)` (KnowledgeBase.embed_query's)."""
    text = search_text(query)
    if dense_vector is None:
        dense_vector = encoder.encode([text])[0]
    dense_hits, sparse_hits = index.search(
        tenant_id, dense_vector, query_vector(text), candidates, use_mirror=use_mirror
    )
    payloads: dict[str, dict[str, Any]] = {pid: p for pid, _, p in sparse_hits}
    payloads.update({pid: p for pid, _, p in dense_hits})
    similarity = {pid: score for pid, score, _ in dense_hits}
    dense = [(pid, score) for pid, score, _ in dense_hits]
    sparse = [(pid, score) for pid, score, _ in sparse_hits]
    if mode == "hybrid":
        ranked = focus(fuse(dense, sparse, fusion), lambda pid: payloads[pid].get("doc_key"), fusion.focus_margin)
    else:
        ranked = dense if mode == "dense" else sparse
    passages: list[Passage] = []
    seen: set[tuple[Any, Any]] = set()
    for pid, score in ranked:
        payload = payloads[pid]
        # While a document is being replaced its old and new chunks coexist for a moment: show each text once.
        key = (payload.get("doc_key"), payload.get("content"))
        if key in seen:
            continue
        seen.add(key)
        passages.append(
            Passage(
                content=str(payload.get("content", "")),
                source=str(payload.get("source", "")),
                filename=payload.get("filename"),
                chunk_id=str(payload.get("chunk_id", pid)),
                article_id=payload.get("article_id"),
                score=round(float(score), 6),
                similarity=round(max(0.0, min(1.0, similarity.get(pid, 0.0))), 6),
            )
        )
        if len(passages) == top_k:
            break
    return by_document(passages)


def by_document(passages: list[Passage]) -> list[Passage]:
    """Each document's passages together, documents in the order of their best passage (stable within one).

    The turn's answerer cites in passage order: with a near-tie document's chunk between the first document's
    chunks, its sentence was cited first whenever the first document's top chunk gave no sentence ("Figuring out
    which files dropbox is downloading" cited the selective-sync thread ahead of the one retrieval ranked first).
    """
    rank: dict[str, int] = {}
    for p in passages:
        rank.setdefault(p.article_id or p.source, len(rank))
    return sorted(passages, key=lambda p: rank[p.article_id or p.source])
