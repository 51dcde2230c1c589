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
from services.privacy.store import generate_key
from tests.support.platform import API_KEY, gateway_for_tests, serving, user_headers

__all__ = ["API_KEY"]  # re-exported for the test modules


@dataclass
class Platform:
    client: httpx.AsyncClient
    bus: MemoryBus

    async def user(self, role: str) -> dict[str, str]:
        return await user_headers(self.client, role)

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
