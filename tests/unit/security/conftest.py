"""The whole platform in one process (every service on one MemoryBus, in-memory stores, local Qdrant in tmp_path)
for the cross-tenant tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from libs.bus import MemoryBus
from libs.runtime import PlatformSettings, Service
from libs.store import open_store
from services.launcher.catalog import available_services, bootstrap_function, settings_class
from tests.support.platform import API_KEY, gateway_for_tests, serving

OPERATOR = {"X-API-Key": API_KEY}


@dataclass
class Stack:
    client: httpx.AsyncClient

    async def tenant(self, tenant_id: str) -> dict[str, str]:
        """A new tenant through the operator's endpoint; headers of its first admin key."""
        body = {"tenant_id": tenant_id, "name": tenant_id.title(), "rate_tier": "enterprise"}
        resp = await self.client.post("/api/v1/tenants", json=body, headers=OPERATOR)
        assert resp.status_code == 201, resp.text
        return {"Authorization": f"Bearer {resp.json()['data']['api_key']}"}


def build_stack(common: PlatformSettings, bus: MemoryBus) -> list[Service]:
    """Every service, the gateway last (it finds the others consuming), on one bus with in-memory stores."""
    services: list[Service] = []
    for name in available_services():
        if name == "gateway":
            continue
        fields: dict[str, object] = {"platform": common}
        if "warm_model_on_start" in settings_class(name).model_fields:
            fields["warm_model_on_start"] = False
        settings = settings_class(name)(**fields)
        services.append(bootstrap_function(name)(settings, bus=bus, store=open_store(database=name)))
    services.append(gateway_for_tests(common, bus, request_timeout_s=30, batch_timeout_s=60, route_limits=False))
    return services


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    bus = MemoryBus(service_name="test")
    services = build_stack(PlatformSettings(bus="memory", data_dir=tmp_path), bus)
    async with serving(bus, services) as client:
        yield Stack(client=client)
