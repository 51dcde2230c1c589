"""Idempotency-Key through the whole stack: gateway guard + conversation turn, one stored turn per key."""

from __future__ import annotations

import asyncio

from services.conversation.settings import StepDeadlines
from tests.unit.conversation.conftest import PlatformFactory

FAST = StepDeadlines(privacy_s=0.2, sentiment_s=0.2, retrieval_s=0.2, escalation_s=0.2)


async def test_retries_with_one_key_store_one_turn_in_every_case(make_platform: PlatformFactory) -> None:
    p = await make_platform(without=("privacy", "sentiment", "escalation"), deadlines=FAST)
    headers = {**p.headers, "Idempotency-Key": "turn-1"}
    body = {"query": "Where is my order?", "session_id": "idem_1", "customer_id": "c1"}
    first, racing = await asyncio.gather(
        p.client.post("/api/query", json=body, headers=headers),
        p.client.post("/api/query", json=body, headers=headers),
    )
    later = await p.client.post("/api/query", json=body, headers=headers)
    assert first.status_code == racing.status_code == later.status_code == 200, first.text
    assert first.json() == racing.json() == later.json()
    reused = await p.client.post("/api/query", json={**body, "query": "Something else"}, headers=headers)
    assert reused.status_code == 422, reused.text
    history = (await p.client.get("/api/session/idem_1", headers=p.headers)).json()
    assert [m["content"] for m in history["messages"]][:1] == ["Where is my order?"]
    assert len(history["messages"]) == 2, "one customer message and one reply, whatever the retries"
    assert len(p.events("MessageReceived")) == 1
