"""Seed 001 /api/test/*: admin only and behind SWITCHBOARD_GATEWAY_TEST_ENDPOINTS; a test turn runs the real
pipeline (privacy included) on the local provider in a session marked as a test, which analytics leaves out."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
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
from services.conversation.settings import ConversationSettings, StepDeadlines
from services.escalation.bootstrap import bootstrap as bootstrap_escalation
from services.escalation.settings import EscalationSettings
from services.privacy.bootstrap import bootstrap as bootstrap_privacy
from services.privacy.settings import PrivacySettings
from services.privacy.store import generate_key
from tests.support.platform import gateway_for_tests, serving, user_headers
from tests.unit.analytics_api.conftest import AUTH

ABSENT_S = 0.3  # sentiment and rag are not started: their steps give up quickly


async def start(tmp_path: Path, *, enabled: bool) -> AsyncIterator[tuple[httpx.AsyncClient, MemoryBus]]:
    common = PlatformSettings(bus="memory", data_dir=tmp_path)
    bus = MemoryBus(service_name="test")
    # Privacy runs: a turn nobody redacted never reaches a model (it fails closed).
    deadlines = StepDeadlines(privacy_s=15, sentiment_s=ABSENT_S, escalation_s=8, retrieval_s=ABSENT_S)
    privacy = PrivacySettings(platform=common, warm_model_on_start=False, vault_keys=f"t1:{generate_key()}")
    services = [
        bootstrap_privacy(privacy, bus=bus, store=open_store(database="p")),
        bootstrap_escalation(EscalationSettings(platform=common), bus=bus, store=open_store(database="e")),
        bootstrap_conversation(
            ConversationSettings(platform=common, deadlines=deadlines), bus=bus, store=open_store(database="c")
        ),
        bootstrap_analytics(AnalyticsSettings(platform=common), bus=bus, store=open_store(database="a")),
        gateway_for_tests(common, bus, request_timeout_s=20, test_endpoints=enabled),
    ]
    async with serving(bus, services) as client:
        yield client, bus


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, MemoryBus]]:
    async for running in start(tmp_path, enabled=True):
        yield running


@pytest.fixture
async def switched_off(tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, MemoryBus]]:
    async for running in start(tmp_path, enabled=False):
        yield running


def events(bus: MemoryBus, topic: str) -> list[dict[str, Any]]:
    return [orjson.loads(r.value) for r in bus.broker.records(topic)]


async def test_test_turn_ticket_and_sample_metrics(stack: tuple[httpx.AsyncClient, MemoryBus]) -> None:
    client, bus = stack
    body = {"query": "What are your opening hours?", "session_id": "t1", "customer_id": "c1"}
    resp = await client.post("/api/test/query", json=body, headers=AUTH)
    assert resp.status_code == 200, resp.text
    turn = resp.json()
    assert turn["test"] is True and turn["model_used"] and turn["response"]
    replied = [e for e in events(bus, "conversation.events") if e["type"] == "conversation.MessageReplied.v1"]
    assert [e["data"]["provider"] for e in replied] == ["local"] and replied[0]["data"]["session_id"] == "test_t1"
    created = [e for e in events(bus, "conversation.events") if e["type"] == "conversation.ConversationCreated.v1"]
    assert created[0]["data"]["test"] is True

    ticket = await client.post("/api/test/escalation", json={}, headers=AUTH)
    assert ticket.status_code == 200, ticket.text
    assert ticket.json()["ticket_id"] and ticket.json()["test"] is True

    sample = (await client.get("/api/test/metrics", headers=AUTH)).json()
    assert sample["sample"] is True and sum(sample["model_usage"].values()) <= sample["total_queries"]

    await bus.drain()
    day = datetime.now(UTC).date().isoformat()
    params = {"start_date": day, "end_date": day}
    metrics = (await client.get("/api/metrics", params=params, headers=AUTH)).json()
    assert metrics["total_queries"] == 0 and metrics["model_usage"] == {}  # the test turns are left out
    assert (await client.get("/api/v1/analytics", params=params, headers=AUTH)).json()["metrics"]["escalated"] == 0

    agent = await user_headers(client, "agent")
    assert (await client.get("/api/test/metrics", headers=agent)).status_code == 403


async def test_switched_off_they_do_not_exist(switched_off: tuple[httpx.AsyncClient, MemoryBus]) -> None:
    client, _ = switched_off
    resp = await client.get("/api/test/metrics", headers=AUTH)
    assert resp.status_code == 404 and resp.json()["error_type"] == "NOT_FOUND_ERROR"


@pytest.mark.parametrize(("field", "length"), [("priority", 33), ("reason", 65)])
async def test_test_escalation_fields_are_bounded_by_the_ticket_contract(
    stack: tuple[httpx.AsyncClient, MemoryBus], field: str, length: int
) -> None:
    # Issue 20: a priority of 33-64 characters passed the route and failed CreateTicket.v1's validation (a 500).
    client, _ = stack
    resp = await client.post("/api/test/escalation", json={field: "0" * length}, headers=AUTH)
    assert resp.status_code == 400 and resp.json()["error_type"] == "VALIDATION_ERROR", resp.text


async def test_test_query_leaves_room_for_its_session_prefix(stack: tuple[httpx.AsyncClient, MemoryBus]) -> None:
    # Issue 20: a 200-character session id became 205 with "test_" and failed PostMessage.v1's validation (a 500).
    client, _ = stack
    body = {"query": "hello", "session_id": "0" * 200, "customer_id": "c1"}
    resp = await client.post("/api/test/query", json=body, headers=AUTH)
    assert resp.status_code == 400 and resp.json()["error_type"] == "VALIDATION_ERROR", resp.text
    fits = await client.post("/api/test/query", json={**body, "session_id": "0" * 195}, headers=AUTH)
    assert fits.status_code == 200, fits.text
