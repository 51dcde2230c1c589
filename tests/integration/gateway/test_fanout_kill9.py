"""kill -9 of the gateway process mid-stream: after it comes back, every event's webhook has arrived at least once,
and every copy of one event carries the same webhook-id (a receiver deduping on it sees each event exactly once)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import httpx
import pytest

from libs.bus.local_kafka import free_port
from libs.contracts.models.conversation import SessionClosedV1
from libs.runtime import PlatformSettings, make_bus
from tests.support.kafka import Broker, own_broker
from tests.unit.gateway.fanout import events
from tests.unit.gateway.fanout.receiver import receiving

__all__ = ["own_broker"]
pytestmark = pytest.mark.integration

API_KEY = "sb_integration_kill9_key_0123456789abcdef"
EVENTS = 60


def _spawn(broker: Broker, data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "SWITCHBOARD_BUS": "kafka",
        "SWITCHBOARD_KAFKA_BOOTSTRAP": broker.bootstrap,
        "SWITCHBOARD_KAFKA_SESSION_TIMEOUT_MS": "2000",
        "SWITCHBOARD_DATA_DIR": str(data_dir),
        "SWITCHBOARD_GATEWAY_PORT": str(port),
        "SWITCHBOARD_JWT_SECRET": "z" * 48,
        "SWITCHBOARD_BOOTSTRAP_API_KEY": API_KEY,
        "SWITCHBOARD_GATEWAY_WEBHOOK_ALLOWED_HOSTS": '["127.0.0.1"]',
    }
    log = (data_dir / "gateway.log").open("ab")
    return subprocess.Popen([sys.executable, "-m", "services.gateway"], env=env, stdout=log, stderr=log)


async def _ready(url: str) -> None:
    async with httpx.AsyncClient() as client, asyncio.timeout(60):
        while True:
            try:
                if (await client.get(f"{url}/ready")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.2)


async def test_kill_9_mid_stream_loses_nothing(own_broker: Broker, tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    common = PlatformSettings(bus="kafka", kafka_bootstrap=own_broker.bootstrap, kafka_session_timeout_ms=2000)
    producer = make_bus(common, "conversation")
    await producer.start()
    gateway = _spawn(own_broker, tmp_path, port)
    try:
        async with receiving() as receiver:
            await _ready(url)
            body = {"url": receiver.url(), "events": ["session.closed"], "format": "support_agent"}
            async with httpx.AsyncClient() as client:
                auth = {"Authorization": f"Bearer {API_KEY}"}
                assert (await client.post(f"{url}/api/v1/webhooks", json=body, headers=auth)).status_code == 201
            for n in range(EVENTS):
                event = SessionClosedV1.model_validate(events.session_closed(f"sess_{n}"))
                await producer.publish("conversation.events", event, key=f"sess_{n}", tenant_id="default")
                if n == EVENTS // 3:
                    await receiver.wait_for(1, timeout=30)
                    gateway.send_signal(signal.SIGKILL)  # mid-stream: consumed, queued and sent partly
                    gateway.wait()
                    gateway = _spawn(own_broker, tmp_path, port)
            await _ready(url)
            ids: dict[str, set[str]] = defaultdict(set)
            async with asyncio.timeout(60):
                while len(ids) < EVENTS:
                    await receiver.wait_for(len(receiver.requests) + 1, timeout=60)
                    ids.clear()
                    for hit in receiver.requests:
                        ids[hit.json()["data"]["session_id"]].add(hit.headers["webhook-id"])
    finally:
        gateway.kill()
        gateway.wait()
        await producer.stop()
    assert set(ids) == {f"sess_{n}" for n in range(EVENTS)}
    assert all(len(copies) == 1 for copies in ids.values())  # copies of one event share its webhook-id
