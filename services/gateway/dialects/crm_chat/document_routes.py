"""Seed 004 document management: POST /upload_docs (streamed multipart), GET /rag/stats, GET /rag/documents and
DELETE /rag/documents/{filename}, answered by the rag service over the bus in the seed 004 envelope."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import datetime
from tempfile import SpooledTemporaryFile
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from python_multipart.multipart import MultipartParseError, MultipartParser, parse_options_header

from libs.contracts.models.rag import UploadResultV1
from libs.errors import Invalid, TooLarge
from services.gateway.deps import Caller, GatewayDep
from services.gateway.dialects.crm_chat.envelope import DIALECT, ok
from services.gateway.dialects.crm_chat.responses import DeletedDocument, DocumentItem, Ok, Paged, RagStats, Uploaded

router = APIRouter(route_class=DIALECT.route_class(), tags=["crm_chat: documents"])

MAX_FILE_BYTES = 50_000_000  # the rag service's limit: a file of this size or more is refused
MAX_FILES = 20
MAX_UPLOAD_BYTES = 200_000_000  # all files of one request together
SPOOL_BYTES = 1024 * 1024  # a file stays in memory up to this size, then goes to a temporary file
PARALLEL_FILES = 4


def zulu(value: str | None) -> str | None:
    """The seed's timestamp style (2024-01-01T00:00:00Z) for an ISO timestamp from the rag service."""
    if not value:
        return None
    return datetime.fromisoformat(value).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass
class UploadedFile:
    filename: str
    content_type: str
    # Closed by FormReader.close() once the file was sent (or the request failed).
    body: SpooledTemporaryFile[bytes] = field(
        default_factory=lambda: SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
    )
    size: int = 0


class FormReader:
    """Streams a multipart body into one spooled file per `files` part, refusing an oversized file mid-stream."""

    def __init__(self, boundary: bytes) -> None:
        self.files: list[UploadedFile] = []
        self.total = 0
        self._headers: dict[bytes, bytes] = {}
        self._name = b""
        self._value = b""
        callbacks: Any = {
            "on_part_begin": self._part_begin,
            "on_header_field": lambda d, s, e: setattr(self, "_name", self._name + d[s:e]),
            "on_header_value": lambda d, s, e: setattr(self, "_value", self._value + d[s:e]),
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._part_data,
            "on_end": lambda: setattr(self, "_complete", True),
        }
        self._complete = False
        self._parser = MultipartParser(boundary, callbacks)

    def feed(self, chunk: bytes) -> None:
        try:
            self._parser.write(chunk)
        except MultipartParseError as exc:
            raise Invalid("Malformed multipart body", {"files": "the multipart body could not be parsed"}) from exc

    def finish(self) -> list[UploadedFile]:
        self._parser.finalize()
        if not self._complete:  # the parser's finalize() does not check that the closing boundary came
            raise Invalid("Malformed multipart body", {"files": "the multipart body ends before its closing boundary"})
        if not self.files:
            raise Invalid("No files uploaded", {"files": "send one or more files as multipart 'files' parts"})
        return self.files

    def close(self) -> None:
        for upload in self.files:
            upload.body.close()

    def _part_begin(self) -> None:
        self._headers = {}

    def _header_end(self) -> None:
        self._headers[self._name.strip().lower()] = self._value.strip()
        self._name = self._value = b""

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        name = options.get(b"name", b"").decode("utf-8", "replace")
        if name != "files":
            raise Invalid("Unknown form field", {name or "field": "Unknown field; send files as 'files' parts"})
        raw = options.get(b"filename")
        if not raw:
            raise Invalid("Each 'files' part must be a file", {"files": "part without a filename"})
        if len(self.files) >= MAX_FILES:
            raise Invalid(f"At most {MAX_FILES} files per request", {"files": f"at most {MAX_FILES} files"})
        try:
            filename = raw.decode("utf-8")
        except UnicodeDecodeError:
            filename = raw.decode("latin-1")
        content_type = self._headers.get(b"content-type", b"application/octet-stream").decode("latin-1")
        self.files.append(UploadedFile(filename=filename, content_type=content_type))

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        upload = self.files[-1]
        upload.size += end - start
        self.total += end - start
        if upload.size >= MAX_FILE_BYTES:
            limit = f"{upload.filename} is larger than the {MAX_FILE_BYTES // 1_000_000} MB per-file limit"
            raise TooLarge("File too large", {"files": limit, "limit_bytes": MAX_FILE_BYTES})
        if self.total > MAX_UPLOAD_BYTES:
            limit = f"all files together exceed {MAX_UPLOAD_BYTES // 1_000_000} MB"
            raise TooLarge("Upload too large", {"files": limit, "limit_bytes": MAX_UPLOAD_BYTES})
        upload.body.write(data[start:end])


