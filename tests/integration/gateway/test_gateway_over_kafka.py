"""Gateway + sentiment on a real Apache Kafka broker: the slice works, a broker outage is a fast 503, then recovery."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from libs.runtime import PlatformSettings, Service, make_bus
from libs.store import open_store
from services.gateway.bootstrap import bootstrap as bootstrap_gateway
from services.gateway.settings import GatewaySettings
from services.sentiment.bootstrap import bootstrap as bootstrap_sentiment
from services.sentiment.settings import SentimentSettings
from tests.support.kafka import Broker, own_broker

__all__ = ["own_broker"]
pytestmark = pytest.mark.integration

API_KEY = "sb_integration_key_0123456789abcdefghij"
TIMEOUT_S = 4.0


@dataclass
class Slice:
    client: httpx.AsyncClient
    broker: Broker


@pytest.fixture
async def kafka_slice(own_broker: Broker, tmp_path: Path) -> AsyncIterator[Slice]:
    common = PlatformSettings(
        bus="kafka", kafka_bootstrap=own_broker.bootstrap, data_dir=tmp_path, kafka_session_timeout_ms=2000
    )
    sentiment = bootstrap_sentiment(
        SentimentSettings(platform=common), bus=make_bus(common, "sentiment"), store=open_store(database="s")
    )
    gateway = bootstrap_gateway(
        GatewaySettings(platform=common, jwt_secret="x" * 48, bootstrap_api_key=API_KEY, request_timeout_s=TIMEOUT_S),
        bus=make_bus(common, "gateway"),
        store=open_store(database="g"),
    )
    services: list[Service] = [sentiment, gateway]
    for service in services:
        await service.start()
    assert gateway.app is not None
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=gateway.app), base_url="http://gw") as client:
        yield Slice(client=client, broker=own_broker)
    for service in reversed(services):
        await service.stop()


async def _analyze(client: httpx.AsyncClient, text: str) -> httpx.Response:
    return await client.post(
        "/api/v1/analyze/sentiment", json={"text": text}, headers={"Authorization": f"Bearer {API_KEY}"}
    )


async def _until_ok(client: httpx.AsyncClient, deadline_s: float) -> httpx.Response:
    deadline = time.monotonic() + deadline_s
    while True:
        resp = await _analyze(client, "Thank you, that was quick")
        if resp.status_code == 200 or time.monotonic() > deadline:
            return resp


async def test_broker_outage_is_a_fast_503_and_the_stack_recovers(kafka_slice: Slice) -> None:
    first = await _until_ok(kafka_slice.client, 30)
    assert first.status_code == 200, first.text
    assert first.json()["data"]["sentiment"] == "positive"

    kafka_slice.broker.stop()
    started = time.monotonic()
    down = await _analyze(kafka_slice.client, "Is anyone there?")
    elapsed = time.monotonic() - started
    assert down.status_code == 503, down.text
    assert down.json()["error"] is True and down.json()["status_code"] == down.status_code
    assert elapsed < TIMEOUT_S + 2

    kafka_slice.broker.start()
    back = await _until_ok(kafka_slice.client, 60)
    assert back.status_code == 200, back.text
