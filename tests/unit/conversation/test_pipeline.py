"""The turn pipeline's guarantees: no PII reaches a provider or a log, absent services degrade the turn within
its deadline, an irate customer climbs the tiers, a customer may ask for a human, the idle sweep abandons."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from libs.contracts.models.conversation import GetSessionV1
from services.conversation.settings import StepDeadlines
from tests.unit.conversation.conftest import TENANT, Platform, PlatformFactory

NAME, EMAIL, PHONE = "Johanna Whitfield", "johanna.whitfield@example.com", "+1 415 555 0199"
PII_MESSAGE = f"Hi, I am {NAME}, e-mail {EMAIL}, phone {PHONE}. How do I reset my password?"


async def test_pii_reaches_no_provider_and_no_log(
    make_platform: PlatformFactory, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    p = await make_platform()
    body = {"query": PII_MESSAGE, "session_id": "pii_1", "customer_id": "c1"}
    resp = await p.client.post("/api/query", json=body, headers=p.headers)
    assert resp.status_code == 200, resp.text
    assert p.llm.requests, "the turn reached the LLM"
    seen = " ".join(
        " ".join([r.prompt, r.system_prompt or "", *(x.content for x in r.passages), str(dict(r.context))])
        for r in p.llm.requests
    )
    out = capsys.readouterr()
    logs = out.out + out.err + caplog.text
    for secret in (NAME, "Whitfield", EMAIL, "555 0199"):
        assert secret not in seen, f"{secret!r} reached a provider"
        assert secret not in logs, f"{secret!r} was logged"
    assert "[EMAIL_1]" in p.llm.requests[0].prompt
    received = p.events("MessageReceived")[0]["data"]
    assert {"email", "phone_number"} <= set(received["pii_detected"])
    # The conversation itself keeps what the customer wrote (it is their history).
    history = (await p.client.get("/api/session/pii_1", headers=p.headers)).json()
    assert history["messages"][0]["content"] == PII_MESSAGE


async def test_without_privacy_the_turn_fails_closed(make_platform: PlatformFactory) -> None:
    """Privacy absent: nothing unredacted leaves the conversation service (no provider, no sentiment/rag/
    escalation command); the customer gets the fallback notice, the turn is flagged for a person, and what is
    stored says redaction was unavailable instead of claiming no PII was found."""
    deadlines = StepDeadlines(privacy_s=0.2, sentiment_s=0.2, retrieval_s=0.2, escalation_s=0.2)
    p = await make_platform(without=("privacy", "sentiment", "escalation"), deadlines=deadlines)
    text = f"I am Ignatius Pennywhistle, e-mail {EMAIL}, what are your hours?"
    body = {"query": text, "session_id": "deg_1", "customer_id": "c1"}
    started = time.perf_counter()
    resp = await p.client.post("/api/query", json=body, headers=p.headers)
    elapsed = time.perf_counter() - started
    assert resp.status_code == 200, resp.text
    data = resp.json()
    assert data["response"] and data["escalated"] is True and data["escalation_reason"] == "redaction_unavailable"
    assert elapsed < 5, "the absent privacy step gave up at its deadline"
    assert p.llm.requests == [], "no model provider saw the unredacted text"
    assert p.rag is not None and p.rag.queries == []
    for topic in ("sentiment.commands", "escalation.commands", "rag.queries"):
        assert not any(b"Pennywhistle" in r.value for r in p.bus.broker.records(topic)), topic
    replied = p.events("MessageReplied")[0]["data"]
    assert "redact" in replied["degraded"] and replied["sentiment_score"] is None
    assert p.events("MessageReceived")[0]["data"]["sentiment_available"] is False
    view = (await p.client.get("/api/session/deg_1", headers=p.headers)).json()
    assert view["messages"][0]["content"] == text  # the customer's own history keeps what they wrote
    stored = await _stored_messages(p, "deg_1")
    assert stored[0]["redaction"] == "unavailable" and stored[0].get("pii_detected") is None
    assert stored[0].get("redacted_content") is None
    assert stored[1]["metadata"]["redaction"] == "unavailable" and stored[1]["metadata"]["ai_generated"] is False


async def test_human_request_is_honoured_even_without_the_policy(make_platform: PlatformFactory) -> None:
    deadlines = StepDeadlines(privacy_s=0.2, sentiment_s=0.2, retrieval_s=0.2, escalation_s=0.2)
    p = await make_platform(without=("privacy", "sentiment", "escalation"), deadlines=deadlines)
    resp = await p.client.post("/cs/sessions", json={"companyId": TENANT, "customerId": "c", "channel": "chat"},
                               headers=p.headers)  # fmt: skip
    sid = resp.json()["id"]
    resp = await p.client.post(f"/cs/sessions/{sid}/messages", json={"message": "I want to talk to a human"},
                               headers=p.headers)  # fmt: skip
    assert resp.json()["sessionUpdate"]["currentTier"] == "HUMAN_AGENT"
    resp = await p.client.post(f"/cs/sessions/{sid}/messages", json={"message": "hello?"}, headers=p.headers)
    assert resp.json()["aiResponse"]["metadata"]["aiGenerated"] is False


async def test_irate_customer_escalates_through_the_tiers(make_platform: PlatformFactory) -> None:
    # No knowledge base: the policy sees only the customer's mood, not low retrieval confidence.
    p = await make_platform(rag=False)
    resp = await p.client.post("/cs/sessions", json={"companyId": TENANT, "customerId": "c", "channel": "chat"},
                               headers=p.headers)  # fmt: skip
    sid = resp.json()["id"]
    tiers = []
    for _ in range(6):
        resp = await p.client.post(
            f"/cs/sessions/{sid}/messages",
            json={"message": "This is unacceptable! I am furious, nothing works and nobody helps me."},
            headers=p.headers,
        )
        assert resp.status_code == 201, resp.text
        view = (await p.client.get(f"/cs/sessions/{sid}", headers=p.headers)).json()
        tiers.append(view["currentTier"])
    assert tiers[0] == "AI_REP", "the first irate message gets a de-escalation attempt"
    assert "AI_MANAGER" in tiers and tiers[-1] == "HUMAN_AGENT"
    assert tiers.index("AI_MANAGER") < tiers.index("HUMAN_AGENT")
    history = view["escalationHistory"]
    assert [(e["fromTier"], e["toTier"]) for e in history] == [("AI_REP", "AI_MANAGER"), ("AI_MANAGER", "HUMAN_AGENT")]
    assert history[0]["reason"] == "IRATE_CUSTOMER"
    events = [e["data"] for e in p.events("SessionEscalated")]
    assert [e["trigger"] for e in events] == ["policy", "policy"] and all(e["ticket_id"] for e in events)


async def test_idle_sweep_abandons_open_sessions(make_platform: PlatformFactory) -> None:
    p = await make_platform(idle_abandon_s=0.2, sweep_interval_s=0.05)
    resp = await p.client.post("/api/session", json={"customer_id": "c", "session_id": "idle_1"}, headers=p.headers)
    assert resp.status_code == 200
    for _ in range(100):
        if p.events("SessionAbandoned"):
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.2)  # a few more sweeps: a session is abandoned once
    abandoned = p.events("SessionAbandoned")
    assert len(abandoned) == 1 and abandoned[0]["data"]["session_id"] == "idle_1"
    assert abandoned[0]["data"]["idle_s"] >= 0.2
    resp = await p.client.post("/api/query", json={"query": "hi", "session_id": "idle_1", "customer_id": "c"},
                               headers=p.headers)  # fmt: skip
    assert resp.status_code == 400


async def _stored_messages(p: Platform, session_id: str) -> list[dict[str, Any]]:
    """The messages as the conversation service stores them (the dialect views render only some fields)."""
    view = await p.bus.request(
        "conversation.commands", GetSessionV1(session_id=session_id), key=session_id, tenant_id=TENANT, timeout=5
    )
    messages: list[dict[str, Any]] = view.data["messages"]
    return messages
