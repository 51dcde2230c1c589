"""Document, article and knowledge-version records of the rag service, kept in its libs/store database."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from libs.store import Collection, DocumentStore
from services.rag.models import DocumentInfo, DocumentPage, DocumentStatus


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


def document_id(tenant_id: str, filename: str) -> str:
    """Stable id of a tenant's file: re-uploading the same name addresses the same record."""
    return "doc_" + _digest(tenant_id, filename)[:24]


def article_id(tenant_id: str, title: str, category: str) -> str:
    """Stable id of an article: the same title and category (case and spacing aside) update it in place."""
    return "kb_" + _digest(tenant_id, " ".join(title.lower().split()), category.strip().lower())[:16]


def document_record(
    doc_id: str, tenant_id: str, filename: str, content_type: str, size: int, now: datetime
) -> dict[str, Any]:
    """A fresh document record before processing; ingestion fills in type, chunks and status."""
    return {
        "id": doc_id,
        "tenant_id": tenant_id,
        "filename": filename,
        "content_type": content_type,
        "file_type": "",
        "size": size,
        "chunks": 0,
        "chunk_chars": 0,
        "uploaded_at": now,
        "updated_at": now,
        "error": None,
    }


def _info(doc: dict[str, Any]) -> DocumentInfo:
    return DocumentInfo(
        id=doc["id"],
        filename=doc["filename"],
        content_type=doc.get("content_type", ""),
        file_type=doc.get("file_type", ""),
        size=int(doc.get("size", 0)),
        chunks=int(doc.get("chunks", 0)),
        uploaded_at=datetime.fromisoformat(doc["uploaded_at"]),
        status=doc.get("status", "failed"),
        error=doc.get("error"),
    )


class RagRepository:
    """Collections: documents (uploaded files), articles (seed 003), kb_versions (one counter per tenant)."""

    def __init__(self, store: DocumentStore) -> None:
        self._store = store
        self.documents: Collection = store.collection("documents")
        self.articles: Collection = store.collection("articles")
        self._versions: Collection = store.collection("kb_versions")

    async def setup(self) -> None:
        await self.documents.ensure_index(["tenant_id", "status"])
        await self.documents.ensure_index(["tenant_id", "uploaded_at"])
        await self.articles.ensure_index(["tenant_id", "status"])

    # documents
    async def get_document(self, tenant_id: str, filename: str) -> dict[str, Any] | None:
        doc = await self.documents.get(document_id(tenant_id, filename))
        return doc if doc is not None and doc.get("tenant_id") == tenant_id else None

    async def save_document(self, doc: dict[str, Any]) -> None:
        await self.documents.upsert(doc)

    async def set_document_status(
        self, doc_id: str, status: DocumentStatus, changes: dict[str, Any] | None = None
    ) -> None:
        await self.documents.update(doc_id, {"status": status, **(changes or {})})

    async def delete_document(self, doc_id: str) -> bool:
        return await self.documents.delete(doc_id)

    async def list_documents(self, tenant_id: str, page: int, per_page: int) -> DocumentPage:
        where = {"tenant_id": tenant_id}
        total = await self.documents.count(where)
        docs = await self.documents.find(where, sort=[("uploaded_at", -1)], skip=(page - 1) * per_page, limit=per_page)
        return DocumentPage([_info(d) for d in docs], page, per_page, total)

    async def document_totals(self, tenant_id: str) -> dict[str, Any]:
        where = {"tenant_id": tenant_id, "status": "processed"}
        latest = await self.documents.find({"tenant_id": tenant_id}, sort=[("updated_at", -1)], limit=1)
        return {
            "documents": await self.documents.count(where),
            "chunks": int(await self.documents.aggregate("chunks", "sum", where) or 0),
            "size": int(await self.documents.aggregate("size", "sum", where) or 0),
            "chunk_chars": int(await self.documents.aggregate("chunk_chars", "sum", where) or 0),
            "file_types": {str(k): v for k, v in (await self.documents.count_by("file_type", where)).items()},
            "last_updated": latest[0].get("updated_at") if latest else None,
        }

    # articles
    async def get_article(self, tenant_id: str, article: str) -> dict[str, Any] | None:
        doc = await self.articles.get(article)
        return doc if doc is not None and doc.get("tenant_id") == tenant_id else None

    async def save_article(self, doc: dict[str, Any]) -> None:
        await self.articles.upsert(doc)

    async def article_totals(self, tenant_id: str) -> tuple[int, int]:
        where = {"tenant_id": tenant_id, "status": "published"}
        count = await self.articles.count(where)
        return count, int(await self.articles.aggregate("chunks", "sum", where) or 0)

    # knowledge version
    async def knowledge_version(self, tenant_id: str) -> int:
        doc = await self._versions.get(tenant_id)
        return int(doc["version"]) if doc else 0

    async def bump_version(self, tenant_id: str) -> int:
        """Atomically add one to the tenant's knowledge version (the response cache keys on it)."""
        doc = await self._versions.increment(tenant_id, "version")
        if doc is None:
            await self._versions.insert_if_absent({"id": tenant_id, "tenant_id": tenant_id, "version": 0})
            doc = await self._versions.increment(tenant_id, "version")
        return int(doc["version"]) if doc else 0


class CommandInbox:
    """Replies of the write commands already handled, by (tenant, command event id): a redelivered UpsertArticle
    or DeleteDocument answers what it answered the first time instead of redoing (or failing) the work."""

    def __init__(self, store: DocumentStore) -> None:
        self._handled: Collection = store.collection("inbox")

    async def reply(self, tenant_id: str, event_id: str) -> dict[str, Any] | None:
        doc = await self._handled.get(f"{tenant_id}/{event_id}")
        return None if doc is None else dict(doc["reply"])

    async def record(self, tenant_id: str, event_id: str, reply: dict[str, Any]) -> None:
        await self._handled.insert_if_absent({"id": f"{tenant_id}/{event_id}", "tenant_id": tenant_id, "reply": reply})
