"""Knowledge-base service object: articles and uploaded files in, indexed chunks, stats and cited passages out.
It does the I/O (store, index, encoder); the pure rules it applies are in domain.py."""

from __future__ import annotations

import asyncio
import uuid
import weakref
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np

from libs.batching import MicroBatcher
from libs.bus import derived_id
from libs.embeddings import get_encoder
from libs.errors import Invalid, NotFound, TooLarge
from services.rag.chunking import TokenChunker
from services.rag.domain import MAX_ARTICLE_CHARS, MAX_TOP_K, check_upload_size
from services.rag.embedding import Encoder, embed_texts
from services.rag.fusion import FusionConfig
from services.rag.index import VectorIndex
from services.rag.ingest import build_records, prepare_file, prepare_sections
from services.rag.models import (
    ArticleResult,
    DeleteResult,
    DocumentPage,
    FileResult,
    Passage,
    SearchMode,
    Section,
    Stats,
)
from services.rag.parsers import FileRejected, check_filename
from services.rag.query import search_text
from services.rag.retrieval import rank_passages
from services.rag.sandbox import ParseBudget
from services.rag.store import RagRepository, article_id, document_id, document_record


def _now() -> datetime:
    return datetime.now(UTC)


class KnowledgeBase:
    """One tenant-scoped knowledge base per call; CPU work (parse, chunk, embed) runs in worker threads."""

    def __init__(
        self,
        *,
        repo: RagRepository,
        index: VectorIndex,
        chunker: TokenChunker | None = None,
        encoder: Callable[[], Encoder] = get_encoder,
        fusion: FusionConfig | None = None,
        candidates: int = 50,
        clock: Callable[[], datetime] = _now,
        parse_budget: ParseBudget | None = None,
    ) -> None:
        self._repo = repo
        self._budget = parse_budget or ParseBudget()
        self._index = index
        self._chunker = chunker or TokenChunker()
        self._encoder = encoder
        self._fusion = fusion or FusionConfig()
        self._candidates = candidates
        self._clock = clock
        self._locks: weakref.WeakValueDictionary[tuple[str, str], asyncio.Lock] = weakref.WeakValueDictionary()
        # Queries of the turns in flight together are embedded in one encoder call (one thread hop, one forward).
        self._queries: MicroBatcher[str, np.ndarray] = MicroBatcher(
            lambda queries: list(self._encoder().encode(queries)), max_batch=32
        )

    @property
    def chunking(self) -> tuple[int, int]:
        """(chunk_size, chunk_overlap) in word-piece tokens, for the stats."""
        return self._chunker.chunk_size, self._chunker.chunk_overlap

    async def _loaded_encoder(self) -> Encoder:
        """The encoder, loaded in a worker thread: the first load takes seconds and must not stall the loop."""
        return await asyncio.to_thread(self._encoder)

    async def warm_up(self) -> None:
        """Load the model before the first request (bootstrap may await this)."""
        await asyncio.to_thread(lambda: self._encoder().encode(["warm up"]))

    def _lock(self, tenant_id: str, key: str) -> asyncio.Lock:
        """One writer per document at a time, so two uploads of one filename cannot interleave their swaps."""
        lock = self._locks.get((tenant_id, key))
        if lock is None:
            lock = self._locks[(tenant_id, key)] = asyncio.Lock()
        return lock

    async def _swap(self, tenant_id: str, doc_key: str, version: str, records: list[Any]) -> int:
        """Index the new version, then drop older ones: readers see the old or the new chunks, never none."""
        try:
            await asyncio.to_thread(self._index.upsert, records)
        except BaseException:
            await asyncio.to_thread(self._index.delete, tenant_id, doc_key, only_version=version)
            raise
        return await asyncio.to_thread(self._index.delete, tenant_id, doc_key, keep_version=version)

    # files (seed 004)
    async def ingest_file(
        self, tenant_id: str, filename: str, content_bytes: bytes, content_type: str | None = None
    ) -> FileResult:
        """Validate, parse, chunk, embed and index one upload; a bad file yields a failed result, not an error."""
        size = len(content_bytes)
        given_type = (content_type or "application/octet-stream").split(";")[0].strip()
        try:
            check_upload_size(size, filename)
            check_filename(filename)
        except (TooLarge, FileRejected) as exc:
            reason = exc.reason if isinstance(exc, FileRejected) else exc.code
            return FileResult(filename, size, given_type, "failed", error=exc.message, error_code=reason)
        doc_id = document_id(tenant_id, filename)
        async with self._lock(tenant_id, doc_id):
            existing = await self._repo.get_document(tenant_id, filename)
            doc = document_record(doc_id, tenant_id, filename, given_type, size, self._clock())
            if existing is None:
                await self._repo.save_document({**doc, "status": "processing"})
            version = uuid.uuid4().hex[:12]
            try:
                encoder = await self._loaded_encoder()
                kind, mime, records = await asyncio.to_thread(
                    prepare_file, self._chunker, encoder, tenant_id, doc_id, filename, content_type, content_bytes,
                    version, self._budget,
                )  # fmt: skip
            except FileRejected as exc:
                if existing is None or existing.get("status") != "processed":
                    await self._repo.save_document({**doc, "status": "failed", "error": exc.message})
                return FileResult(filename, size, given_type, "failed", error=exc.message, error_code=exc.reason)
            try:
                await self._swap(tenant_id, f"file:{filename}", version, records)
            except BaseException:
                if existing is None:
                    await self._repo.save_document({**doc, "status": "failed", "error": "indexing failed"})
                raise
            chars = sum(len(str(r.payload["content"])) for r in records)
            await self._repo.save_document(
                {**doc, "content_type": mime, "file_type": kind, "status": "processed", "chunks": len(records),
                 "chunk_chars": chars, "version": version}
            )  # fmt: skip
            await self._repo.bump_version(tenant_id)
        return FileResult(filename, size, mime, "success", chunks_created=len(records), replaced=existing is not None)

    async def ingest_files(self, tenant_id: str, files: Sequence[tuple[str, bytes, str | None]]) -> list[FileResult]:
        """Each file on its own: one bad file never fails the others."""
        return [await self.ingest_file(tenant_id, name, data, ctype) for name, data, ctype in files]

    async def list_documents(self, tenant_id: str, page: int = 1, page_size: int = 10) -> DocumentPage:
        if page < 1:
            raise Invalid("page must be 1 or more", {"field": "page"})
        if not 1 <= page_size <= 100:
            raise Invalid("per_page must be between 1 and 100", {"field": "per_page"})
        return await self._repo.list_documents(tenant_id, page, page_size)

    async def delete_document(self, tenant_id: str, filename: str) -> DeleteResult:
        """Remove a file's chunks from the index and its record; reports what was freed."""
        doc_id = document_id(tenant_id, filename)
        async with self._lock(tenant_id, doc_id):
            doc = await self._repo.get_document(tenant_id, filename)
            if doc is None:
                raise NotFound("document not found", {"field": "filename", "filename": filename})
            vectors = await asyncio.to_thread(self._index.delete, tenant_id, f"file:{filename}")
            await self._repo.delete_document(doc_id)
            await self._repo.bump_version(tenant_id)
        return DeleteResult(filename, int(doc.get("chunks", 0)), int(doc.get("size", 0)), vectors)

    async def stats(self, tenant_id: str) -> Stats:
        totals = await self._repo.document_totals(tenant_id)
        articles, article_chunks = await self._repo.article_totals(tenant_id)
        health = await asyncio.to_thread(self._index.health)
        last = totals["last_updated"]
        return Stats(
            total_documents=totals["documents"],
            total_chunks=totals["chunks"],
            total_size_bytes=totals["size"],
            file_types=totals["file_types"],
            last_updated=datetime.fromisoformat(last) if last else None,
            avg_chunk_size=totals["chunk_chars"] // totals["chunks"] if totals["chunks"] else 0,
            collection_health=health,
            total_articles=articles,
            article_chunks=article_chunks,
        )

    # articles (seed 003)
    async def upsert_article(
        self,
        tenant_id: str,
        *,
        title: str,
        content: str,
        category: str = "general",
        tags: Sequence[str] = (),
        metadata: dict[str, Any] | None = None,
        command_id: str | None = None,
    ) -> ArticleResult:
        """Add an article, or update and re-index the one with the same title and category. With `command_id`
        the index version derives from it: a redelivered command writes the very same points again."""
        title, content, category = (title or "").strip(), (content or "").strip(), (category or "general").strip()
        if not title:
            raise Invalid("title is required", {"field": "title"})
        if not content:
            raise Invalid("content is required", {"field": "content"})
        if len(content) > MAX_ARTICLE_CHARS:
            raise Invalid(f"content is longer than {MAX_ARTICLE_CHARS} characters", {"field": "content"})
        aid = article_id(tenant_id, title, category)
        async with self._lock(tenant_id, aid):
            existing = await self._repo.get_article(tenant_id, aid)
            version = uuid.uuid4().hex[:12] if command_id is None else derived_id(command_id, "article")[:12]
            records = await asyncio.to_thread(self._prepare_article, tenant_id, aid, title, content, version)
            await self._swap(tenant_id, f"article:{aid}", version, records)
            now = self._clock()
            created = datetime.fromisoformat(existing["created_at"]) if existing else now
            await self._repo.save_article(
                {"id": aid, "tenant_id": tenant_id, "title": title, "content": content, "category": category,
                 "tags": list(tags), "metadata": metadata or {}, "status": "published", "chunks": len(records),
                 "version": version, "created_at": created, "updated_at": now}
            )  # fmt: skip
            await self._repo.bump_version(tenant_id)
        return ArticleResult(aid, "published", True, created, existing is not None, len(records))

    def _prepare_article(self, tenant_id: str, aid: str, title: str, content: str, version: str) -> list[Any]:
        chunks, dense, sparse = prepare_sections(self._chunker, self._encoder(), [Section(content, heading=title)])
        base = {"kind": "article", "article_id": aid, "filename": None, "source": aid}
        return build_records(tenant_id, f"article:{aid}", version, aid, base, chunks, dense, sparse)

    # retrieval (conversation service)
    async def retrieve(
        self,
        tenant_id: str,
        query: str,
        top_k: int = 5,
        *,
        mode: SearchMode = "hybrid",
        query_vector: np.ndarray | None = None,
    ) -> list[Passage]:
        """The tenant's best passages for `query` (an empty knowledge base gives []); `query_vector` skips embedding."""
        if not query or not query.strip():
            raise Invalid("query is required", {"field": "query"})
        if not 1 <= top_k <= MAX_TOP_K:
            raise Invalid(f"top_k must be between 1 and {MAX_TOP_K}", {"field": "top_k"})
        return await asyncio.to_thread(
            rank_passages, self._index, await self._loaded_encoder(), tenant_id, query, top_k,
            max(self._candidates, top_k), mode, self._fusion, dense_vector=query_vector,
        )  # fmt: skip

    async def embed_query(self, query: str) -> np.ndarray:
        """The query's dense vector, to pass to `retrieve` and hand on to the caller (it embeds nothing twice)."""
        # The text retrieval searches with (placeholders dropped), so the turn's answerer matches sentences to it too.
        vector = await self._queries.submit(search_text(query))  # loads the encoder off the loop
        return np.asarray(vector, dtype=np.float32)

    async def knowledge_version(self, tenant_id: str) -> int:
        """Bumps on every change to the tenant's knowledge; cached answers keyed on it go stale by themselves."""
        return await self._repo.knowledge_version(tenant_id)

    async def embed(self, texts: Sequence[str], dimensions: int | None = None) -> tuple[list[list[float]], str, int]:
        """Seed 000 `POST /api/v1/ai/embed` for the local model (native 384 dimensions only)."""
        return await asyncio.to_thread(embed_texts, texts, dimensions, await self._loaded_encoder())
