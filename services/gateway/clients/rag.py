"""Gateway → rag service: articles, file uploads in ordered parts, stats, document list/delete and embeddings."""

from __future__ import annotations

import asyncio
from typing import IO, Any, TypeVar

from pydantic import BaseModel

from libs.bus.base import Bus
from libs.contracts.models.rag import (
    ArticleResultV1,
    DeleteDocumentV1,
    DeletionResultV1,
    DocumentPageV1,
    EmbedResultV1,
    EmbedV1,
    GetStatsV1,
    KnowledgeStatsV1,
    ListDocumentsV1,
    UploadPartV1,
    UploadResultV1,
    UpsertArticleV1,
)
from libs.errors import Unavailable
from services.gateway.auth import Principal
from services.gateway.clients.file_parts import file_parts

R = TypeVar("R", bound=BaseModel)
EMBED_BATCH = 64  # texts per Embed command: 64 × 384 floats as JSON stays well under 1 MB
EMBED_BATCH_CHARS = 200_000  # and at most this much text per command


class RagClient:
    def __init__(self, bus: Bus, *, timeout_s: float, long_timeout_s: float) -> None:
        self._bus = bus
        self._timeout = timeout_s
        self._long_timeout = long_timeout_s

    async def _request(
        self,
        caller: Principal,
        command: BaseModel,
        reply: type[R],
        correlation_id: str,
        *,
        key: str | None = None,
        long: bool = False,
    ) -> R:
        return await self._bus.ask(
            command,
            reply,
            key=key or correlation_id,
            tenant_id=caller.tenant_id,
            timeout=self._long_timeout if long else self._timeout,
            correlation_id=correlation_id,
        )

    async def upsert_article(
        self, caller: Principal, article: dict[str, Any], *, correlation_id: str
    ) -> ArticleResultV1:
        command = UpsertArticleV1.model_validate(article)
        # Articles and uploads go to rag_ingest.commands (topics.yaml): indexing never delays retrieval.
        return await self._request(caller, command, ArticleResultV1, correlation_id, long=True)

    async def upload(
        self, caller: Principal, filename: str, content_type: str, body: IO[bytes], size: int, *, correlation_id: str
    ) -> UploadResultV1:
        """Send a file as ordered parts on one key; the rag service may end the upload early (bad name, too big)."""
        upload_id = ""
        async for chunk in file_parts(body, size):
            upload_id = chunk.upload_id
            part = UploadPartV1(
                upload_id=upload_id, filename=filename, content_type=content_type, index=chunk.index,
                total=chunk.total, size=size, data_b64=chunk.data_b64,
            )  # fmt: skip
            # Every part gets the long deadline: it may queue behind another file's indexing on rag_ingest.
            result = await self._bus.ask_part(
                part, UploadResultV1, key=upload_id, tenant_id=caller.tenant_id, timeout=self._long_timeout,
                correlation_id=correlation_id,
            )  # fmt: skip
            if result is not None:  # the final part's (or an early end's) reply; others get UploadProgress
                return result
        raise Unavailable("the rag service acknowledged the last part without a result", {"upload_id": upload_id})

    async def stats(self, caller: Principal, *, correlation_id: str) -> KnowledgeStatsV1:
        return await self._request(caller, GetStatsV1(), KnowledgeStatsV1, correlation_id)

    async def list_documents(
        self, caller: Principal, page: int, per_page: int, *, correlation_id: str
    ) -> DocumentPageV1:
        command = ListDocumentsV1(page=page, per_page=per_page)
        return await self._request(caller, command, DocumentPageV1, correlation_id)

    async def delete_document(self, caller: Principal, filename: str, *, correlation_id: str) -> DeletionResultV1:
        command = DeleteDocumentV1(filename=filename)
        return await self._request(caller, command, DeletionResultV1, correlation_id, long=True)

    async def embed(
        self, caller: Principal, texts: list[str], *, dimensions: int | None, model: str | None, correlation_id: str
    ) -> tuple[list[list[float]], str, int]:
        """Embed in parallel batches small enough for one bus message each; vectors come back in input order."""
        batches: list[list[str]] = [[]]
        chars = 0
        for text in texts:
            if batches[-1] and (len(batches[-1]) >= EMBED_BATCH or chars + len(text) > EMBED_BATCH_CHARS):
                batches.append([])
                chars = 0
            batches[-1].append(text)
            chars += len(text)
        commands = [EmbedV1.model_validate({"texts": b, "dimensions": dimensions, "model": model}) for b in batches]
        results = await asyncio.gather(
            *(
                self._request(
                    caller, c, EmbedResultV1, correlation_id, key=f"{correlation_id}:{i}", long=_long_embed(c)
                )
                for i, c in enumerate(commands)
            )
        )
        vectors = [v for r in results for v in r.embeddings]
        return vectors, results[0].model, results[0].dimensions


def _long_embed(command: EmbedV1) -> bool:
    return sum(map(len, command.texts)) > 20_000
