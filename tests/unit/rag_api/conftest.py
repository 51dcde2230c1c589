"""An in-process platform for rag API tests: gateway + rag bootstrapped on one MemoryBus, in-memory stores and
Qdrant local mode in tmp_path."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from libs.bus import MemoryBus
from libs.contracts.models.rag import RetrieveV1
from libs.runtime import PlatformSettings
from libs.store import DocumentStore, open_store
from services.rag.bootstrap import bootstrap as bootstrap_rag
from services.rag.settings import RagSettings
from tests.support.platform import API_KEY, gateway_for_tests, serving

AUTH = {"Authorization": f"Bearer {API_KEY}"}
DEFAULT_TENANT = "default"


@dataclass
class Platform:
    client: httpx.AsyncClient
    bus: MemoryBus

    async def upload(self, *files: tuple[str, bytes, str], headers: dict[str, str] | None = None) -> httpx.Response:
        parts = [("files", (name, data, ctype)) for name, data, ctype in files]
        return await self.client.post("/upload_docs", files=parts, headers=headers or AUTH)

    async def retrieve(self, query: str, *, tenant_id: str = DEFAULT_TENANT, top_k: int = 3) -> dict[str, Any]:
        """rag.Retrieve.v1 over the bus, exactly as the conversation service sends it."""
        reply = await self.bus.request(
            "rag.commands", RetrieveV1(query=query, top_k=top_k), key="sess_1", tenant_id=tenant_id, timeout=30
        )
        assert reply.type == "rag.RetrieveResult.v1"
        return reply.data

    def events(self, event_type: str) -> list[dict[str, Any]]:
        envelopes = [orjson.loads(r.value) for r in self.bus.broker.records("rag.events")]
        return [e for e in envelopes if e["type"] == event_type]

    async def api_key_for(self, tenant_id: str) -> dict[str, str]:
        """Headers with a fresh key of another tenant, issued by the admin through POST /api/v1/api-keys."""
        body = {"name": f"{tenant_id} key", "tenant_id": tenant_id, "roles": ["agent"]}
        resp = await self.client.post("/api/v1/api-keys", json=body, headers=AUTH)
        assert resp.status_code == 201, resp.text
        return {"Authorization": f"Bearer {resp.json()['data']['api_key']}"}

    async def wait_for_status(self, filename: str, status: str, headers: dict[str, str] | None = None) -> None:
        for _ in range(600):
            docs = (await self.client.get("/rag/documents", headers=headers or AUTH)).json()["data"]
            if any(d["filename"] == filename and d["status"] == status for d in docs):
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"{filename} never reached {status}")


PlatformFactory = Callable[..., Awaitable[Platform]]


@pytest.fixture
async def make_platform(tmp_path: Path) -> AsyncIterator[PlatformFactory]:
    async with AsyncExitStack() as running:

        async def make(rag_store: DocumentStore | None = None, **rag_overrides: Any) -> Platform:
            common = PlatformSettings(bus="memory", data_dir=tmp_path)
            bus = MemoryBus(service_name="test")
            gateway = gateway_for_tests(common, bus, request_timeout_s=30, batch_timeout_s=60)
            settings = RagSettings(platform=common, warm_model_on_start=False, **rag_overrides)
            rag = bootstrap_rag(settings, bus=bus, store=rag_store or open_store(database="rag"))
            client = await running.enter_async_context(serving(bus, [rag, gateway]))
            return Platform(client=client, bus=bus)

        yield make


@pytest.fixture
async def platform(make_platform: PlatformFactory) -> Platform:
    return await make_platform()
