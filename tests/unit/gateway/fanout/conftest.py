"""The gateway (fan-out included) on a MemoryBus with a real webhook receiver on 127.0.0.1; domain events are
published on the bus exactly as the conversation/escalation/sentiment services publish them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from libs.bus import MemoryBus
from libs.contracts.registry import default_registry
from libs.runtime import PlatformSettings, Service
from libs.store import DocumentStore, open_store
from services.gateway.fanout.service import Fanout
from tests.support.platform import API_KEY, gateway_for_tests, serving
from tests.unit.gateway.fanout.receiver import Receiver, receiving

ADMIN = {"Authorization": f"Bearer {API_KEY}"}
TENANT = "default"
TOPIC_OF = {"conversation": "conversation.events", "escalation": "escalation.events", "sentiment": "sentiment.events"}
FAST = {"webhook_allowed_hosts": ["127.0.0.1"], "webhook_timeout_s": 1.0}


@dataclass
class Stack:
    client: httpx.AsyncClient
    bus: MemoryBus
    gateway: Service
    receiver: Receiver

    @property
    def fanout(self) -> Fanout:
        assert self.gateway.app is not None
        fanout: Fanout = self.gateway.app.state.fanout
        return fanout

    async def subscribe(self, fmt: str, events: list[str], path: str = "/hook") -> tuple[str, str]:
        body = {"url": self.receiver.url(path), "events": events, "format": fmt}
        resp = await self.client.post("/api/v1/webhooks", json=body, headers=ADMIN)
        assert resp.status_code == 201, resp.text
        return resp.json()["data"]["id"], resp.json()["data"]["secret"]

    async def publish(self, event_type: str, data: dict[str, Any], *, key: str, tenant: str = TENANT) -> str:
        model = default_registry().model_for(event_type).model_validate(data)
        env = await self.bus.publish(TOPIC_OF[event_type.split(".")[0]], model, key=key, tenant_id=tenant)
        return env.id

    async def log(self, webhook_id: str) -> list[dict[str, Any]]:
        resp = await self.client.get(f"/api/v1/webhooks/{webhook_id}/deliveries?limit=100", headers=ADMIN)
        assert resp.status_code == 200, resp.text
        rows: list[dict[str, Any]] = resp.json()["data"]["deliveries"]
        return rows


async def start_stack(bus: MemoryBus, store: DocumentStore, tmp_path: Path, **overrides: Any) -> Service:
    common = PlatformSettings(bus="memory", data_dir=tmp_path)
    return gateway_for_tests(common, bus, store=store, **(FAST | overrides))


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    bus = MemoryBus(service_name="test")
    gateway = await start_stack(bus, open_store(database="gateway"), tmp_path)
    async with receiving() as receiver, serving(bus, [gateway]) as client:
        yield Stack(client=client, bus=bus, gateway=gateway, receiver=receiver)
