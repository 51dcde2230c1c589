"""Issue 20 #6: X-Forwarded-For is believed only from configured proxies (none by default), so a client cannot
pick a fresh address to escape its per-IP limits."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI, Request

from libs.bus import MemoryBus
from libs.runtime import PlatformSettings, serve_forever
from tests.support.platform import API_KEY, gateway_for_tests, serving

AUTH = {"X-API-Key": API_KEY}


@pytest.fixture(params=["", "10.9.9.9", "127.0.0.1"], ids=["no-proxy", "other-proxy", "this-proxy"])
async def client(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[tuple[str, httpx.AsyncClient]]:
    bus = MemoryBus(service_name="test")
    common = PlatformSettings(bus="memory", data_dir=tmp_path)
    gateway = gateway_for_tests(common, bus, trusted_proxies=request.param)
    async with serving(bus, [gateway]) as client:  # the ASGI client connects from 127.0.0.1
        yield request.param, client


async def test_rotating_forwarded_for_escapes_the_limit_only_through_a_trusted_proxy(
    client: tuple[str, httpx.AsyncClient],
) -> None:
    proxy, http = client
    statuses = []
    for n in range(61):
        resp = await http.post("/api/query", json={}, headers={**AUTH, "X-Forwarded-For": f"203.0.113.{n}"})
        statuses.append(resp.status_code)
    if proxy == "127.0.0.1":  # behind our own proxy each forwarded client has its own 60/min
        assert 429 not in statuses
    else:
        assert statuses[-1] == 429


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_the_http_server_itself_ignores_forwarded_for_from_loopback() -> None:
    app = FastAPI()

    @app.get("/ip")
    async def ip(request: Request) -> dict[str, str | None]:
        return {"host": request.client.host if request.client else None}

    port, stop = _free_port(), asyncio.Event()
    server = asyncio.create_task(serve_forever(app, "127.0.0.1", port, stop))
    try:
        async with httpx.AsyncClient() as http:
            for _ in range(100):
                try:
                    resp = await http.get(f"http://127.0.0.1:{port}/ip", headers={"X-Forwarded-For": "203.0.113.7"})
                    break
                except httpx.ConnectError:
                    await asyncio.sleep(0.05)
        assert resp.json() == {"host": "127.0.0.1"}
    finally:
        stop.set()
        await server
