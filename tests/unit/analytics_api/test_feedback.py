"""POST /api/v1/conversations/{id}/feedback through the conversation service: stored once, FeedbackSubmitted on
conversation.events, counted as satisfaction by analytics; bad ratings, other tenants, a second rating."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from libs.bus import MemoryBus
from libs.runtime import PlatformSettings
from libs.store import open_store
from services.analytics.bootstrap import bootstrap as bootstrap_analytics
from services.analytics.settings import AnalyticsSettings
from services.conversation.bootstrap import bootstrap as bootstrap_conversation
from services.conversation.settings import ConversationSettings
from tests.support.platform import gateway_for_tests, serving, user_headers
from tests.unit.analytics_api.conftest import AUTH, TENANT


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, MemoryBus]]:
    common = PlatformSettings(bus="memory", data_dir=tmp_path)
    bus = MemoryBus(service_name="test")
    services = [
        bootstrap_conversation(ConversationSettings(platform=common), bus=bus, store=open_store(database="c")),
        bootstrap_analytics(AnalyticsSettings(platform=common), bus=bus, store=open_store(database="a")),
        gateway_for_tests(common, bus),
    ]
    async with serving(bus, services) as client:
        yield client, bus


def feedback_events(bus: MemoryBus) -> list[dict[str, Any]]:
    envelopes = [orjson.loads(r.value) for r in bus.broker.records("conversation.events")]
    return [e for e in envelopes if e["type"] == "conversation.FeedbackSubmitted.v1"]


async def open_session(client: httpx.AsyncClient) -> str:
    resp = await client.post(
        "/cs/sessions", json={"companyId": TENANT, "customerId": "cust-1", "channel": "chat"}, headers=AUTH
    )
    assert resp.status_code == 201, resp.text
    return str(resp.json()["id"])


async def test_feedback_is_stored_once_emitted_and_counted(stack: tuple[httpx.AsyncClient, MemoryBus]) -> None:
    client, bus = stack
    session = await open_session(client)
    url = f"/api/v1/conversations/{session}/feedback"
    resp = await client.post(url, json={"rating": 4, "comment": "Quick and clear"}, headers=AUTH)
    assert resp.status_code == 201, resp.text
    receipt = resp.json()
    assert receipt["conversation_id"] == session and receipt["rating"] == 4 and receipt["comment"] == "Quick and clear"
    again = await client.post(url, json={"rating": 4, "comment": "Quick and clear"}, headers=AUTH)
    assert again.status_code == 201 and again.json()["submitted_at"] == receipt["submitted_at"]
    changed = await client.post(url, json={"rating": 1}, headers=AUTH)
    assert changed.status_code == 409 and changed.json()["error"]["code"] == "conflict"
    (event,) = feedback_events(bus)  # the retry emitted nothing more
    assert event["data"] == {
        "session_id": session, "customer_id": "cust-1", "rating": 4, "comment": "Quick and clear",
        "submitted_at": receipt["submitted_at"],
    }  # fmt: skip
    await bus.drain()
    day = receipt["submitted_at"][:10]
    report = await client.get("/api/v1/analytics", params={"start_date": day, "end_date": day}, headers=AUTH)
    assert report.json()["metrics"]["customer_satisfaction"] == 4.0


async def test_bad_ratings_and_other_tenants(stack: tuple[httpx.AsyncClient, MemoryBus]) -> None:
    client, bus = stack
    session = await open_session(client)
    url = f"/api/v1/conversations/{session}/feedback"
    for body in ({"rating": 0}, {"rating": 6}, {"rating": "5"}, {}, {"rating": 3, "extra": 1}):
        resp = await client.post(url, json=body, headers=AUTH)
        assert resp.status_code == 400, (body, resp.text)
        assert resp.json()["error"]["code"] == "invalid_request"
    outsider = await user_headers(client, "agent", tenant_id="other-tenant")
    hidden = await client.post(url, json={"rating": 5}, headers=outsider)
    assert hidden.status_code == 404 and hidden.json()["error"]["code"] == "not_found"
    missing = await client.post("/api/v1/conversations/conv_nope/feedback", json={"rating": 5}, headers=AUTH)
    assert missing.status_code == 404
    assert feedback_events(bus) == []
