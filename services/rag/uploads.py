"""UploadPart.v1 parts in, assembled files indexed (now or in the background) out, with DocumentIndexed events."""

from __future__ import annotations

import asyncio
import base64
import binascii
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel

from libs.contracts.models.rag import DocumentIndexedV1, KnowledgeChangedV1, UploadPartV1, UploadResultV1
from libs.errors import Invalid
from libs.observability import get_logger
from libs.store import DocumentStore
from services.rag.knowledge import KnowledgeBase
from services.rag.models import FileResult
from services.rag.store import RagRepository, document_id, document_record

PART_BYTES = 512 * 1024  # raw bytes per part: base64 keeps a part message near 700 KB, under Kafka's 1 MB default

log = get_logger("rag.uploads")

Publish = Callable[..., Awaitable[Any]]


def _now() -> datetime:
    return datetime.now(UTC)


class UploadStore:
    """Collections upload_parts (one doc per (upload_id, index)) and uploads (one record per file upload)."""

    def __init__(self, store: DocumentStore) -> None:
        self.parts = store.collection("upload_parts")
        self.uploads = store.collection("uploads")

    async def setup(self) -> None:
        await self.parts.ensure_index(["upload_id", "index"])
        await self.parts.ensure_index(["created_at"])
        await self.uploads.ensure_index(["status"])
        await self.uploads.ensure_index(["tenant_id", "filename", "status"])

    async def get_upload(self, tenant_id: str, upload_id: str) -> dict[str, Any] | None:
        doc = await self.uploads.get(upload_id)
        return doc if doc is not None and doc.get("tenant_id") == tenant_id else None

    async def save_upload(self, doc: dict[str, Any]) -> None:
        await self.uploads.upsert(doc)

    async def add_part(self, tenant_id: str, part: UploadPartV1) -> int:
        """Store a part once (a redelivered part is a no-op) and return how many parts are stored so far."""
        await self.parts.insert_if_absent(
            {"id": f"{part.upload_id}:{part.index:04d}", "tenant_id": tenant_id, "upload_id": part.upload_id,
             "index": part.index, "total": part.total, "data_b64": part.data_b64, "created_at": _now()}
        )  # fmt: skip
        return await self.parts.count({"upload_id": part.upload_id, "tenant_id": tenant_id})

    async def assemble(self, tenant_id: str, upload_id: str, total: int) -> bytes | None:
        """The file's bytes in part order, or None while any part is missing."""
        docs = await self.parts.find({"upload_id": upload_id, "tenant_id": tenant_id}, sort=[("index", 1)])
        if [d["index"] for d in docs] != list(range(total)):
            return None
        try:
            return b"".join(base64.b64decode(d["data_b64"], validate=True) for d in docs)
        except binascii.Error as exc:
            raise Invalid("an upload part is not valid base64", {"field": "data_b64", "upload_id": upload_id}) from exc

    async def drop_parts(self, upload_id: str) -> None:
        await self.parts.delete_many({"upload_id": upload_id})

    async def purge_stale(self, older_than: timedelta) -> int:
        """Drop parts of uploads whose last part never came (a gateway that died mid-upload)."""
        return await self.parts.delete_many({"created_at": {"$lt": (_now() - older_than).isoformat()}})

    async def in_flight(self) -> list[dict[str, Any]]:
        return await self.uploads.find({"status": "processing"})

    async def is_indexing(self, tenant_id: str, filename: str) -> bool:
        where = {"tenant_id": tenant_id, "filename": filename, "status": "processing"}
        return await self.uploads.find_one(where) is not None


