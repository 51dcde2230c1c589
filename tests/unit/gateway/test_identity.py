"""Login, JWT and API-key checks through the gateway: only login and health are open."""

from __future__ import annotations

import jwt
import pytest

from tests.unit.gateway.conftest import ADMIN_EMAIL, API_KEY, Platform

SENTIMENT = "/api/v1/analyze/sentiment"


async def test_login_answers_documented_shape(platform: Platform) -> None:
    resp = await platform.client.post(
        "/api/v1/auth/login", json={"username": ADMIN_EMAIL, "password": "correct horse battery"}
    )
    assert resp.status_code == 200
    body = resp.json()
    assert body["error"] is False and body["status_code"] == 200
    assert set(body["data"]) == {"token", "user_id", "roles"}
    assert body["data"]["roles"] == ["admin", "operator"]  # the settings-made login is the platform operator
    assert "T" in body["timestamp"] and not body["timestamp"].endswith("Z")


async def test_wrong_password_is_401_in_insights_envelope(platform: Platform) -> None:
    resp = await platform.client.post("/api/v1/auth/login", json={"username": ADMIN_EMAIL, "password": "nope-nope"})
    assert resp.status_code == 401
    body = resp.json()
    assert body["error"] is True and body["status_code"] == 401 and body["message"] == "Invalid credentials"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer not-a-jwt"},
        {"Authorization": "Basic abc"},
        {"Authorization": "Bearer sb_unknown_key"},
        {
            "Authorization": "Bearer "
            + jwt.encode({"sub": "u", "tenant": "t", "exp": 1}, "unit-test-secret-of-sufficient-length-0123456789")
        },
        {
            "Authorization": "Bearer "
            + jwt.encode({"sub": "u", "tenant": "t", "exp": 9999999999}, "forged-secret-forged-secret-forged!!")
        },
    ],
    ids=["missing", "garbage", "wrong-scheme", "unknown-key", "expired", "forged"],
)
async def test_protected_route_refuses_bad_credentials(platform: Platform, headers: dict[str, str]) -> None:
    resp = await platform.client.post(SENTIMENT, json={"text": "hello"}, headers=headers)
    assert resp.status_code == 401
    assert resp.json()["error"] is True


async def test_admin_creates_lists_and_revokes_api_keys(platform: Platform) -> None:
    token = await platform.admin_token()
    auth = {"Authorization": f"Bearer {token}"}
    created = await platform.client.post("/api/v1/api-keys", json={"name": "crm", "rate_tier": "free"}, headers=auth)
    assert created.status_code == 201, created.text
    key = created.json()["data"]["api_key"]
    key_id = created.json()["data"]["id"]
    listed = await platform.client.get("/api/v1/api-keys", headers=auth)
    assert key_id in {k["id"] for k in listed.json()["data"]["api_keys"]}
    assert all("key_hash" not in k and "api_key" not in k for k in listed.json()["data"]["api_keys"])
    ok = await platform.client.get("/api/v1/api-keys", headers={"X-API-Key": API_KEY})
    assert ok.status_code == 200
    # The new key (agent/analyst roles) may not manage keys, and stops working once revoked.
    forbidden = await platform.client.get("/api/v1/api-keys", headers={"Authorization": f"Bearer {key}"})
    assert forbidden.status_code == 403
    revoked = await platform.client.delete(f"/api/v1/api-keys/{key_id}", headers=auth)
    assert revoked.json()["data"]["revoked"] is True
    after = await platform.client.get("/api/v1/api-keys", headers={"Authorization": f"Bearer {key}"})
    assert after.status_code == 401


async def test_rate_limit_headers_and_429(platform: Platform) -> None:
    token = await platform.admin_token()
    created = await platform.client.post(
        "/api/v1/api-keys", json={"name": "tiny", "rate_tier": "free"}, headers={"Authorization": f"Bearer {token}"}
    )
    key = created.json()["data"]["api_key"]
    headers = {"Authorization": f"Bearer {key}"}
    statuses = []
    for _ in range(101):
        resp = await platform.client.post(SENTIMENT, json={}, headers=headers)
        statuses.append(resp.status_code)
    assert statuses[:100] == [400] * 100 and statuses[100] == 429
    assert resp.headers["X-Rate-Limit-Limit"] == "100" and resp.headers["X-Rate-Limit-Remaining"] == "0"
    assert resp.json()["status_code"] == 429
    assert 1 <= int(resp.headers["Retry-After"]) <= 3600  # every 429 says when to come back


async def test_health_is_open_and_seed_shaped(platform: Platform) -> None:
    resp = await platform.client.get("/health")
    assert resp.status_code == 200
    assert set(resp.json()) == {"status", "timestamp", "version", "services", "uptime_seconds"}


async def test_unknown_route_uses_owning_dialect_envelope(platform: Platform) -> None:
    resp = await platform.client.get("/cs/nothing-here")
    assert resp.status_code == 404 and resp.json()["error"]["code"] == "CS_002"
    resp = await platform.client.get("/api/v1/nothing-here")
    assert resp.status_code == 404 and resp.json()["error"] is True
