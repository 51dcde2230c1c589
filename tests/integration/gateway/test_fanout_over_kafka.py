"""Webhook fan-out on a real broker: events published by another process's bus reach a local receiver signed;
with the gateway stopped mid-stream, events published meanwhile arrive after it comes back (the consumer group
resumes from its committed offsets, the outbox from its rows), each webhook-id once."""

from __future__ import annotations

from pathlib import Path

import pytest

from libs.bus.base import Bus
from libs.contracts.models.conversation import SessionClosedV1
from libs.runtime import PlatformSettings, Service, make_bus
from libs.store import open_store
from services.gateway.bootstrap import bootstrap as bootstrap_gateway
from services.gateway.settings import GatewaySettings
from tests.support.kafka import Broker, own_broker
from tests.unit.gateway.fanout import events
from tests.unit.gateway.fanout.receiver import Receiver, receiving
from tests.unit.gateway.fanout.test_signing_egress import standard_webhooks_verify

__all__ = ["own_broker"]
pytestmark = pytest.mark.integration

API_KEY = "sb_integration_fanout_key_0123456789abcd"


def _gateway(common: PlatformSettings, store_dir: Path) -> Service:
    settings = GatewaySettings(
        platform=common, jwt_secret="y" * 48, bootstrap_api_key=API_KEY, webhook_allowed_hosts=["127.0.0.1"]
    )
    store = open_store(database="gateway", sqlite_dir=store_dir)
    return bootstrap_gateway(settings, bus=make_bus(common, "gateway"), store=store)


async def _publish(bus: Bus, first: int, count: int) -> None:
    for n in range(first, first + count):
        event = SessionClosedV1.model_validate(events.session_closed(f"sess_{n}"))
        await bus.publish("conversation.events", event, key=f"sess_{n}", tenant_id="default")


async def _subscribe(gateway: Service, receiver: Receiver) -> str:
    assert gateway.app is not None
    fanout = gateway.app.state.fanout
    _, secret = await fanout.webhooks.create(
        "default", url=receiver.url(), events=["session.closed"], fmt="support_agent", description=None
    )
    return str(secret)


async def test_events_survive_a_gateway_stop_and_arrive_once(own_broker: Broker, tmp_path: Path) -> None:
    common = PlatformSettings(
        bus="kafka", kafka_bootstrap=own_broker.bootstrap, data_dir=tmp_path, kafka_session_timeout_ms=2000
    )
    producer = make_bus(common, "conversation")
    await producer.start()
    async with receiving() as receiver:
        gateway = _gateway(common, tmp_path / "db")
        await gateway.start()
        secret = await _subscribe(gateway, receiver)
        await _publish(producer, 0, 5)
        await receiver.wait_for(5, timeout=30)
        await gateway.stop()

        await _publish(producer, 5, 5)  # published while no gateway runs
        gateway = _gateway(common, tmp_path / "db")
        await gateway.start()
        try:
            await receiver.wait_for(10, timeout=30)
        finally:
            await gateway.stop()
            await producer.stop()
    sessions = sorted(r.json()["data"]["session_id"] for r in receiver.requests)
    assert sessions == sorted(f"sess_{n}" for n in range(10))
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 10
    assert all(standard_webhooks_verify(secret, r.headers, r.body) for r in receiver.requests)
