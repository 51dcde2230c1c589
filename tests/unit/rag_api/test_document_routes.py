"""Seed 004 /upload_docs, /rag/stats, /rag/documents through the gateway, answered by the rag service over the bus."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime

import pytest

from libs.bus.base import MessageContext
from libs.contracts.models.rag import DeleteDocumentV1, UploadPartV1
from libs.errors import Conflict
from libs.store import open_store
from services.rag.handlers import handle_delete_document
from services.rag.store import CommandInbox, RagRepository, document_id, document_record
from services.rag.uploads import UploadStore
from tests.support.documents import minimal_pdf
from tests.unit.rag_api.conftest import AUTH, DEFAULT_TENANT, Platform, PlatformFactory

PDF_TEXT = "Refunds are paid back to the original card within five business days after we receive the return"
CSV = (
    b"region,carrier,delivery_days\n"
    b"Europe,DHL Express,3\n"
    b"North America,UPS Ground,5\n"
    b"Asia Pacific,FedEx International,7\n"
)
TXT = b"To reset your password open Settings, choose Security and click Reset password. A link arrives by email.\n"
ZULU = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


async def upload_three(platform: Platform) -> dict:
    resp = await platform.upload(
        ("manual.pdf", minimal_pdf(PDF_TEXT), "application/pdf"),
        ("shipping.csv", CSV, "text/csv"),
        ("password.txt", TXT, "text/plain"),
    )
    assert resp.status_code == 200, resp.text
    return resp.json()


def assert_crm_error(body: dict, code: str, field: str | None = None) -> None:
    assert body["success"] is False
    assert body["error"]["code"] == code
    assert set(body["error"]) == {"code", "message", "details", "field"}
    if field is not None:
        assert body["error"]["field"] == field
    assert set(body["metadata"]) == {"response_time", "timestamp", "request_id"}


async def test_upload_three_files_then_each_answers_its_own_question(platform: Platform) -> None:
    body = await upload_three(platform)
    assert body["success"] is True
    assert set(body["metadata"]) == {"response_time", "timestamp", "processing_time"}
    data = body["data"]
    assert set(data) == {"uploaded_files", "total_uploaded", "total_failed", "total_chunks"}
    assert [f["filename"] for f in data["uploaded_files"]] == ["manual.pdf", "shipping.csv", "password.txt"]
    assert [f["type"] for f in data["uploaded_files"]] == ["application/pdf", "text/csv", "text/plain"]
    for entry in data["uploaded_files"]:
        assert set(entry) == {"filename", "size", "type", "status", "chunks_created"}
        assert entry["status"] == "success" and entry["chunks_created"] >= 1
    assert data["uploaded_files"][1]["chunks_created"] == 3  # one passage per CSV row
    assert (data["total_uploaded"], data["total_failed"]) == (3, 0)
    assert data["total_chunks"] == sum(f["chunks_created"] for f in data["uploaded_files"])

    refunds = await platform.retrieve("How many days until my refund reaches my card?")
    assert refunds["passages"][0]["filename"] == "manual.pdf"
    assert refunds["passages"][0]["source"] == "manual.pdf"
    assert refunds["knowledge_version"] >= 1
    shipping = await platform.retrieve("Which carrier ships to Asia Pacific?")
    assert shipping["passages"][0]["filename"] == "shipping.csv"
    assert "FedEx" in shipping["passages"][0]["content"]
    password = await platform.retrieve("I forgot my password, how do I reset it?")
    assert password["passages"][0]["filename"] == "password.txt"
    changed = platform.events("rag.KnowledgeChanged.v1")
    assert [e["data"]["reason"] for e in changed] == ["document_indexed"] * 3
    indexed = platform.events("rag.DocumentIndexed.v1")
    assert {e["data"]["filename"]: e["data"]["status"] for e in indexed} == {
        "manual.pdf": "processed", "shipping.csv": "processed", "password.txt": "processed"
    }  # fmt: skip


async def test_stats_and_document_list_follow_uploads_and_deletes(platform: Platform) -> None:
    uploaded = (await upload_three(platform))["data"]["uploaded_files"]
    stats = (await platform.client.get("/rag/stats", headers=AUTH)).json()
    assert stats["success"] is True
    assert set(stats["data"]) == {
        "total_documents", "total_chunks", "total_size_bytes", "file_types", "last_updated", "avg_chunk_size",
        "collection_health",
    }  # fmt: skip
    assert stats["data"]["total_documents"] == 3
    assert stats["data"]["file_types"] == {"pdf": 1, "csv": 1, "txt": 1}
    assert stats["data"]["total_size_bytes"] == sum(f["size"] for f in uploaded)
    assert stats["data"]["collection_health"] == "healthy"
    assert ZULU.match(stats["data"]["last_updated"])

    listing = (await platform.client.get("/rag/documents", params={"per_page": 2}, headers=AUTH)).json()
    assert listing["pagination"] == {"page": 1, "per_page": 2, "total": 3, "pages": 2}
    assert len(listing["data"]) == 2
    item = listing["data"][0]
    assert set(item) == {"id", "filename", "content_type", "size", "chunks", "uploaded_at", "status"}
    assert item["status"] == "processed" and ZULU.match(item["uploaded_at"])

    resp = await platform.client.delete("/rag/documents/manual.pdf", headers=AUTH)
    assert resp.status_code == 200, resp.text
    pdf = next(f for f in uploaded if f["filename"] == "manual.pdf")
    assert resp.json()["data"] == {"filename": "manual.pdf", "chunks_removed": pdf["chunks_created"],
                                   "size_freed": pdf["size"]}  # fmt: skip
    refunds = await platform.retrieve("How many days until my refund reaches my card?")
    assert all(p.get("filename") != "manual.pdf" for p in refunds["passages"])
    stats = (await platform.client.get("/rag/stats", headers=AUTH)).json()["data"]
    assert stats["total_documents"] == 2 and "pdf" not in stats["file_types"]
    names = [d["filename"] for d in (await platform.client.get("/rag/documents", headers=AUTH)).json()["data"]]
    assert sorted(names) == ["password.txt", "shipping.csv"]
    assert platform.events("rag.KnowledgeChanged.v1")[-1]["data"]["reason"] == "document_deleted"

    again = await platform.client.delete("/rag/documents/manual.pdf", headers=AUTH)
    assert again.status_code == 404
    assert_crm_error(again.json(), "NOT_FOUND")


async def test_bad_files_fail_one_by_one_without_failing_the_others(platform: Platform) -> None:
    resp = await platform.upload(
        ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png"),
        ("empty.txt", b"", "text/plain"),
        ("../../etc/passwd.txt", b"root:x:0:0", "text/plain"),
        ("tool.exe", b"MZ\x90\x00", "application/octet-stream"),
        ("good.txt", TXT, "text/plain"),
    )
    assert resp.status_code == 200, resp.text
    files = {f["filename"]: f for f in resp.json()["data"]["uploaded_files"]}
    assert files["photo.png"]["error_code"] == "unsupported_type"
    assert files["empty.txt"]["error_code"] == "empty"
    assert files["../../etc/passwd.txt"]["error_code"] == "invalid_filename"
    assert files["tool.exe"]["error_code"] == "unsupported_type"
    for name in ("photo.png", "empty.txt", "../../etc/passwd.txt", "tool.exe"):
        assert files[name]["status"] == "failed" and files[name]["error"] and files[name]["chunks_created"] == 0
    assert files["good.txt"]["status"] == "success"
    assert (resp.json()["data"]["total_uploaded"], resp.json()["data"]["total_failed"]) == (1, 4)
    stats = (await platform.client.get("/rag/stats", headers=AUTH)).json()["data"]
    assert stats["total_documents"] == 1
    names = {d["filename"] for d in (await platform.client.get("/rag/documents", headers=AUTH)).json()["data"]}
    assert "../../etc/passwd.txt" not in names


async def test_same_filename_replaces_the_earlier_upload(platform: Platform) -> None:
    await platform.upload(("policy.txt", b"Our store opens at nine in the morning on weekdays.", "text/plain"))
    resp = await platform.upload(("policy.txt", b"Pets are welcome in every store if kept on a leash.", "text/plain"))
    assert resp.json()["data"]["uploaded_files"][0]["status"] == "success"
    listing = (await platform.client.get("/rag/documents", headers=AUTH)).json()
    assert [d["filename"] for d in listing["data"]] == ["policy.txt"]
    found = await platform.retrieve("Can I bring my dog?", top_k=5)
    assert [p["content"] for p in found["passages"]] == ["Pets are welcome in every store if kept on a leash."]


async def test_request_level_errors_use_the_seed_004_envelope(platform: Platform) -> None:
    not_multipart = await platform.client.post("/upload_docs", json={"files": []}, headers=AUTH)
    assert not_multipart.status_code == 400
    assert_crm_error(not_multipart.json(), "VALIDATION_ERROR", "files")
    wrong_field = await platform.client.post("/upload_docs", files={"document": ("a.txt", b"x")}, headers=AUTH)
    assert wrong_field.status_code == 400
    assert_crm_error(wrong_field.json(), "VALIDATION_ERROR", "document")
    no_auth = await platform.client.post("/upload_docs", files={"files": ("a.txt", b"x")})
    assert no_auth.status_code == 401
    assert_crm_error(no_auth.json(), "UNAUTHORIZED")
    for params, field in (({"page": 0}, "page"), ({"per_page": 101}, "per_page"), ({"per_page": "ten"}, "per_page")):
        resp = await platform.client.get("/rag/documents", params=params, headers=AUTH)
        assert resp.status_code == 400, params
        assert_crm_error(resp.json(), "VALIDATION_ERROR", field)


async def test_a_file_of_50_mb_is_refused_while_streaming(platform: Platform) -> None:
    resp = await platform.upload(("huge.txt", b"a" * 50_000_000, "text/plain"))
    assert resp.status_code == 413
    body = resp.json()
    assert_crm_error(body, "VALIDATION_ERROR")
    assert "files: huge.txt" in body["error"]["details"] and "50 MB" in body["error"]["details"]
    assert (await platform.client.get("/rag/stats", headers=AUTH)).json()["data"]["total_documents"] == 0


async def test_a_file_larger_than_one_part_is_reassembled_in_order(platform: Platform) -> None:
    pdf = minimal_pdf("The warranty covers manufacturing defects for two full years", padding=1_300_000)
    resp = await platform.upload(("warranty.pdf", pdf, "application/pdf"))
    entry = resp.json()["data"]["uploaded_files"][0]
    assert entry["status"] == "success", entry  # a misordered or missing part would make the PDF corrupt
    assert entry["size"] == len(pdf)
    found = await platform.retrieve("How long is the warranty?")
    assert found["passages"][0]["filename"] == "warranty.pdf"


async def test_large_files_are_indexed_in_the_background(make_platform: PlatformFactory) -> None:
    platform = await make_platform(async_index_bytes=0)
    resp = await platform.upload(("faq.txt", TXT, "text/plain"))
    entry = resp.json()["data"]["uploaded_files"][0]
    assert (entry["status"], entry["chunks_created"]) == ("processing", 0)
    assert resp.json()["data"]["total_uploaded"] == 1
    await platform.wait_for_status("faq.txt", "processed")
    event = platform.events("rag.DocumentIndexed.v1")[-1]["data"]
    assert (event["filename"], event["status"], event["chunks"]) == ("faq.txt", "processed", 1)
    found = await platform.retrieve("How do I reset my password?")
    assert found["passages"][0]["filename"] == "faq.txt"

    await platform.upload(("broken.json", b"{not json", "application/json"))
    await platform.wait_for_status("broken.json", "failed")
    event = platform.events("rag.DocumentIndexed.v1")[-1]["data"]
    assert (event["filename"], event["status"], event["error_code"]) == ("broken.json", "failed", "corrupt")


async def test_an_accepted_upload_interrupted_by_a_restart_is_resumed(make_platform: PlatformFactory) -> None:
    """A previous process stored every part and said "processing", then died: the next start indexes the file."""
    store = open_store(database="rag")
    uploads = UploadStore(store)
    await uploads.setup()
    part = UploadPartV1(
        upload_id="upl_restart", filename="resumed.txt", content_type="text/plain", index=0, total=1,
        size=len(TXT), data_b64=base64.b64encode(TXT).decode(),
    )  # fmt: skip
    await uploads.add_part(DEFAULT_TENANT, part)
    doc_id = document_id(DEFAULT_TENANT, "resumed.txt")
    await uploads.save_upload(
        {"id": "upl_restart", "tenant_id": DEFAULT_TENANT, "filename": "resumed.txt", "content_type": "text/plain",
         "size": len(TXT), "document_id": doc_id, "replaced": False, "status": "processing",
         "created_at": datetime.now(UTC)}
    )  # fmt: skip
    await RagRepository(store).save_document(
        {**document_record(doc_id, DEFAULT_TENANT, "resumed.txt", "text/plain", len(TXT), datetime.now(UTC)),
         "status": "processing"}
    )  # fmt: skip
    platform = await make_platform(rag_store=store)
    await platform.wait_for_status("resumed.txt", "processed")
    found = await platform.retrieve("How do I reset my password?")
    assert found["passages"][0]["filename"] == "resumed.txt"
    assert await uploads.parts.count({"upload_id": "upl_restart"}) == 0


async def test_deleting_a_file_that_is_still_being_indexed_is_a_conflict() -> None:
    """The delete would wait on the indexing's lock and hold up every query on rag.commands behind it."""
    store = open_store(database="rag")
    uploads = UploadStore(store)
    await uploads.setup()
    await uploads.save_upload(
        {"id": "upl_busy", "tenant_id": DEFAULT_TENANT, "filename": "busy.txt", "status": "processing"}
    )
    ctx = MessageContext("evt_1", DEFAULT_TENANT, "corr_1", None, "rag.DeleteDocument.v1")
    with pytest.raises(Conflict) as caught:
        await handle_delete_document(
            DeleteDocumentV1(filename="busy.txt"),
            ctx=ctx,
            kb=None,
            uploads=uploads,
            inbox=CommandInbox(store),
            publish=None,  # type: ignore[arg-type]
        )
    assert caught.value.details == {"field": "filename"}
