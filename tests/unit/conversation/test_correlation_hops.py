"""One request, one correlation id on every hop: the gateway's command, the asks the conversation service makes while
handling it (sentiment), and the events it emits, with no service passing the id on by hand."""

from __future__ import annotations

import json

from libs.contracts.registry import default_registry
from tests.unit.conversation.conftest import TENANT, Platform


def _correlations(p: Platform, message_type: str) -> set[str]:
    topic = default_registry().topic_of(message_type)
    envelopes = (json.loads(record.value) for record in p.bus.broker.records(topic))
    return {env["correlationid"] for env in envelopes if env["type"] == message_type}


async def test_a_turns_downstream_asks_and_events_carry_the_callers_request_id(platform: Platform) -> None:
    body = {"companyId": TENANT, "customerId": "cust-corr", "channel": "chat"}
    started = await platform.client.post("/cs/sessions", json=body, headers=platform.headers)
    assert started.status_code == 201, started.text
    sid = started.json()["id"]
    headers = {**platform.headers, "X-Request-ID": "req-turn-42"}
    resp = await platform.client.post(
        f"/cs/sessions/{sid}/messages", json={"message": "Where is my order?"}, headers=headers
    )
    assert resp.status_code in (200, 201), resp.text
    assert "req-turn-42" in _correlations(platform, "conversation.PostMessage.v1")  # hop 1: the gateway's command
    assert "req-turn-42" in _correlations(platform, "sentiment.AnalyzeSentiment.v1")  # hop 2: asked by the handler
    replied = [env for env in platform.events("MessageReplied") if env["subject"] == sid]
    assert replied and {env["correlationid"] for env in replied} == {"req-turn-42"}  # the turn's event
