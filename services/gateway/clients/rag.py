"""Gateway → rag service: articles, file uploads in ordered parts, stats, document list/delete and embeddings."""

from __future__ import annotations

import asyncio
from typing import IO, Any

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
from services.gateway.clients.base import BusClient, request_key
from services.gateway.clients.file_parts import file_parts

EMBED_BATCH = 64  # texts per Embed command: 64 × 384 floats as JSON stays well under 1 MB
EMBED_BATCH_CHARS = 200_000  # and at most this much text per command


class RagClient(BusClient):
    async def upsert_article(self, caller: Principal, article: dict[str, Any]) -> ArticleResultV1:
        command = UpsertArticleV1.model_validate(article)
        # Articles and uploads go to rag_ingest.commands (topics.yaml): indexing never delays retrieval.
        return await self.ask(caller, command, ArticleResultV1, long=True)

    async def upload(
        self, caller: Principal, filename: str, content_type: str, body: IO[bytes], size: int
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
            result = await self.ask_part(caller, part, UploadResultV1, key=upload_id)
            if result is not None:  # the final part's (or an early end's) reply; others get UploadProgress
                return result
        raise Unavailable("the rag service acknowledged the last part without a result", {"upload_id": upload_id})

    async def stats(self, caller: Principal) -> KnowledgeStatsV1:
        return await self.ask(caller, GetStatsV1(), KnowledgeStatsV1)

    async def list_documents(self, caller: Principal, page: int, per_page: int) -> DocumentPageV1:
        return await self.ask(caller, ListDocumentsV1(page=page, per_page=per_page), DocumentPageV1)

    async def delete_document(self, caller: Principal, filename: str) -> DeletionResultV1:
        return await self.ask(caller, DeleteDocumentV1(filename=filename), DeletionResultV1, long=True)

    async def embed(
        self, caller: Principal, texts: list[str], *, dimensions: int | None, model: str | None
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
        key = request_key()  # one request's batches spread over partitions: each its own key
        results = await asyncio.gather(
            *(self.ask(caller, c, EmbedResultV1, key=f"{key}:{i}", long=_long_embed(c)) for i, c in enumerate(commands))
        )
        vectors = [v for r in results for v in r.embeddings]
        return vectors, results[0].model, results[0].dimensions


def _long_embed(command: EmbedV1) -> bool:
    return sum(map(len, command.texts)) > 20_000