async def read_files(request: Request) -> FormReader:
    ctype, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if ctype != b"multipart/form-data" or not boundary:
        raise Invalid("Multipart form data required", {"files": "send the files as multipart/form-data"})
    reader = FormReader(boundary)
    try:
        async for chunk in request.stream():
            reader.feed(chunk)
        reader.finish()
    except BaseException:
        reader.close()
        raise
    return reader


def _file_entry(result: UploadResultV1) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "filename": result.filename,
        "size": result.size,
        "type": result.type,
        "status": result.status,
        "chunks_created": result.chunks_created,
    }
    if result.status == "failed":
        entry["error"] = result.error or "upload failed"
        entry["error_code"] = result.error_code
    return entry


@router.post("/upload_docs", response_model=Uploaded, response_model_exclude_unset=True)
async def upload_docs(caller: Caller, gw: GatewayDep, request: Request) -> dict[str, Any]:
    """Files are indexed now (status success/failed) or, when large or slow, in the background (processing)."""
    caller.require("agent")
    reader = await read_files(request)
    started = time.perf_counter()
    client, slots = gw.clients.rag, asyncio.Semaphore(PARALLEL_FILES)

    async def send(upload: UploadedFile) -> UploadResultV1:
        async with slots:
            return await client.upload(
                caller, upload.filename, upload.content_type, upload.body, upload.size,
            )  # fmt: skip

    try:
        results = await asyncio.gather(*(send(u) for u in reader.files))
    finally:
        reader.close()
    files = [_file_entry(r) for r in results]
    data = {
        "uploaded_files": files,
        "total_uploaded": sum(r.status != "failed" for r in results),
        "total_failed": sum(r.status == "failed" for r in results),
        "total_chunks": sum(r.chunks_created for r in results),
    }
    body = ok(request, data)
    body["metadata"]["processing_time"] = round(time.perf_counter() - started, 3)
    return body


@router.get("/rag/stats", response_model=Ok[RagStats], response_model_exclude_unset=True)
async def rag_stats(caller: Caller, gw: GatewayDep, request: Request) -> dict[str, Any]:
    stats = await gw.clients.rag.stats(caller)
    data = {
        "total_documents": stats.total_documents,
        "total_chunks": stats.total_chunks,
        "total_size_bytes": stats.total_size_bytes,
        "file_types": stats.file_types,
        "last_updated": zulu(stats.last_updated),
        "avg_chunk_size": stats.avg_chunk_size,
        "collection_health": stats.collection_health,
    }
    return ok(request, data)


@router.get("/rag/documents", response_model=Paged[DocumentItem], response_model_exclude_unset=True)
async def list_documents(
    caller: Caller,
    gw: GatewayDep,
    request: Request,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 10,
) -> dict[str, Any]:
    listing = await gw.clients.rag.list_documents(caller, page, per_page)
    items = []
    for doc in listing.documents:
        item = {
            "id": doc.id,
            "filename": doc.filename,
            "content_type": doc.content_type,
            "size": doc.size,
            "chunks": doc.chunks,
            "uploaded_at": zulu(doc.uploaded_at),
            "status": doc.status,
        }
        if doc.status == "failed" and doc.error:
            item["error"] = doc.error
        items.append(item)
    body = ok(request, items)
    pagination = {"page": listing.page, "per_page": listing.per_page, "total": listing.total, "pages": listing.pages}
    return {"success": True, "data": items, "pagination": pagination, "metadata": body["metadata"]}


@router.delete("/rag/documents/{filename}", response_model=Ok[DeletedDocument], response_model_exclude_unset=True)
async def delete_document(filename: str, caller: Caller, gw: GatewayDep, request: Request) -> dict[str, Any]:
    caller.require("agent")
    if not 1 <= len(filename.encode("utf-8")) <= 1024:
        raise Invalid("Invalid filename", {"filename": "must be 1 to 1024 bytes"})
    result = await gw.clients.rag.delete_document(caller, filename)
    return ok(request, {"filename": result.filename, "chunks_removed": result.chunks_removed,
                        "size_freed": result.size_freed})  # fmt: skip