class Indexer:
    """Runs file ingestion as tasks: the reply waits up to `sync_wait_s` (0 for large files), then says processing.

    At most `max_parallel` files are embedded at once: ingestion is CPU bound and must not starve retrieval.
    """

    def __init__(
        self,
        kb: KnowledgeBase,
        repo: RagRepository,
        uploads: UploadStore,
        *,
        async_index_bytes: int,
        sync_wait_s: float,
        max_parallel: int,
    ) -> None:
        self._kb = kb
        self._repo = repo
        self._uploads = uploads
        self._async_bytes = async_index_bytes
        self._sync_wait = sync_wait_s
        self._slots = asyncio.Semaphore(max_parallel)
        # Fairness: one tenant may hold at most max_parallel - 1 slots (1 of the default 2), so a slot is always
        # left for the other tenants; its further files queue behind its own running ones, not in front of theirs.
        self._per_tenant = max(1, max_parallel - 1)
        self._tenant_slots: dict[str, asyncio.Semaphore] = {}
        self._tasks: set[asyncio.Task[UploadResultV1]] = set()

    async def index(self, tenant_id: str, part: UploadPartV1, data: bytes, publish: Publish) -> UploadResultV1:
        """Start indexing an assembled file; its result if it finishes in time, else status processing."""
        existing = await self._repo.get_document(tenant_id, part.filename)
        doc_id = document_id(tenant_id, part.filename)
        replaced = existing is not None and existing.get("status") == "processed"
        given_type = (part.content_type or "application/octet-stream").split(";")[0].strip()
        if existing is None:
            # Listed as processing before the reply goes out, so GET /rag/documents never misses an accepted file.
            stub = document_record(doc_id, tenant_id, part.filename, given_type, len(data), _now())
            await self._repo.save_document({**stub, "status": "processing"})
        record = {"id": part.upload_id, "tenant_id": tenant_id, "filename": part.filename,
                  "content_type": part.content_type, "size": len(data), "document_id": doc_id,
                  "replaced": replaced, "status": "processing", "created_at": _now()}  # fmt: skip
        await self._uploads.save_upload(record)
        task = self.start(record, data, publish)
        wait = 0.0 if len(data) > self._async_bytes else self._sync_wait
        done, _ = await asyncio.wait({task}, timeout=wait)
        if done:
            return task.result()
        return UploadResultV1(
            upload_id=part.upload_id, document_id=doc_id, filename=part.filename, size=len(data), type=given_type,
            status="processing", chunks_created=0, replaced=replaced,
        )  # fmt: skip

    def start(self, record: dict[str, Any], data: bytes, publish: Publish) -> asyncio.Task[UploadResultV1]:
        task = asyncio.create_task(self._run(record, data, publish))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _run(self, record: dict[str, Any], data: bytes, publish: Publish) -> UploadResultV1:
        tenant_id, filename = record["tenant_id"], record["filename"]
        async with self._tenant_slot(tenant_id), self._slots:
            try:
                outcome = await self._kb.ingest_file(tenant_id, filename, data, record["content_type"] or None)
            except Exception as exc:  # this task is its own consumer loop: it must record the failure, not die
                log.error("rag.indexing_failed", document_id=record["document_id"], error_type=type(exc).__name__)
                outcome = FileResult(filename, len(data), record["content_type"] or "", "failed",
                                     error="indexing failed", error_code="indexing")  # fmt: skip
                if not record["replaced"]:
                    await self._repo.set_document_status(record["document_id"], "failed", {"error": outcome.error})
        result = _result(record, outcome)
        await self._uploads.save_upload({**record, "status": "done", "result": result.model_dump(exclude_none=True)})
        await self._uploads.drop_parts(record["id"])
        await self._announce(record, outcome, publish)
        return result

    def _tenant_slot(self, tenant_id: str) -> asyncio.Semaphore:
        # One small semaphore per tenant that ever uploaded: tenants are few (only the operator creates them).
        slot = self._tenant_slots.get(tenant_id)
        if slot is None:
            slot = self._tenant_slots[tenant_id] = asyncio.Semaphore(self._per_tenant)
        return slot

    async def _announce(self, record: dict[str, Any], outcome: FileResult, publish: Publish) -> None:
        ok = outcome.status == "success"
        event = DocumentIndexedV1(
            upload_id=record["id"], document_id=record["document_id"], filename=record["filename"],
            status="processed" if ok else "failed", chunks=outcome.chunks_created, size=record["size"],
            file_type=(outcome.type.split("/")[-1] if ok else None), error_code=outcome.error_code,
            replaced=record["replaced"],
        )  # fmt: skip
        await publish(event, key=record["id"])
        if ok:
            await publish_knowledge_changed(
                publish, self._kb, record["tenant_id"], "document_indexed", document_id=record["document_id"]
            )

    async def recover(self, publisher_for: Callable[[dict[str, Any]], Publish]) -> int:
        """Restart indexing of files a previous process accepted but did not finish (their parts are kept)."""
        resumed = 0
        for record in await self._uploads.in_flight():
            total = await self._uploads.parts.count({"upload_id": record["id"], "tenant_id": record["tenant_id"]})
            data = await self._uploads.assemble(record["tenant_id"], record["id"], total) if total else None
            if data is None or len(data) != record["size"]:
                await self._uploads.save_upload({**record, "status": "done"})
                if not record["replaced"]:
                    await self._repo.set_document_status(record["document_id"], "failed", {"error": "upload lost"})
                continue
            self.start(record, data, publisher_for(record))
            resumed += 1
        return resumed

    async def stop(self) -> None:
        """Cancel running work; the upload records stay `processing`, so the next start resumes them."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def drain(self) -> None:
        """Wait for every running indexing task (tests and orderly shutdowns)."""
        await asyncio.gather(*self._tasks, return_exceptions=True)


def _result(record: dict[str, Any], outcome: FileResult) -> UploadResultV1:
    return UploadResultV1(
        upload_id=record["id"], document_id=record["document_id"], filename=record["filename"], size=outcome.size,
        type=outcome.type, status=outcome.status, chunks_created=outcome.chunks_created, error=outcome.error,
        error_code=outcome.error_code, replaced=record["replaced"] and outcome.status == "success",
    )  # fmt: skip


async def publish_knowledge_changed(
    publish: Publish, kb: KnowledgeBase, tenant_id: str, reason: str, **ids: str | None
) -> int:
    """Announce the tenant's new knowledge version (response caches keyed on the old one go stale)."""
    version = await kb.knowledge_version(tenant_id)
    message: BaseModel = KnowledgeChangedV1.model_validate({"knowledge_version": version, "reason": reason, **ids})
    await publish(message, key=tenant_id)
    return version
