"""An in-process platform for gateway tests: gateway + sentiment bootstrapped on one MemoryBus and in-memory stores."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from libs.bus import MemoryBus
from libs.runtime import PlatformSettings, Service
from libs.store import open_store
from services.gateway.bootstrap import bootstrap as bootstrap_gateway
from services.gateway.settings import GatewaySettings
from services.sentiment.bootstrap import bootstrap as bootstrap_sentiment
from services.sentiment.settings import SentimentSettings

ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "correct horse battery"
API_KEY = "sb_test_bootstrap_key_0123456789abcdef"


@dataclass
class Platform:
    client: httpx.AsyncClient
    services: list[Service]
    bus: MemoryBus

    async def admin_token(self) -> str:
        resp = await self.client.post("/api/v1/auth/login", json={"username": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
        assert resp.status_code == 200, resp.text
        return str(resp.json()["data"]["token"])


@pytest.fixture
async def platform(tmp_path: Path) -> AsyncIterator[Platform]:
    common = PlatformSettings(bus="memory", data_dir=tmp_path)
    bus = MemoryBus(service_name="test")
    gateway = bootstrap_gateway(
        GatewaySettings(
            platform=common,
            jwt_secret="unit-test-secret-of-sufficient-length-0123456789",
            admin_email=ADMIN_EMAIL,
            admin_password=ADMIN_PASSWORD,
            bootstrap_api_key=API_KEY,
            request_timeout_s=5,
        ),
        bus=bus,
        store=open_store(database="gateway"),
    )
    sentiment = bootstrap_sentiment(
        SentimentSettings(platform=common, warm_model_on_start=False), bus=bus, store=open_store(database="sentiment")
    )
    services = [sentiment, gateway]
    for service in services:
        await service.start(start_bus=False)
    await bus.start()
    assert gateway.app is not None
    transport = httpx.ASGITransport(app=gateway.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        yield Platform(client=client, services=services, bus=bus)
    await bus.stop()
    for service in reversed(services):
        await service.stop(stop_bus=False)
