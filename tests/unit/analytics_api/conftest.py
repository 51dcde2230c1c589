"""An in-process platform for analytics API tests: gateway + analytics on one MemoryBus, a scripted day sent."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from libs.bus import MemoryBus
from libs.runtime import PlatformSettings
from libs.store import open_store
from services.analytics.bootstrap import bootstrap as bootstrap_analytics
from services.analytics.settings import AnalyticsSettings
from tests.support.analytics_traffic import send_day
from tests.support.platform import API_KEY, gateway_for_tests, serving, user_headers

AUTH = {"Authorization": f"Bearer {API_KEY}"}
TENANT = "default"  # the bootstrap API key's tenant


@dataclass
class Platform:
    client: httpx.AsyncClient
    bus: MemoryBus

    async def user(self, role: str, tenant_id: str | None = None) -> dict[str, str]:
        return await user_headers(self.client, role, tenant_id=tenant_id)

    async def traffic(self, tenant: str = TENANT, *, ratings: bool = True) -> int:
        sent = await send_day(self.bus, tenant, ratings=ratings)
        await self.bus.drain()
        return sent


@pytest.fixture
async def platform(tmp_path: Path) -> AsyncIterator[Platform]:
    common = PlatformSettings(bus="memory", data_dir=tmp_path)
    bus = MemoryBus(service_name="test")
    analytics = bootstrap_analytics(AnalyticsSettings(platform=common), bus=bus, store=open_store(database="a"))
    async with serving(bus, [analytics, gateway_for_tests(common, bus)]) as client:
        yield Platform(client=client, bus=bus)
