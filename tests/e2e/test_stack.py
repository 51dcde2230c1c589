"""The whole stack as processes over HTTP: login, the seed 000 sentiment slice, events on the broker, crash recovery."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
import uuid

import httpx
import pytest
from aiokafka import AIOKafkaConsumer

from libs.store import open_store
from tests.e2e.conftest import Stack, children_of

pytestmark = pytest.mark.e2e


def test_login_and_sentiment_over_the_bus(stack: Stack) -> None:
    creds = stack.credentials
    login = httpx.post(
        f"{stack.url}/api/v1/auth/login",
        json={"username": creds["admin_email"], "password": creds["admin_password"]},
        timeout=10,
    )
    assert login.status_code == 200, login.text
    token = login.json()["data"]["token"]
    resp = httpx.post(
        f"{stack.url}/api/v1/analyze/sentiment",
        json={"text": "I'm very happy with your service and prompt response to my query.", "use_ai": False},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["data"]["sentiment"] == "positive"


async def test_events_are_plain_cloudevents_on_the_broker(stack: Stack) -> None:
    marker = f"e2e-{uuid.uuid4().hex[:8]}"
    consumer = AIOKafkaConsumer(
        "sentiment.events", bootstrap_servers=stack.kafka, group_id=f"reader-{marker}", auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        async with httpx.AsyncClient(timeout=30) as client:
            resp = await client.post(
                f"{stack.url}/api/v1/analyze/batch",
                json={"conversations": [{"id": marker, "text": "No response for days!"}]},
                headers=stack.auth(),
            )
        assert resp.status_code == 200, resp.text
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=1000)
            for records in batch.values():
                for record in records:
                    event = json.loads(record.value)
                    if event["data"].get("id") == marker:
                        assert event["specversion"] == "1.0"
                        assert event["type"] == "sentiment.SentimentAnalyzed.v1"
                        assert {"id", "source", "time", "tenantid", "correlationid"} <= set(event)
                        assert event["data"]["label"] == "negative"
                        return
        pytest.fail("SentimentAnalyzed event not seen on sentiment.events")
    finally:
        await consumer.stop()


def test_batch_survives_kill_9_of_sentiment(stack: Stack) -> None:
    items = [{"id": f"k{i}", "text": f"Order {i} arrived late and the box was damaged"} for i in range(3000)]

    async def run() -> httpx.Response:
        async with httpx.AsyncClient(timeout=120) as client:
            request = asyncio.create_task(
                client.post(f"{stack.url}/api/v1/analyze/batch", json={"conversations": items}, headers=stack.auth())
            )
            await asyncio.sleep(1.0)
            os.kill(stack.service_pid("sentiment"), signal.SIGKILL)
            return await request

    resp = asyncio.run(run())
    assert resp.status_code == 200, resp.text
    results = resp.json()["data"]["results"]
    assert [r["id"] for r in results] == [item["id"] for item in items]
    assert resp.json()["data"]["summary"]["negative_count"] + resp.json()["data"]["summary"]["neutral_count"] == 3000
    assert any("sentiment" in cmd for _, cmd in children_of(stack.process.pid))
    # Effects happened once: one stored analysis per item although some commands were redelivered after the kill.
    counted = asyncio.run(_count_records(stack, [item["id"] for item in items]))
    assert counted == len(items)


async def _count_records(stack: Stack, item_ids: list[str]) -> int:
    store = open_store(database="sentiment", sqlite_dir=stack.data_dir / "db")
    try:
        return await store.collection("analyses").count({"item_id": {"$in": item_ids}})
    finally:
        await store.close()
