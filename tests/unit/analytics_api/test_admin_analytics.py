"""Seed 004 GET /admin/analytics/system and /admin/analytics/user/{id}: CRM users (conversation service), figures
(analytics service), documents (rag service), in the crm_chat envelope; admin only; other tenants' users 404."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from libs.bus import MemoryBus
from libs.contracts.models.conversation import ConversationCreatedV1, MessageReceivedV1
from libs.runtime import PlatformSettings
from libs.store import open_store
from services.analytics.bootstrap import bootstrap as bootstrap_analytics
from services.analytics.settings import AnalyticsSettings
from services.conversation.bootstrap import bootstrap as bootstrap_conversation
from services.conversation.settings import ConversationSettings
from services.rag.bootstrap import bootstrap as bootstrap_rag
from services.rag.settings import RagSettings
from tests.support.analytics_traffic import send_day
from tests.support.platform import gateway_for_tests, serving, user_headers
from tests.unit.analytics_api.conftest import AUTH, TENANT


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, MemoryBus]]:
    common = PlatformSettings(bus="memory", data_dir=tmp_path)
    bus = MemoryBus(service_name="test")
    services = [
        bootstrap_rag(RagSettings(platform=common, warm_model_on_start=False), bus=bus, store=open_store(database="r")),
        bootstrap_conversation(ConversationSettings(platform=common), bus=bus, store=open_store(database="c")),
        bootstrap_analytics(AnalyticsSettings(platform=common), bus=bus, store=open_store(database="a")),
        gateway_for_tests(common, bus, request_timeout_s=30),
    ]
    async with serving(bus, services) as client:
        yield client, bus


async def test_system_and_user_analytics(stack: tuple[httpx.AsyncClient, MemoryBus]) -> None:
    client, bus = stack
    created = await client.post("/crm/create_user", json={"name": "Ada", "email": "ada@example.com"}, headers=AUTH)
    assert created.status_code in (200, 201), created.text
    user_id = created.json()["data"]["id"]
    await send_day(bus, TENANT)
    for n, event in enumerate(user_events(user_id)):
        await bus.publish("conversation.events", event, key=f"u{n}", tenant_id=TENANT)
    await bus.drain()

    system = await client.get("/admin/analytics/system", headers=AUTH)
    assert system.status_code == 200, system.text
    body = system.json()
    assert body["success"] is True and set(body["metadata"]) >= {"response_time", "timestamp"}
    data = body["data"]
    assert data["overview"] == {
        "total_users": 1, "active_users": 1, "total_conversations": 5, "total_messages": 9, "avg_response_time": 0.2,
    }  # fmt: skip
    assert data["usage_metrics"]["new_users_per_day"] == round(1 / 30, 2)
    assert data["usage_metrics"]["conversations_per_day"] == round(1 / 30, 2)  # only the user's one is recent
    assert data["document_metrics"]["total_documents"] == 0 and data["performance_metrics"]["error_rate"] == 0.0

    user = await client.get(f"/admin/analytics/user/{user_id}", headers=AUTH)
    assert user.status_code == 200, user.text
    info = user.json()["data"]
    assert info["user_info"]["name"] == "Ada" and info["user_info"]["created_at"].endswith("Z")
    assert info["conversation_stats"]["total_conversations"] == 1
    assert info["conversation_stats"]["avg_messages_per_conversation"] == 1.0
    assert info["engagement_metrics"]["response_satisfaction"] is None
    assert info["engagement_metrics"]["last_active"].endswith("Z")

    outsider = await user_headers(client, "admin", tenant_id="other-tenant")
    hidden = await client.get(f"/admin/analytics/user/{user_id}", headers=outsider)
    assert hidden.status_code == 404 and hidden.json()["success"] is False
    agent = await user_headers(client, "agent")
    assert (await client.get("/admin/analytics/system", headers=agent)).status_code == 403


def user_events(user_id: str) -> list[ConversationCreatedV1 | MessageReceivedV1]:
    now = datetime.now(UTC).isoformat()
    base = {"session_id": "u-sess", "customer_id": user_id}
    return [
        ConversationCreatedV1(**base, channel="chat", dialect="crm_chat", tier="AI_REP", created_at=now),
        MessageReceivedV1(
            **base, message_id="u-m1", channel="chat", tier="AI_REP", length=5, sentiment_label="neutral",
            sentiment_score=0.0, cs_level="NEUTRAL", sentiment_available=True, pii_detected=[], received_at=now,
        ),
    ]  # fmt: skip


async def test_detailed_health_probes_each_component(stack: tuple[httpx.AsyncClient, MemoryBus]) -> None:
    client, _ = stack
    resp = await client.get("/admin/health/detailed", headers=AUTH)
    assert resp.status_code == 200, resp.text
    data = resp.json()["data"]
    assert data["version"] and data["uptime"].endswith("minutes") and data["timestamp"].endswith("Z")
    components = data["components"]
    assert set(components) == {"database", "vector_db", "openai_api", "memory_usage", "disk_space"}
    for name, component in components.items():
        assert component["status"] in ("healthy", "degraded", "unhealthy"), name
        assert component["response_time"] >= 0, name
    assert components["database"] == components["database"] | {"status": "healthy"}
    assert components["vector_db"]["status"] == "healthy" and "Qdrant local mode" in components["vector_db"]["details"]
    assert "local" in components["openai_api"]["details"]
    assert 0 < components["memory_usage"]["percentage"] <= 100 and components["disk_space"]["total"].endswith("B")
    agent = await user_headers(client, "agent")
    assert (await client.get("/admin/health/detailed", headers=agent)).status_code == 403


async def test_settings_in_force(stack: tuple[httpx.AsyncClient, MemoryBus]) -> None:
    client, _ = stack
    resp = await client.get("/admin/settings", headers=AUTH)
    assert resp.status_code == 200, resp.text
    data = resp.json()["data"]
    assert data["api_config"] == {"host": "127.0.0.1", "port": 8080, "debug": False}
    assert data["ai_config"] == {"model": "local_extractive", "temperature": 0.7, "max_tokens": 400}
    assert data["rag_config"] == {"chunk_size": 200, "chunk_overlap": 32, "max_retrieval_docs": 5}
    assert data["system_info"]["start_time"].endswith("Z") and data["system_info"]["python_version"].count(".") == 2
    agent = await user_headers(client, "agent")
    assert (await client.get("/admin/settings", headers=agent)).status_code == 403
    providers = (await client.get("/api/v1/ai/providers", headers=AUTH)).json()["data"]
    assert "turn_settings" not in providers  # seed 000's shape stays as documented
