"""Gateway + privacy on a real Apache Kafka broker: seed example, vault round trip with its audit event, large texts."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from libs.bus import Envelope
from libs.bus.base import Bus
from libs.runtime import PlatformSettings, Service, make_bus
from libs.store import open_store
from services.gateway.bootstrap import bootstrap as bootstrap_gateway
from services.gateway.settings import GatewaySettings
from services.privacy.bootstrap import bootstrap as bootstrap_privacy
from services.privacy.settings import PrivacySettings
from services.privacy.store import generate_key
from tests.support.kafka import Broker, own_broker

__all__ = ["own_broker"]
pytestmark = pytest.mark.integration

API_KEY = "sb_integration_key_0123456789abcdefghij"
AUTH = {"Authorization": f"Bearer {API_KEY}"}
SEED_TEXT = "Hi, my name is John Smith and my account number is 1234567890. My phone number is 555-123-4567."


@dataclass
class Slice:
    client: httpx.AsyncClient
    audit: list[Envelope]


@pytest.fixture
async def privacy_slice(own_broker: Broker, tmp_path: Path) -> AsyncIterator[Slice]:
    common = PlatformSettings(
        bus="kafka", kafka_bootstrap=own_broker.bootstrap, data_dir=tmp_path, kafka_session_timeout_ms=2000
    )
    privacy = bootstrap_privacy(
        PrivacySettings(platform=common, vault_keys=generate_key()),
        bus=make_bus(common, "privacy"),
        store=open_store(database="p"),
    )
    gateway = bootstrap_gateway(
        GatewaySettings(platform=common, jwt_secret="x" * 48, bootstrap_api_key=API_KEY, request_timeout_s=20),
        bus=make_bus(common, "gateway"),
        store=open_store(database="g"),
    )
    audit: list[Envelope] = []
    listener: Bus = make_bus(common, "analytics")

    async def record(env: Envelope) -> None:
        audit.append(env)

    listener.subscribe("privacy.events", group="audit-test", handler=record)
    services: list[Service] = [privacy, gateway]
    for service in services:
        await service.start()
    await listener.start()
    assert gateway.app is not None
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=gateway.app), base_url="http://gw") as client:
        yield Slice(client=client, audit=audit)
    await listener.stop()
    for service in reversed(services):
        await service.stop()


async def test_seed_example_and_audited_round_trip_over_kafka(privacy_slice: Slice) -> None:
    client = privacy_slice.client
    resp = await client.post("/api/v1/privacy/anonymize", json={"text": SEED_TEXT, "keep_mapping": True}, headers=AUTH)
    assert resp.status_code == 200, resp.text
    assert resp.json()["data"]["mapping"] == {
        "[NAME_1]": "John Smith",
        "[ACCOUNT_NUMBER_1]": "XXXXXX7890",
        "[PHONE_1]": "XXX-XXX-4567",
    }
    stored = await client.post(
        "/api/v1/privacy/anonymize", json={"text": SEED_TEXT, "store_originals": True}, headers=AUTH
    )
    token = stored.json()["data"]["token"]
    back = await client.post("/api/v1/privacy/deanonymize", json={"token": token}, headers=AUTH)
    assert back.status_code == 200, back.text
    assert back.json()["data"]["text"] == SEED_TEXT
    for _ in range(200):
        if any(e.type == "privacy.VaultAccessed.v1" for e in privacy_slice.audit):
            break
        await asyncio.sleep(0.05)
    [event] = [e for e in privacy_slice.audit if e.type == "privacy.VaultAccessed.v1"]
    assert event.data["token"] == token and event.data["outcome"] == "granted" and event.subject == token
    assert event.data["actor_kind"] == "api_key" and "John" not in event.model_dump_json()


async def test_large_text_round_trips_over_kafka(privacy_slice: Slice) -> None:
    text = ("Order 55 was late again and nobody called me back about it. " * 4000)[:200_000]
    resp = await privacy_slice.client.post("/api/v1/privacy/anonymize", json={"text": text}, headers=AUTH)
    assert resp.status_code == 200, resp.text[:300]
    assert resp.json()["data"]["anonymized_text"] == text
