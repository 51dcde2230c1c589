"""An in-process platform for privacy API tests: gateway + privacy bootstrapped on one MemoryBus, in-memory stores."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from libs.bus import MemoryBus
from libs.runtime import PlatformSettings, Service
from libs.store import open_store
from services.gateway.bootstrap import bootstrap as bootstrap_gateway
from services.gateway.settings import GatewaySettings
from services.privacy.bootstrap import bootstrap as bootstrap_privacy
from services.privacy.settings import PrivacySettings
from services.privacy.vault import generate_key

ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "correct horse battery"
API_KEY = "sb_test_bootstrap_key_0123456789abcdef"
USER_PASSWORD = "reviewer-password-42"


@dataclass
class Platform:
    client: httpx.AsyncClient
    bus: MemoryBus

    async def login(self, email: str, password: str) -> dict[str, str]:
        resp = await self.client.post("/api/v1/auth/login", json={"username": email, "password": password})
        assert resp.status_code == 200, resp.text
        return {"Authorization": f"Bearer {resp.json()['data']['token']}"}

    async def user(self, role: str) -> dict[str, str]:
        """Auth headers of a fresh user with `role`, created by the admin through POST /api/v1/users."""
        admin = await self.login(ADMIN_EMAIL, ADMIN_PASSWORD)
        email = f"{role}@example.com"
        body = {"email": email, "password": USER_PASSWORD, "roles": [role]}
        resp = await self.client.post("/api/v1/users", json=body, headers=admin)
        assert resp.status_code == 201, resp.text
        return await self.login(email, USER_PASSWORD)

    def events(self, topic: str = "privacy.events") -> list[dict[str, Any]]:
        """Envelopes (as dicts) sent to `topic` so far, read from the in-memory broker."""
        return [orjson.loads(record.value) for record in self.bus.broker.records(topic)]


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
            request_timeout_s=20,
        ),
        bus=bus,
        store=open_store(database="gateway"),
    )
    privacy = bootstrap_privacy(
        PrivacySettings(platform=common, warm_model_on_start=False, vault_keys=f"test1:{generate_key()}"),
        bus=bus,
        store=open_store(database="privacy"),
    )
    services: list[Service] = [privacy, gateway]
    for service in services:
        await service.start(start_bus=False)
    await bus.start()
    assert gateway.app is not None
    transport = httpx.ASGITransport(app=gateway.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        yield Platform(client=client, bus=bus)
    await bus.stop()
    for service in reversed(services):
        await service.stop(stop_bus=False)
