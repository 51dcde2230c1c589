"""Two gateway replicas on one real broker and one shared outbox (a SQLite file both open): both consume
`gateway-fanout` (each its own partitions) and both delivery workers poll every owed row, yet every webhook is
sent exactly once (the claim in the store), and each replica's WebSocket client sees every review-queue event,
whichever replica's partitions it fell in (a live, groupless subscription per replica)."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

import orjson
import pytest
from websockets.asyncio.client import ClientConnection, connect

from libs.bus.base import Bus
from libs.contracts.models.conversation import SessionClosedV1
from libs.contracts.models.escalation import ReviewQueuedV1
from libs.runtime import PlatformSettings, Service, make_bus
from libs.store import open_store
from services.gateway.bootstrap import bootstrap as bootstrap_gateway
from services.gateway.settings import GatewaySettings
from tests.support.kafka import Broker, own_broker
from tests.unit.gateway.fanout import events
from tests.unit.gateway.fanout.receiver import Receiver, receiving, serve_asgi

__all__ = ["own_broker"]
pytestmark = pytest.mark.integration

API_KEY = "sb_integration_replicas_key_0123456789ab"
WEBHOOKS = 60
FRAMES = 20


def _replica(common: PlatformSettings, name: str, store_dir: Path) -> Service:
    platform = common.model_copy(update={"instance_id": name})
    settings = GatewaySettings(
        platform=platform, jwt_secret="r" * 48, bootstrap_api_key=API_KEY, webhook_allowed_hosts=["127.0.0.1"]
    )
    return bootstrap_gateway(
        settings, bus=make_bus(platform, "gateway"), store=open_store(database="gateway", sqlite_dir=store_dir)
    )


@asynccontextmanager
async def _feed(gateway: Service) -> AsyncIterator[ClientConnection]:
    """A WebSocket client of this replica, connected (its first system_status read) before anything is published."""
    async with serve_asgi(gateway.app) as port, connect(f"ws://127.0.0.1:{port}/websocket?token={API_KEY}") as ws:
        assert orjson.loads(await ws.recv())["event"] == "system_status"
        yield ws


async def _queue_updates(ws: ClientConnection, count: int) -> list[str]:
    items: list[str] = []
    async with asyncio.timeout(30):
        while len(items) < count:
            frame = orjson.loads(await ws.recv())
            if frame["event"] == "queue_update":
                items.append(frame["data"]["item_id"])
    return items


async def _publish(producer: Bus) -> None:
    for n in range(WEBHOOKS):
        event = SessionClosedV1.model_validate(events.session_closed(f"sess_{n}"))
        await producer.publish("conversation.events", event, key=f"sess_{n}", tenant_id="default")
    for n in range(FRAMES):
        queued = ReviewQueuedV1(
            item_id=f"rev_{n}",
            category="billing",
            priority=3,
            created_at="2026-01-01T00:00:00+00:00",
            estimated_review_time="5 minutes",
            queue_length=n + 1,
        )
        await producer.publish("escalation.events", queued, key=f"rev_{n}", tenant_id="default")


async def _settled(receiver: Receiver) -> Counter[str]:
    """Webhook-ids received once every event has arrived and a further second brought no copy."""
    await receiver.wait_for(WEBHOOKS, timeout=60)
    await asyncio.sleep(1.0)
    return Counter(r.headers["webhook-id"] for r in receiver.requests)


async def test_two_replicas_send_each_webhook_once_and_feed_every_client(own_broker: Broker, tmp_path: Path) -> None:
    common = PlatformSettings(bus="kafka", kafka_bootstrap=own_broker.bootstrap, kafka_session_timeout_ms=2000)
    producer = make_bus(common.model_copy(update={"instance_id": "producer"}), "escalation")
    replicas = [_replica(common, f"replica{n}", tmp_path / "db") for n in range(2)]
    async with AsyncExitStack() as stack:
        await producer.start()
        stack.push_async_callback(producer.stop)
        for replica in replicas:
            await replica.start()
            stack.push_async_callback(replica.stop)
        receiver = await stack.enter_async_context(receiving())
        await replicas[0].app.state.fanout.webhooks.create(  # type: ignore[union-attr]
            "default", url=receiver.url(), events=["session.closed"], fmt="support_agent", description=None
        )
        feeds = [await stack.enter_async_context(_feed(replica)) for replica in replicas]
        await _publish(producer)
        frames = await asyncio.gather(*(_queue_updates(ws, FRAMES) for ws in feeds))
        ids = await _settled(receiver)
    sessions = {r.json()["data"]["session_id"] for r in receiver.requests}
    assert sessions == {f"sess_{n}" for n in range(WEBHOOKS)}
    assert len(ids) == WEBHOOKS and set(ids.values()) == {1}  # every event once: no row was sent by both workers
    for seen in frames:
        assert sorted(seen) == sorted(f"rev_{n}" for n in range(FRAMES))
