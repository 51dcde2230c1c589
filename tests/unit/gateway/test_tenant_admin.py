"""Issue 20 #1: a tenant admin acts only in its own tenant; only the platform operator creates tenants and acts
across them; every identity change leaves an audit line."""

from __future__ import annotations

import httpx
import pytest
from structlog.testing import capture_logs

from libs.bus import Envelope
from tests.support.platform import login
from tests.unit.gateway.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, API_KEY, Platform

OPERATOR = {"X-API-Key": API_KEY}


async def new_tenant(client: httpx.AsyncClient, tenant_id: str) -> dict[str, str]:
    """Onboard a tenant through the operator's endpoint; headers of its first admin key."""
    resp = await client.post(
        "/api/v1/tenants", json={"tenant_id": tenant_id, "name": tenant_id.title()}, headers=OPERATOR
    )
    assert resp.status_code == 201, resp.text
    data = resp.json()["data"]
    assert data["tenant_id"] == tenant_id and data["api_key"].startswith("sb_")
    return {"Authorization": f"Bearer {data['api_key']}"}


@pytest.mark.parametrize("victim", ["tenant-b", "default", "never-created"])
async def test_tenant_admin_cannot_mint_keys_or_users_elsewhere(platform: Platform, victim: str) -> None:
    client = platform.client
    acme = await new_tenant(client, "acme")
    await new_tenant(client, "tenant-b")
    key = await client.post(
        "/api/v1/api-keys", json={"name": "x", "roles": ["admin"], "tenant_id": victim}, headers=acme
    )
    user = await client.post(
        "/api/v1/users",
        json={"email": f"evil-{victim}@x.io", "password": "long enough pw", "roles": ["admin"], "tenant_id": victim},
        headers=acme,
    )
    listed = await client.get("/api/v1/api-keys", params={"tenant_id": victim}, headers=acme)
    users = await client.get("/api/v1/users", params={"tenant_id": victim}, headers=acme)
    for resp in (key, user, listed, users):
        assert resp.status_code == 403, resp.text
        # The same refusal whether the tenant exists or not: nothing about other tenants is revealed.
        assert resp.json()["message"] == "A tenant admin manages only its own tenant"


async def test_tenant_admin_manages_its_own_keys_and_users(platform: Platform) -> None:
    client = platform.client
    acme = await new_tenant(client, "acme")
    created = await client.post("/api/v1/api-keys", json={"name": "crm", "roles": ["agent"]}, headers=acme)
    assert created.status_code == 201 and created.json()["data"]["tenant_id"] == "acme"
    key_id = created.json()["data"]["id"]
    listed = (await client.get("/api/v1/api-keys", headers=acme)).json()["data"]["api_keys"]
    assert key_id in {k["id"] for k in listed} and {k["tenant_id"] for k in listed} == {"acme"}
    user = await client.post(
        "/api/v1/users", json={"email": "ops@acme.io", "password": "long enough pw", "roles": ["agent"]}, headers=acme
    )
    assert user.status_code == 201 and user.json()["data"]["tenant_id"] == "acme"
    revoked = await client.delete(f"/api/v1/api-keys/{key_id}", headers=acme)
    assert revoked.status_code == 200 and revoked.json()["data"]["revoked"] is True


async def test_other_tenants_keys_cannot_be_revoked_and_do_not_leak(platform: Platform) -> None:
    client = platform.client
    acme, globex = await new_tenant(client, "acme"), await new_tenant(client, "globex")
    theirs = (await client.post("/api/v1/api-keys", json={"name": "g"}, headers=globex)).json()["data"]["id"]
    for key_id in (theirs, "key_doesnotexist"):
        resp = await client.delete(f"/api/v1/api-keys/{key_id}", headers=acme)
        assert resp.status_code == 404 and resp.json()["message"] == "API key not found"
    listed = (await client.get("/api/v1/api-keys", headers=acme)).json()["data"]["api_keys"]
    assert theirs not in {k["id"] for k in listed}


async def test_only_the_operator_creates_tenants_and_acts_across_them(platform: Platform) -> None:
    client = platform.client
    acme = await new_tenant(client, "acme")
    for method, path in (("POST", "/api/v1/tenants"), ("GET", "/api/v1/tenants")):
        body = {"tenant_id": "mine", "name": "Mine"} if method == "POST" else None
        resp = await client.request(method, path, json=body, headers=acme)
        assert resp.status_code == 403
    again = await client.post("/api/v1/tenants", json={"tenant_id": "acme", "name": "Again"}, headers=OPERATOR)
    assert again.status_code == 409
    # The operator lists and revokes another tenant's keys; the role itself cannot be granted through the API.
    keys = (await client.get("/api/v1/api-keys", params={"tenant_id": "acme"}, headers=OPERATOR)).json()["data"]
    first = keys["api_keys"][0]["id"]
    assert (await client.delete(f"/api/v1/api-keys/{first}", headers=OPERATOR)).status_code == 200
    assert (await client.get("/api/v1/users", headers=acme)).status_code == 401
    escalate = await client.post("/api/v1/api-keys", json={"name": "x", "roles": ["operator"]}, headers=OPERATOR)
    assert escalate.status_code == 400
    tenants = (await client.get("/api/v1/tenants", headers=OPERATOR)).json()["data"]["tenants"]
    assert {"default", "acme"} <= {t["tenant_id"] for t in tenants}


async def test_a_default_tenant_admin_is_not_the_operator(platform: Platform) -> None:
    client = platform.client
    operator = await login(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    body = {"email": "second@example.com", "password": "long enough pw", "roles": ["admin"]}
    assert (await client.post("/api/v1/users", json=body, headers=operator)).status_code == 201
    plain = await login(client, "second@example.com", "long enough pw")
    other = await client.post("/api/v1/api-keys", json={"name": "x", "tenant_id": "acme"}, headers=plain)
    assert other.status_code == 403
    bootstrap_id = next(
        k["id"]
        for k in (await client.get("/api/v1/api-keys", headers=plain)).json()["data"]["api_keys"]
        if k["name"] == "bootstrap"
    )
    assert (await client.delete(f"/api/v1/api-keys/{bootstrap_id}", headers=plain)).status_code == 403
    assert (await client.get("/api/v1/tenants", headers=plain)).status_code == 403


async def test_every_identity_change_is_audited(platform: Platform) -> None:
    client = platform.client
    with capture_logs() as logs:
        acme = await new_tenant(client, "acme")
        key_id = (await client.post("/api/v1/api-keys", json={"name": "k"}, headers=acme)).json()["data"]["id"]
        await client.delete(f"/api/v1/api-keys/{key_id}", headers=acme)
        body = {"email": "a@acme.io", "password": "long enough pw", "roles": ["agent"]}
        await client.post("/api/v1/users", json=body, headers=acme)
    audits = [e for e in logs if e["event"] == "audit"]
    assert [e["action"] for e in audits] == [
        "tenant.created",
        "api_key.created",
        "api_key.created",
        "api_key.revoked",
        "user.created",
    ]
    assert all(e["tenant_id"] == "acme" and e["actor_id"] for e in audits)
    assert not any("sb_" in str(v) and len(str(v)) > 12 for e in audits for v in e.values())  # no key in full
    # The same changes as gateway.IdentityChanged.v1 events, keyed and scoped by the tenant they happened in.
    events = [Envelope.from_bytes(r.value) for r in platform.bus.broker.records("gateway.events")]
    assert [e.data["action"] for e in events] == [e["action"] for e in audits]
    assert {e.tenantid for e in events} == {"acme"} and all(e.type == "gateway.IdentityChanged.v1" for e in events)
