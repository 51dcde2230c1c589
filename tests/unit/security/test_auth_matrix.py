"""Issue 20 #7: every operation of the gateway's own /openapi.json refuses every bad credential, and the admin and
operator operations refuse every lower role — in the dialect's envelope, never a 5xx, never reaching a service.

The operations come from the OpenAPI document, so a route added later is covered without touching this file; a
route that answers without credentials must be listed in OPEN.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from libs.bus import MemoryBus
from libs.runtime import PlatformSettings
from tests.support.platform import API_KEY, JWT_SECRET, gateway_for_tests, serving

OPERATOR = {"X-API-Key": API_KEY}
# Open by their seed: login, seed 001's health, seed 004's session-token validation.
OPEN = {("POST", "/api/v1/auth/login"), ("GET", "/health"), ("GET", "/sessions/validate/{session_token}")}
ADMIN_ONLY = {
    ("POST", "/api/v1/users"),
    ("GET", "/api/v1/users"),
    ("POST", "/api/v1/api-keys"),
    ("GET", "/api/v1/api-keys"),
    ("DELETE", "/api/v1/api-keys/{key_id}"),
    ("PUT", "/cs/config"),
}
OPERATOR_ONLY = {("POST", "/api/v1/tenants"), ("GET", "/api/v1/tenants")}
# Valid bodies, so that a refusal is the role check's and not the body validation's.
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/api/v1/users"): {"email": "new@example.com", "password": "long enough pw", "roles": ["agent"]},
    ("POST", "/api/v1/api-keys"): {"name": "k"},
    ("PUT", "/cs/config"): {"companyId": "default"},
    ("POST", "/api/v1/tenants"): {"tenant_id": "newco", "name": "NewCo"},
}


@dataclass
class Gateway:
    client: httpx.AsyncClient
    operations: list[tuple[str, str]]

    async def key(self, roles: list[str], tenant_id: str | None = None) -> tuple[str, str]:
        body: dict[str, Any] = {"name": "matrix", "roles": roles, "rate_tier": "enterprise"}
        if tenant_id:
            body["tenant_id"] = tenant_id
        resp = await self.client.post("/api/v1/api-keys", json=body, headers=OPERATOR)
        assert resp.status_code == 201, resp.text
        return resp.json()["data"]["id"], resp.json()["data"]["api_key"]

    async def call(self, method: str, path: str, headers: dict[str, str]) -> httpx.Response:
        url = path.replace("{", "").replace("}", "")  # every path parameter becomes its own name
        body = None if method in ("GET", "DELETE") else BODIES.get((method, path), {})
        return await self.client.request(method, url, json=body, headers=headers)


@pytest.fixture
async def gateway(tmp_path: Path) -> AsyncIterator[Gateway]:
    bus = MemoryBus(service_name="test")
    # No service answers on the bus: a request that got past authentication would show as a 504, not a 401/403.
    service = gateway_for_tests(PlatformSettings(bus="memory", data_dir=tmp_path), bus, request_timeout_s=0.2)
    async with serving(bus, [service]) as client:
        spec = (await client.get("/openapi.json")).json()
        ops = [
            (m.upper(), p)
            for p, item in spec["paths"].items()
            for m in item
            if m in ("get", "post", "put", "delete", "patch")
        ]
        yield Gateway(client=client, operations=ops)


def _claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    return {"sub": "user-x", "tenant": "default", "roles": ["admin"], "iat": now, "exp": now + 600, **overrides}


def _alg_none(claims: dict[str, Any]) -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


BAD_CREDENTIALS = {
    "none": {},
    "wrong-key-jwt": {
        "Authorization": "Bearer " + jwt.encode(_claims(), "another-secret-of-the-same-length-0123456789")
    },
    "alg-none": {"Authorization": "Bearer " + _alg_none(_claims())},
    "expired-jwt": {"Authorization": "Bearer " + jwt.encode(_claims(exp=int(time.time()) - 5), JWT_SECRET)},
    "unknown-key": {"X-API-Key": "sb_" + "u" * 43},
    "malformed": {"Authorization": "Basic YWRtaW46YWRtaW4="},
}


def _refused(resp: httpx.Response, status: int) -> str | None:
    """None when `resp` is the expected refusal in a dialect envelope; otherwise what is wrong."""
    if resp.status_code != status:
        return f"{resp.status_code} {resp.text[:120]}"
    if "detail" in resp.json():  # FastAPI's default body: the dialect's envelope was bypassed
        return "not in the dialect's envelope"
    return None


@pytest.mark.parametrize("credential", list(BAD_CREDENTIALS))
async def test_every_protected_operation_refuses_a_bad_credential(gateway: Gateway, credential: str) -> None:
    assert len(gateway.operations) >= 50
    wrong = {}
    for method, path in gateway.operations:
        if (method, path) in OPEN:
            continue
        problem = _refused(await gateway.call(method, path, BAD_CREDENTIALS[credential]), 401)
        if problem:
            wrong[f"{method} {path}"] = problem
    assert wrong == {}


async def test_every_protected_operation_refuses_a_revoked_key(gateway: Gateway) -> None:
    key_id, key = await gateway.key(["admin"])
    assert (await gateway.client.delete(f"/api/v1/api-keys/{key_id}", headers=OPERATOR)).status_code == 200
    wrong = {}
    for method, path in gateway.operations:
        if (method, path) not in OPEN:
            problem = _refused(await gateway.call(method, path, {"Authorization": f"Bearer {key}"}), 401)
            if problem:
                wrong[f"{method} {path}"] = problem
    assert wrong == {}


@pytest.mark.parametrize("roles", [["agent"], ["analyst"], ["reviewer"], ["agent", "analyst", "reviewer"]])
async def test_admin_operations_refuse_every_lower_role(gateway: Gateway, roles: list[str]) -> None:
    _, key = await gateway.key(roles)
    headers = {"Authorization": f"Bearer {key}"}
    wrong = {}
    for method, path in sorted(ADMIN_ONLY | OPERATOR_ONLY):
        problem = _refused(await gateway.call(method, path, headers), 403)
        if problem:
            wrong[f"{method} {path}"] = problem
    assert wrong == {}
    resp = await gateway.client.get("/metrics", headers=headers)
    assert resp.status_code == 403


@pytest.mark.parametrize("tenant_id", [None, "acme"], ids=["platform-tenant-admin", "other-tenant-admin"])
async def test_operator_operations_refuse_a_tenant_admin(gateway: Gateway, tenant_id: str | None) -> None:
    _, key = await gateway.key(["admin"], tenant_id)
    headers = {"Authorization": f"Bearer {key}"}
    wrong = {}
    for method, path in sorted(OPERATOR_ONLY):
        problem = _refused(await gateway.call(method, path, headers), 403)
        if problem:
            wrong[f"{method} {path}"] = problem
    assert wrong == {}


async def test_the_role_tables_name_real_operations(gateway: Gateway) -> None:
    assert set(gateway.operations) >= ADMIN_ONLY | OPERATOR_ONLY | OPEN
