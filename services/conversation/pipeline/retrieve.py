"""Retrieval step: redacted query in, knowledge-base passages with sources and the knowledge version out."""

from __future__ import annotations

from typing import Any

from libs.bus.base import Bus
from libs.contracts.registry import ContractRegistry, default_registry
from libs.errors import Unavailable
from services.conversation.pipeline.ports import Retrieval, RetrievedPassage

TOPIC = "rag.commands"
COMMAND = "rag.Retrieve.v1"
UNAVAILABLE = Retrieval(available=False)
MAX_QUERY_CHARS = 10_000  # rag.Retrieve.v1 bound; the head of a long message carries the question


class BusRetrieval:
    """rag.Retrieve.v1 {query, top_k} -> rag.RetrieveResult.v1. The model is looked up at call time, so this
    port degrades (no sources) rather than failing to import while the rag contract is not declared."""

    def __init__(self, bus: Bus, registry: ContractRegistry | None = None) -> None:
        self._bus = bus
        self._registry = registry or default_registry()

    async def retrieve(self, query: str, *, tenant_id: str, key: str, top_k: int, deadline_s: float) -> Retrieval:
        if not self._registry.knows(COMMAND):
            raise Unavailable("retrieval is not wired", {"step": "retrieval"})
        command = self._registry.model_for(COMMAND).model_validate({"query": query[:MAX_QUERY_CHARS], "top_k": top_k})
        reply = await self._bus.request(TOPIC, command, key=key, tenant_id=tenant_id, timeout=deadline_s)
        return parse_result(reply.data)


def parse_result(data: dict[str, Any]) -> Retrieval:
    passages = tuple(
        RetrievedPassage(
            content=str(p.get("content", "")),
            source=str(p.get("source") or p.get("filename") or p.get("article_id") or "knowledge_base"),
            score=float(p.get("score") or 0.0),
            filename=p.get("filename"),
            chunk_id=p.get("chunk_id"),
            article_id=p.get("article_id"),
        )
        for p in data.get("passages", [])
        if p.get("content")
    )
    vector = data.get("query_vector")
    version = data.get("knowledge_version")
    return Retrieval(
        passages=passages,
        knowledge_version=str(version) if version is not None else None,
        query_vector=tuple(float(v) for v in vector) if vector else None,
    )
