"""IdempotencyGuard on a small app: claim before the work, wait while it runs, replay after, run again after a
failure that did nothing, refuse another body under the same key (in the dialect's envelope)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.gateway.idempotency import IdempotencyGuard, MemoryRecords


class Work:
    """The route behind the guard: counts the runs; the first `fail_first` runs answer 503 (nothing done)."""

    def __init__(self, *, delay: float = 0.0, fail_first: int = 0) -> None:
        self.runs, self.delay, self.fail_first = 0, delay, fail_first

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/api/query")
        async def query(request: Request) -> JSONResponse:
            body: dict[str, Any] = await request.json()
            self.runs += 1
            await asyncio.sleep(self.delay)
            if self.runs <= self.fail_first:
                return JSONResponse({"error": "busy"}, status_code=503)
            return JSONResponse({"run": self.runs, "echo": body["q"]}, status_code=201)

        app.add_middleware(IdempotencyGuard, records=MemoryRecords(), cs_prefix="/cs", running_ttl_s=5)
        return app


def _client(work: Work) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=work.app()), base_url="http://t")


KEY = {"Idempotency-Key": "k-1", "X-API-Key": "caller-a"}


async def test_a_retry_after_the_run_gets_the_stored_answer() -> None:
    work = Work()
    async with _client(work) as client:
        first = await client.post("/api/query", json={"q": "a"}, headers=KEY)
        again = await client.post("/api/query", json={"q": "a"}, headers=KEY)
        other_caller = await client.post("/api/query", json={"q": "a"}, headers={**KEY, "X-API-Key": "caller-b"})
        no_key = await client.post("/api/query", json={"q": "a"}, headers={"X-API-Key": "caller-a"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json() == {"run": 1, "echo": "a"}
    assert again.headers["idempotent-replayed"] == "true"
    assert other_caller.json()["run"] == 2 and no_key.json()["run"] == 3  # keys are per caller; no key, no dedupe


async def test_a_retry_while_it_runs_waits_for_it() -> None:
    work = Work(delay=0.3)
    async with _client(work) as client:
        first, second = await asyncio.gather(
            client.post("/api/query", json={"q": "a"}, headers=KEY),
            client.post("/api/query", json={"q": "a"}, headers=KEY),
        )
    assert work.runs == 1
    assert first.json() == second.json() and {first.status_code, second.status_code} == {201}


async def test_after_a_failure_that_did_nothing_the_retry_runs_again() -> None:
    work = Work(fail_first=1)
    async with _client(work) as client:
        failed = await client.post("/api/query", json={"q": "a"}, headers=KEY)
        retried = await client.post("/api/query", json={"q": "a"}, headers=KEY)
    assert failed.status_code == 503
    assert retried.status_code == 201 and retried.json()["run"] == 2 and "idempotent-replayed" not in retried.headers


async def test_the_same_key_with_another_body_is_refused_in_the_dialect_envelope() -> None:
    work = Work()
    async with _client(work) as client:
        await client.post("/api/query", json={"q": "a"}, headers=KEY)
        other = await client.post("/api/query", json={"q": "b"}, headers=KEY)
        bad = await client.post("/api/query", json={"q": "a"}, headers={**KEY, "Idempotency-Key": "x" * 201})
    assert other.status_code == 422 and work.runs == 1
    assert "different request body" in other.text and "error" in other.json()  # seed 001's {"error": ...} shape
    assert bad.status_code == 400


def test_a_timeout_answer_says_the_operation_may_still_complete() -> None:
    from starlette.requests import Request as StarletteRequest

    from libs.errors import Timeout
    from services.gateway.dialects import SUPPORT_AGENT

    scope = {"type": "http", "method": "POST", "path": "/api/query", "headers": [], "query_string": b""}
    response = SUPPORT_AGENT.domain_error(StarletteRequest(scope), Timeout("conversation did not answer in time"))
    assert response.status_code == 504
    assert b"may still complete" in response.body and b"session history" in response.body


async def test_memory_records_are_bounded_expired_first_then_oldest() -> None:
    records = MemoryRecords(capacity=3)
    await records.put("expired", {"n": 0}, ttl_s=-1)
    for n in range(1, 4):
        assert await records.claim(f"k{n}", {"n": n}, ttl_s=60)
    assert await records.get("expired") is None and await records.get("k1") == {"n": 1}
    await records.put("k4", {"n": 4}, ttl_s=60)
    assert await records.get("k1") is None  # the oldest live one went once nothing had expired
    assert [await records.get(f"k{n}") for n in (2, 3, 4)] == [{"n": 2}, {"n": 3}, {"n": 4}]
