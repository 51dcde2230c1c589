"""Consumes rag.commands (Retrieve, GetStats, ListDocuments, DeleteDocument, Embed) and rag_ingest.commands
(UpsertArticle, UploadPart), replies with their results and emits KnowledgeChanged / DocumentIndexed on rag.events."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from libs.bus import Publisher
from libs.bus.base import MessageContext
from libs.bus.dispatch import HandlerFn
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
    RetrievedPassage,
    RetrieveResultV1,
    RetrieveV1,
    UploadPartV1,
    UploadProgressV1,
    UploadResultV1,
    UpsertArticleV1,
)
from libs.errors import Conflict, Invalid, TooLarge
from services.rag.domain import check_upload_size
from services.rag.knowledge import KnowledgeBase
from services.rag.parsers import FileRejected, check_filename
from services.rag.store import CommandInbox, document_id
from services.rag.uploads import PART_BYTES, Indexer, UploadStore, publish_knowledge_changed


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


async def handle_retrieve(cmd: RetrieveV1, *, ctx: MessageContext, kb: KnowledgeBase) -> RetrieveResultV1:
    # Read the version first: a change landing mid-query then makes the cached answer stale, never the reverse.
    version = await kb.knowledge_version(ctx.tenant_id)
    vector = await kb.embed_query(cmd.query) if cmd.query.strip() else None
    passages = await kb.retrieve(ctx.tenant_id, cmd.query, cmd.top_k, mode=cmd.mode or "hybrid", query_vector=vector)
    return RetrieveResultV1(
        passages=[
            RetrievedPassage(
                content=p.content,
                source=p.source,
                filename=p.filename,
                chunk_id=p.chunk_id,
                article_id=p.article_id,
                score=p.score,
                similarity=p.similarity,
            )
            for p in passages
        ],
        knowledge_version=version,
        query_vector=[round(float(x), 6) for x in vector] if vector is not None else None,
    )


async def handle_upsert_article(
    cmd: UpsertArticleV1, *, ctx: MessageContext, kb: KnowledgeBase, inbox: CommandInbox, publish: Publisher
) -> ArticleResultV1:
    if (earlier := await inbox.reply(ctx.tenant_id, ctx.event_id)) is not None:
        return ArticleResultV1.model_validate(earlier)
    result = await kb.upsert_article(
        ctx.tenant_id, title=cmd.title, content=cmd.content, category=cmd.category or "general",
        tags=cmd.tags or (), metadata=cmd.metadata, command_id=ctx.event_id,
    )  # fmt: skip
    version = await publish_knowledge_changed(
        publish, kb, ctx.tenant_id, "article_upserted", article_id=result.article_id
    )
    reply = ArticleResultV1(
        article_id=result.article_id, status="published", indexed=result.indexed,
        created_at=result.created_at.isoformat(), updated=result.updated, chunks=result.chunks,
        knowledge_version=version,
    )  # fmt: skip
    # After the work: a crash before this line makes the redelivery redo it, and the article upsert (keyed by
    # title and category, index version derived from the command) lands in the same state again.
    await inbox.record(ctx.tenant_id, ctx.event_id, reply.model_dump(mode="json"))
    return reply


async def handle_get_stats(cmd: GetStatsV1, *, ctx: MessageContext, kb: KnowledgeBase) -> KnowledgeStatsV1:
    stats = await kb.stats(ctx.tenant_id)
    return KnowledgeStatsV1(
        total_documents=stats.total_documents, total_chunks=stats.total_chunks,
        total_size_bytes=stats.total_size_bytes, file_types=stats.file_types,
        last_updated=_iso(stats.last_updated), avg_chunk_size=stats.avg_chunk_size,
        collection_health=stats.collection_health, total_articles=stats.total_articles,
        article_chunks=stats.article_chunks, knowledge_version=await kb.knowledge_version(ctx.tenant_id),
        chunk_size=kb.chunking[0], chunk_overlap=kb.chunking[1],
    )  # fmt: skip


async def handle_list_documents(cmd: ListDocumentsV1, *, ctx: MessageContext, kb: KnowledgeBase) -> DocumentPageV1:
    page = await kb.list_documents(ctx.tenant_id, cmd.page, cmd.per_page)
    documents = [
        {
            "id": d.id,
            "filename": d.filename,
            "content_type": d.content_type,
            "file_type": d.file_type,
            "size": d.size,
            "chunks": d.chunks,
            "uploaded_at": d.uploaded_at.isoformat(),
            "status": d.status,
            "error": d.error,
        }
        for d in page.items
    ]
    return DocumentPageV1.model_validate(
        {"documents": documents, "page": page.page, "per_page": page.per_page, "total": page.total,
         "pages": page.pages}
    )  # fmt: skip


async def handle_delete_document(
    cmd: DeleteDocumentV1,
    *,
    ctx: MessageContext,
    kb: KnowledgeBase,
    uploads: UploadStore,
    inbox: CommandInbox,
    publish: Publisher,
) -> DeletionResultV1:
    if (earlier := await inbox.reply(ctx.tenant_id, ctx.event_id)) is not None:
        return DeletionResultV1.model_validate(earlier)  # not a NotFound for the document it deleted itself
    if await uploads.is_indexing(ctx.tenant_id, cmd.filename):
        # Deleting would wait for the indexing to finish and hold up every query behind it.
        raise Conflict("document is still being indexed; retry when it is processed", {"field": "filename"})
    result = await kb.delete_document(ctx.tenant_id, cmd.filename)
    version = await publish_knowledge_changed(
        publish, kb, ctx.tenant_id, "document_deleted", document_id=document_id(ctx.tenant_id, cmd.filename)
    )
    reply = DeletionResultV1(
        filename=result.filename, chunks_removed=result.chunks_removed, size_freed=result.size_freed,
        vectors_removed=result.vectors_removed, knowledge_version=version,
    )  # fmt: skip
    await inbox.record(ctx.tenant_id, ctx.event_id, reply.model_dump(mode="json"))
    return reply


async def handle_embed(cmd: EmbedV1, *, ctx: MessageContext, kb: KnowledgeBase) -> EmbedResultV1:
    vectors, model, dims = await kb.embed(cmd.texts, cmd.dimensions)
    return EmbedResultV1(embeddings=vectors, model=model, dimensions=dims)


def _early_failure(cmd: UploadPartV1, tenant_id: str) -> UploadResultV1 | None:
    """A bad name or size fails the file on its first part, before any of it is stored."""
    try:
        check_filename(cmd.filename)
        check_upload_size(cmd.size, cmd.filename)
    except (Invalid, TooLarge) as exc:
        reason = exc.reason if isinstance(exc, FileRejected) else exc.code
        return _failed(cmd, tenant_id, exc.message, reason)
    return None


def _failed(cmd: UploadPartV1, tenant_id: str, error: str, code: str) -> UploadResultV1:
    return UploadResultV1(
        upload_id=cmd.upload_id, document_id=document_id(tenant_id, cmd.filename), filename=cmd.filename,
        size=cmd.size, type=(cmd.content_type or "application/octet-stream").split(";")[0].strip(),
        status="failed", chunks_created=0, error=error, error_code=code, replaced=False,
    )  # fmt: skip


async def handle_upload_part(
    cmd: UploadPartV1, *, ctx: MessageContext, uploads: UploadStore, indexer: Indexer, publish: Publisher
) -> BaseModel:
    """Store one part; the last one assembles the file and answers with its UploadResult."""
    if cmd.index >= cmd.total:
        raise Invalid("part index must be below total", {"field": "index", "index": cmd.index, "total": cmd.total})
    if cmd.total > -(-max(cmd.size, 1) // PART_BYTES):
        raise Invalid("more parts than the file size needs", {"field": "total", "total": cmd.total})
    done = await uploads.get_upload(ctx.tenant_id, cmd.upload_id)
    if done is not None and done.get("result"):
        # A redelivered final part (or a late duplicate) answers with the outcome recorded the first time.
        return UploadResultV1.model_validate(done["result"])
    if cmd.index == 0 and (failure := _early_failure(cmd, ctx.tenant_id)) is not None:
        return failure
    received = await uploads.add_part(ctx.tenant_id, cmd)
    if cmd.index < cmd.total - 1:
        return UploadProgressV1(upload_id=cmd.upload_id, index=cmd.index, received=received)
    data = await uploads.assemble(ctx.tenant_id, cmd.upload_id, cmd.total)
    if data is None:
        raise Invalid("upload is missing parts", {"field": "files", "upload_id": cmd.upload_id, "received": received})
    if len(data) != cmd.size:
        await uploads.drop_parts(cmd.upload_id)
        raise Invalid("upload size does not match its parts", {"field": "files", "upload_id": cmd.upload_id})
    return await indexer.index(ctx.tenant_id, cmd, data, publish)


# rag.commands: queries that answer in milliseconds.
HANDLERS: dict[str, HandlerFn] = {
    "rag.Retrieve.v1": handle_retrieve,
    "rag.GetStats.v1": handle_get_stats,
    "rag.ListDocuments.v1": handle_list_documents,
    "rag.DeleteDocument.v1": handle_delete_document,
    "rag.Embed.v1": handle_embed,
}

# rag_ingest.commands: writes that embed text; their own consumer, so indexing never delays a retrieval.
INGEST_HANDLERS: dict[str, HandlerFn] = {
    "rag.UpsertArticle.v1": handle_upsert_article,
    "rag.UploadPart.v1": handle_upload_part,
}
