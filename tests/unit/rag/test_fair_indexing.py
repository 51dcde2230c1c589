"""Issue 20 #3: one tenant's uploads never hold every indexing slot: another tenant's file starts at once."""

from __future__ import annotations

import asyncio
from typing import Any

from libs.store import open_store
from services.rag.models import FileResult
from services.rag.store import RagRepository
from services.rag.uploads import Indexer, UploadStore


class SlowKnowledgeBase:
    """Stands in for the parse/embed work only (the scheduling is what is tested): each file runs until released."""

    def __init__(self) -> None:
        self.running: list[str] = []
        self.started: list[str] = []
        self.release = asyncio.Event()

    async def ingest_file(self, tenant_id: str, filename: str, data: bytes, content_type: str | None) -> FileResult:
        self.started.append(f"{tenant_id}/{filename}")
        self.running.append(tenant_id)
        try:
            await self.release.wait()
        finally:
            self.running.remove(tenant_id)
        return FileResult(filename, len(data), "text/plain", "failed", error="stopped", error_code="test")


def record(tenant_id: str, filename: str) -> dict[str, Any]:
    return {
        "id": f"up-{tenant_id}-{filename}", "tenant_id": tenant_id, "filename": filename, "content_type": "text/plain",
        "size": 1, "document_id": f"doc-{tenant_id}-{filename}", "replaced": False, "status": "processing",
    }  # fmt: skip


async def test_another_tenant_starts_while_one_tenant_has_a_queue() -> None:
    store = open_store(database="rag")
    kb = SlowKnowledgeBase()
    published: list[Any] = []

    async def publish(*args: Any, **kwargs: Any) -> None:
        published.append(args)

    indexer = Indexer(
        kb,  # type: ignore[arg-type]
        RagRepository(store),
        UploadStore(store),
        async_index_bytes=0,
        sync_wait_s=0,
        max_parallel=2,
    )
    tasks = [indexer.start(record("acme", f"f{i}.txt"), b"x", publish) for i in range(5)]
    await asyncio.sleep(0.05)
    tasks.append(indexer.start(record("globex", "small.txt"), b"x", publish))
    await asyncio.sleep(0.05)
    # acme's five files hold one slot between them; globex's file did not wait behind them.
    assert kb.started == ["acme/f0.txt", "globex/small.txt"]
    assert kb.running.count("acme") == 1
    kb.release.set()
    await asyncio.gather(*tasks)
    assert len(kb.started) == 6 and len(published) == 6
