"""Issue 20 #7: /metrics (per-route request and 401 counts) opens only to the operator or the scraper's token."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from libs.bus import MemoryBus
from libs.runtime import PlatformSettings
from tests.support.platform import API_KEY, gateway_for_tests, serving

SCRAPE_TOKEN = "scrape-token-0123456789"


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    bus = MemoryBus(service_name="test")
    common = PlatformSettings(bus="memory", data_dir=tmp_path)
    async with serving(bus, [gateway_for_tests(common, bus, metrics_token=SCRAPE_TOKEN)]) as client:
        yield client


async def test_metrics_need_the_operator_or_the_scrape_token(client: httpx.AsyncClient) -> None:
    tenant = await client.post(
        "/api/v1/tenants", json={"tenant_id": "acme", "name": "Acme"}, headers={"X-API-Key": API_KEY}
    )
    tenant_admin = {"Authorization": f"Bearer {tenant.json()['data']['api_key']}"}
    refused = {
        "none": {},
        "wrong token": {"Authorization": "Bearer scrape-token-wrong"},
        "tenant admin": tenant_admin,
    }
    for name, headers in refused.items():
        resp = await client.get("/metrics", headers=headers)
        assert resp.status_code in (401, 403), name
        assert "http_requests" not in resp.text
    for headers in ({"X-API-Key": API_KEY}, {"Authorization": f"Bearer {SCRAPE_TOKEN}"}):
        resp = await client.get("/metrics", headers=headers)
        assert resp.status_code == 200 and "# TYPE" in resp.text


async def test_the_separate_metrics_listener_serves_scrapers(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    bus = MemoryBus(service_name="test")
    gateway = gateway_for_tests(PlatformSettings(bus="memory", data_dir=tmp_path), bus, metrics_port=port)
    async with serving(bus, [gateway]), httpx.AsyncClient() as http:
        for _ in range(100):
            try:
                resp = await http.get(f"http://127.0.0.1:{port}/metrics")
                break
            except httpx.ConnectError:
                await asyncio.sleep(0.05)
        assert resp.status_code == 200 and "# TYPE" in resp.text
        assert (await http.get(f"http://127.0.0.1:{port}/api/v1/users")).status_code == 404  # nothing else there
