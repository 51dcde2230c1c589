"""Publishable keys (pk_…) for the chat widget, through the real gateway + conversation service on one MemoryBus:
origin-locked by CORS, only seed 003's conversation routes, only the visitor's own conversation, per-visitor limits,
and a secret key refused from a web page."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.platform import API_KEY
from tests.unit.ai_api.platform import Platform, ai_platform

SHOP = "https://shop.example"
ADMIN = {"Authorization": f"Bearer {API_KEY}"}
ALICE = "visitor_alice0123456789ab"
BOB = "visitor_bob0123456789abcd"


@pytest.fixture
async def platform(tmp_path: Path) -> AsyncIterator[Platform]:
    async with ai_platform(tmp_path, privacy=False) as p:
        yield p


async def _key(platform: Platform, **body: Any) -> str:
    resp = await platform.client.post(
        "/api/v1/publishable-keys", json={"name": "shop", "allowed_origins": [SHOP], **body}, headers=ADMIN
    )
    assert resp.status_code == 201, resp.text
    data = resp.json()["data"]
    assert data["key"].startswith("pk_") and data["allowed_origins"] == [SHOP]
    return str(data["key"])


def _as(key: str, visitor: str, origin: str = SHOP) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}", "X-Visitor-Id": visitor, "Origin": origin}


async def _ask(platform: Platform, key: str, visitor: str, **extra: Any) -> Any:
    body = {"message": "How do I reset my password?", "user_id": visitor, "channel": "widget", **extra}
    return await platform.client.post("/api/v1/conversations", json=body, headers=_as(key, visitor))


async def test_visitor_starts_and_continues_only_their_own_conversation(platform: Platform) -> None:
    key = await _key(platform)
    first = await _ask(platform, key, ALICE)
    assert first.status_code == 200, first.text
    assert first.headers["access-control-allow-origin"] == SHOP
    conversation_id = first.json()["conversation_id"]
    assert (await _ask(platform, key, ALICE, conversation_id=conversation_id)).status_code == 200
    own = await platform.client.get(f"/api/v1/conversations/{conversation_id}", headers=_as(key, ALICE))
    assert own.status_code == 200 and len(own.json()["messages"]) == 4
    # Bob neither reads nor continues Alice's conversation, and cannot post as her.
    theirs = await platform.client.get(f"/api/v1/conversations/{conversation_id}", headers=_as(key, BOB))
    assert theirs.status_code == 404 and theirs.json()["error"]["code"] == "not_found"
    assert (await _ask(platform, key, BOB, conversation_id=conversation_id)).status_code == 404
    impersonating = await platform.client.post(
        "/api/v1/conversations", json={"message": "hi", "user_id": ALICE}, headers=_as(key, BOB)
    )
    assert impersonating.status_code == 403


async def test_origin_lock_and_route_allow_list(platform: Platform) -> None:
    key = await _key(platform)
    elsewhere = await platform.client.post(
        "/api/v1/conversations",
        json={"message": "hi", "user_id": ALICE},
        headers=_as(key, ALICE, "https://evil.example"),
    )
    assert elsewhere.status_code == 403 and "access-control-allow-origin" not in elsewhere.headers
    for method, path, body in [
        ("POST", "/api/v1/knowledge-base", {"title": "t", "content": "c"}),
        ("POST", "/api/v1/analyze/sentiment", {"text": "hello"}),
        ("GET", "/api/v1/api-keys", None),
    ]:
        resp = await platform.client.request(method, path, json=body, headers=_as(key, ALICE))
        assert resp.status_code == 403, (path, resp.text)
    missing_visitor = {"Authorization": f"Bearer {key}", "Origin": SHOP}
    resp = await platform.client.post(
        "/api/v1/conversations", json={"message": "hi", "user_id": ALICE}, headers=missing_visitor
    )
    assert resp.status_code == 401


async def test_preflight_answers_known_origins_only(platform: Platform) -> None:
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,x-visitor-id",
    }
    unknown = await platform.client.options("/api/v1/conversations", headers={"Origin": SHOP, **preflight})
    assert unknown.status_code == 403 and unknown.json()["error"]["code"] == "forbidden"
    key_id = (await platform.client.get("/api/v1/publishable-keys", headers=ADMIN)).json()["data"]["publishable_keys"]
    assert key_id == []
    await _key(platform)
    known = await platform.client.options("/api/v1/conversations", headers={"Origin": SHOP, **preflight})
    assert known.status_code == 204 and known.headers["access-control-allow-origin"] == SHOP
    assert "X-Visitor-Id" in known.headers["access-control-allow-headers"]
    listed = (await platform.client.get("/api/v1/publishable-keys", headers=ADMIN)).json()["data"]["publishable_keys"]
    revoked = await platform.client.delete(f"/api/v1/publishable-keys/{listed[0]['id']}", headers=ADMIN)
    assert revoked.json()["data"]["revoked"] is True
    assert (
        await platform.client.options("/api/v1/conversations", headers={"Origin": SHOP, **preflight})
    ).status_code == 403


async def test_secret_key_from_a_web_page_is_refused(platform: Platform) -> None:
    await _key(platform)
    resp = await platform.client.post(
        "/api/v1/conversations", json={"message": "hi", "user_id": "u1"}, headers={**ADMIN, "Origin": SHOP}
    )
    assert resp.status_code == 403 and "publishable key" in resp.json()["error"]["message"]
    assert resp.headers["access-control-allow-origin"] == SHOP  # so the page can read why
    server_side = await platform.client.post(
        "/api/v1/conversations", json={"message": "hi", "user_id": "u1"}, headers=ADMIN
    )
    assert server_side.status_code == 200


async def test_rate_limit_counts_per_visitor(platform: Platform) -> None:
    key = await _key(platform)  # tier "free": 100 requests an hour per visitor
    for _ in range(100):
        resp = await platform.client.get("/api/v1/conversations/conv_none", headers=_as(key, ALICE))
        assert resp.status_code == 404
    limited = await platform.client.get("/api/v1/conversations/conv_none", headers=_as(key, ALICE))
    assert limited.status_code == 429 and limited.headers["x-ratelimit-remaining"] == "0"
    assert (await platform.client.get("/api/v1/conversations/conv_none", headers=_as(key, BOB))).status_code == 404


async def test_bad_origins_are_refused_at_creation(platform: Platform) -> None:
    for origins in (["shop.example"], ["https://shop.example/path"], ["ftp://shop.example"], []):
        resp = await platform.client.post(
            "/api/v1/publishable-keys", json={"name": "x", "allowed_origins": origins}, headers=ADMIN
        )
        assert resp.status_code == 400, (origins, resp.text)
        assert resp.json()["error"] is True
