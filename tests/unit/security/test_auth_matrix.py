"""Issue 20 #7: every operation of the gateway's own /openapi.json refuses every bad credential, and the admin and
operator operations refuse every lower role — in the dialect's envelope, never a 5xx, never reaching a service.

The operations come from the OpenAPI document, so a route added later is covered without touching this file; a
route that answers without credentials must be listed in OPEN.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from libs.bus import MemoryBus
from libs.runtime import PlatformSettings
from tests.support.attacks import (
    ADMIN_ONLY,
    OPEN,
    OPERATOR_ONLY,
    Operation,
    api_key,
    bad_credentials,
    operations,
    unrefused,
)
from tests.support.platform import API_KEY, JWT_SECRET, gateway_for_tests, serving

OPERATOR = {"X-API-Key": API_KEY}
BAD_CREDENTIALS = bad_credentials(JWT_SECRET)


@dataclass
class Gateway:
    client: httpx.AsyncClient
    operations: list[Operation]

    async def key(self, roles: list[str], tenant_id: str | None = None) -> tuple[str, str]:
        return await api_key(self.client, OPERATOR, roles, tenant_id)

    @property
    def protected(self) -> list[Operation]:
        return [op for op in self.operations if op not in OPEN]


@pytest.fixture
async def gateway(tmp_path: Path) -> AsyncIterator[Gateway]:
    bus = MemoryBus(service_name="test")
    # No service answers on the bus: a request that got past authentication would show as a 504, not a 401/403.
    service = gateway_for_tests(PlatformSettings(bus="memory", data_dir=tmp_path), bus, request_timeout_s=0.2)
    async with serving(bus, [service]) as client:
        yield Gateway(client=client, operations=await operations(client))


@pytest.mark.parametrize("credential", list(BAD_CREDENTIALS))
async def test_every_protected_operation_refuses_a_bad_credential(gateway: Gateway, credential: str) -> None:
    assert len(gateway.operations) >= 50
    assert await unrefused(gateway.client, gateway.protected, BAD_CREDENTIALS[credential], 401) == {}


async def test_every_protected_operation_refuses_a_revoked_key(gateway: Gateway) -> None:
    key_id, key = await gateway.key(["admin"])
    assert (await gateway.client.delete(f"/api/v1/api-keys/{key_id}", headers=OPERATOR)).status_code == 200
    assert await unrefused(gateway.client, gateway.protected, {"Authorization": f"Bearer {key}"}, 401) == {}


@pytest.mark.parametrize("roles", [["agent"], ["analyst"], ["reviewer"], ["agent", "analyst", "reviewer"]])
async def test_admin_operations_refuse_every_lower_role(gateway: Gateway, roles: list[str]) -> None:
    _, key = await gateway.key(roles)
    headers = {"Authorization": f"Bearer {key}"}
    assert await unrefused(gateway.client, sorted(ADMIN_ONLY | OPERATOR_ONLY), headers, 403) == {}
    resp = await gateway.client.get("/metrics", headers=headers)
    assert resp.status_code == 403


@pytest.mark.parametrize("tenant_id", [None, "acme"], ids=["platform-tenant-admin", "other-tenant-admin"])
async def test_operator_operations_refuse_a_tenant_admin(gateway: Gateway, tenant_id: str | None) -> None:
    _, key = await gateway.key(["admin"], tenant_id)
    headers = {"Authorization": f"Bearer {key}"}
    assert await unrefused(gateway.client, sorted(OPERATOR_ONLY), headers, 403) == {}


async def test_the_role_tables_name_real_operations(gateway: Gateway) -> None:
    assert set(gateway.operations) >= ADMIN_ONLY | OPERATOR_ONLY | OPEN
