"""The subscriptions API in the seed 000 envelope: CRUD, secret shown once, rotation, tenant isolation, bad input."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.support.platform import user_headers
from tests.unit.gateway.fanout import events
from tests.unit.gateway.fanout.conftest import ADMIN, Stack
from tests.unit.gateway.fanout.test_signing_egress import standard_webhooks_verify, verify_webhook

BASE = "/api/v1/webhooks"


async def test_create_list_get_patch_delete(stack: Stack) -> None:
    body = {"url": stack.receiver.url(), "events": ["session.closed"], "format": "support_agent", "description": "crm"}
    created = await stack.client.post(BASE, json=body, headers=ADMIN)
    assert created.status_code == 201, created.text
    envelope = created.json()
    assert envelope["error"] is False and envelope["status_code"] == 201
    data = envelope["data"]
    assert data["secret"].startswith("whsec_") and data["format"] == "support_agent" and data["enabled"] is True
    assert {"id", "url", "events", "created_at"} <= set(data)

    one = (await stack.client.get(f"{BASE}/{data['id']}", headers=ADMIN)).json()["data"]
    assert one["secret"] is None and one["url"] == body["url"]  # shown once
    listed = (await stack.client.get(BASE, headers=ADMIN)).json()["data"]["webhooks"]
    assert [w["id"] for w in listed] == [data["id"]] and listed[0]["secret"] is None

    patch = {"events": ["*"], "enabled": False}
    patched = await stack.client.patch(f"{BASE}/{data['id']}", json=patch, headers=ADMIN)
    assert patched.status_code == 200 and patched.json()["data"]["events"] == ["*"]
    assert patched.json()["data"]["enabled"] is False

    assert (await stack.client.delete(f"{BASE}/{data['id']}", headers=ADMIN)).status_code == 200
    assert (await stack.client.get(f"{BASE}/{data['id']}", headers=ADMIN)).status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"events": ["ticket.exploded"]}, "events"),
        ({"events": ["conversation.created"]}, "events"),  # a seed 003 event offered in the seed 001 format
        ({"format": "crm_chat"}, "format"),
        ({"url": "not a url"}, "url"),
        ({"url": "http://example.com/hook"}, "url"),
        ({"url": "https://10.1.2.3/hook"}, "url"),
        ({"url": "https://169.254.169.254/latest"}, "url"),
        ({"description": 5}, "description"),
    ],
)
async def test_bad_input_is_400_naming_the_field(stack: Stack, change: dict[str, Any], field: str) -> None:
    body = {"url": stack.receiver.url(), "events": ["session.closed"], "format": "support_agent", **change}
    resp = await stack.client.post(BASE, json=body, headers=ADMIN)
    assert resp.status_code == 400, resp.text
    assert resp.json()["error"] is True and field in resp.json()["details"]


async def test_other_tenants_and_non_admins(stack: Stack) -> None:
    hook_id, _ = await stack.subscribe("kb_platform", ["*"])
    other_admin = await user_headers(stack.client, "admin", tenant_id="globex")
    for method, path in [
        ("GET", ""),
        ("PATCH", ""),
        ("DELETE", ""),
        ("POST", "/rotate-secret"),
        ("GET", "/deliveries"),
    ]:
        resp = await stack.client.request(method, f"{BASE}/{hook_id}{path}", json={}, headers=other_admin)
        assert resp.status_code == 404, (method, path, resp.text)
    assert (await stack.client.get(BASE, headers=other_admin)).json()["data"]["webhooks"] == []
    agent = await user_headers(stack.client, "agent")
    assert (await stack.client.get(BASE, headers=agent)).status_code == 403
    assert (await stack.client.get(BASE)).status_code == 401


async def test_rotation_signs_with_old_and_new_secret(stack: Stack) -> None:
    hook_id, old = await stack.subscribe("support_agent", ["session.closed"])
    rotated = await stack.client.post(f"{BASE}/{hook_id}/rotate-secret", headers=ADMIN)
    assert rotated.status_code == 200, rotated.text
    new = rotated.json()["data"]["secret"]
    assert new.startswith("whsec_") and new != old
    await stack.publish("conversation.SessionClosed.v1", events.session_closed(), key="sess_1")
    [hit] = await stack.receiver.wait_for(1)
    assert standard_webhooks_verify(new, hit.headers, hit.body) and standard_webhooks_verify(old, hit.headers, hit.body)
    assert verify_webhook(hit.body.decode(), hit.headers["x-webhook-signature"], old)
    sub = await stack.fanout.store.subscription("default", hook_id)
    expiry = datetime.fromisoformat(next(s.expires_at for s in sub.secrets if s.expires_at))
    assert timedelta(hours=23) < expiry - datetime.now(UTC) <= timedelta(hours=24)
    assert all(old not in s.ciphertext and new not in s.ciphertext for s in sub.secrets)  # encrypted at rest


async def test_replay_since_and_paginated_log(stack: Stack) -> None:
    hook_id, _ = await stack.subscribe("support_agent", ["session.closed"])
    for n in range(3):
        await stack.publish("conversation.SessionClosed.v1", events.session_closed(f"s{n}"), key=f"s{n}")
    first = await stack.receiver.wait_for(3)
    ids = {h.headers["webhook-id"] for h in first}
    since = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    replayed = await stack.client.post(f"{BASE}/{hook_id}/replay", json={"since": since}, headers=ADMIN)
    assert replayed.status_code == 200 and replayed.json()["data"]["queued"] == 3
    again = (await stack.receiver.wait_for(6))[3:]
    await asyncio.sleep(0.2)  # the attempt is logged once the receiver's answer is in
    assert {h.headers["webhook-id"] for h in again} == ids  # the same ids: receivers that have them dedupe
    future = (datetime.now(UTC) + timedelta(minutes=1)).isoformat()
    none = await stack.client.post(f"{BASE}/{hook_id}/replay", json={"since": future}, headers=ADMIN)
    assert none.json()["data"]["queued"] == 0
    bad = await stack.client.post(f"{BASE}/{hook_id}/replay", json={"since": "yesterday"}, headers=ADMIN)
    assert bad.status_code == 400 and "since" in bad.json()["details"]

    page = (await stack.client.get(f"{BASE}/{hook_id}/deliveries?limit=4&offset=0", headers=ADMIN)).json()["data"]
    rest = (await stack.client.get(f"{BASE}/{hook_id}/deliveries?limit=4&offset=4", headers=ADMIN)).json()["data"]
    assert page["total"] == 6 and len(page["deliveries"]) == 4 and len(rest["deliveries"]) == 2
    rows = page["deliveries"] + rest["deliveries"]
    assert {r["delivery_id"] for r in rows} == ids and {r["attempt"] for r in rows} == {1, 2}
    assert all(r["event"] == "session.closed" and r["latency_ms"] >= 0 for r in rows)
    missing = await stack.client.post(f"{BASE}/{hook_id}/deliveries/msg_nope/resend", headers=ADMIN)
    assert missing.status_code == 404
