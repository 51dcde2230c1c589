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
from libs.runtime import PlatformSettings
from libs.store import open_store
from services.privacy.bootstrap import bootstrap as bootstrap_privacy
from services.privacy.settings import PrivacySettings
from services.privacy.vault import generate_key
from tests.support.platform import ADMIN_EMAIL, ADMIN_PASSWORD, API_KEY, gateway_for_tests, serving

__all__ = ["API_KEY"]  # re-exported for the test modules

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
    privacy = bootstrap_privacy(
        PrivacySettings(platform=common, warm_model_on_start=False, vault_keys=f"test1:{generate_key()}"),
        bus=bus,
        store=open_store(database="privacy"),
    )
    async with serving(bus, [privacy, gateway_for_tests(common, bus, request_timeout_s=20)]) as client:
        yield Platform(client=client, bus=bus)
