"""Retrieval step: redacted query in, knowledge-base passages with sources and the knowledge version out."""

from __future__ import annotations

from libs.bus.base import Bus
from libs.contracts.models.rag import RetrieveResultV1, RetrieveV1
from services.conversation.pipeline.ports import Retrieval, RetrievedPassage

UNAVAILABLE = Retrieval(available=False)
MAX_QUERY_CHARS = 10_000  # rag.Retrieve.v1 bound; the head of a long message carries the question


class BusRetrieval:
    """rag.Retrieve.v1 {query, top_k} -> rag.RetrieveResult.v1."""

    def __init__(self, bus: Bus) -> None:
        self._bus = bus

    async def retrieve(self, query: str, *, tenant_id: str, key: str, top_k: int, deadline_s: float) -> Retrieval:
        command = RetrieveV1(query=query[:MAX_QUERY_CHARS], top_k=top_k)
        result = await self._bus.ask(command, RetrieveResultV1, key=key, tenant_id=tenant_id, timeout=deadline_s)
        return retrieval_of(result)


def retrieval_of(result: RetrieveResultV1) -> Retrieval:
    passages = tuple(
        RetrievedPassage(
            content=p.content,
            source=p.source,
            score=p.score,
            filename=p.filename,
            chunk_id=p.chunk_id,
            article_id=p.article_id,
        )
        for p in result.passages
        if p.content
    )
    return Retrieval(
        passages=passages,
        knowledge_version=str(result.knowledge_version),
        query_vector=tuple(result.query_vector) if result.query_vector else None,
    )
