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
from services.sentiment.bootstrap import bootstrap as bootstrap_sentiment
from services.sentiment.settings import SentimentSettings
from tests.support.platform import ADMIN_EMAIL, ADMIN_PASSWORD, API_KEY, gateway_for_tests, serving

__all__ = ["ADMIN_EMAIL", "ADMIN_PASSWORD", "API_KEY"]


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
    sentiment = bootstrap_sentiment(
        SentimentSettings(platform=common, warm_model_on_start=False), bus=bus, store=open_store(database="sentiment")
    )
    services = [sentiment, gateway_for_tests(common, bus)]
    async with serving(bus, services) as client:
        yield Platform(client=client, services=services, bus=bus)
