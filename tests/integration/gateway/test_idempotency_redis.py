"""IdempotencyGuard on a real redis-server: two gateway instances share the claims, so a retry that lands on the
other instance while the first runs waits for it and gets its answer; the work runs once."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from services.gateway.idempotency import IdempotencyGuard, open_records
from tests.support.redis_server import running_redis

pytestmark = pytest.mark.integration


def _instance(url: str, runs: list[str], name: str) -> httpx.AsyncClient:
    app = FastAPI()

    @app.post("/api/query")
    async def query() -> JSONResponse:
        runs.append(name)
        await asyncio.sleep(0.3)
        return JSONResponse({"ran_on": name}, status_code=201)

    app.add_middleware(IdempotencyGuard, records=open_records(url), cs_prefix="/cs", running_ttl_s=5)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw")


async def test_two_instances_share_one_claim(tmp_path: Path) -> None:
    runs: list[str] = []
    headers = {"Idempotency-Key": "k-9", "X-API-Key": "caller"}
    with running_redis(tmp_path) as url:
        async with _instance(url, runs, "a") as a, _instance(url, runs, "b") as b:
            first, second = await asyncio.gather(
                a.post("/api/query", json={"q": 1}, headers=headers),
                b.post("/api/query", json={"q": 1}, headers=headers),
            )
            later = await b.post("/api/query", json={"q": 1}, headers=headers)
            other = await a.post("/api/query", json={"q": 2}, headers=headers)
    assert len(runs) == 1
    assert first.json() == second.json() == later.json() == {"ran_on": runs[0]}
    assert later.headers["idempotent-replayed"] == "true" and other.status_code == 422
