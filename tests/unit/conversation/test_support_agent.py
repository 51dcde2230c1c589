"""Seed 001: POST /api/query and /api/session replayed through gateway + conversation; response cache."""

from __future__ import annotations

from tests.unit.conversation.conftest import Platform

QUERY_KEYS = {"response", "model_used", "sentiment_score", "complexity_score", "response_time_ms", "escalated",
              "escalation_reason", "ticket_id", "cached"}  # fmt: skip


async def test_query_replays_the_seed_example(platform: Platform) -> None:
    body = {
        "query": "I cannot access my account and I am very frustrated",
        "session_id": "sess_abc123",
        "customer_id": "cust_xyz789",
    }
    resp = await platform.client.post("/api/query", json=body, headers=platform.headers)
    assert resp.status_code == 200, resp.text
    data = resp.json()
    assert set(data) == QUERY_KEYS
    assert isinstance(data["response"], str) and data["response"]
    assert isinstance(data["model_used"], str) and data["model_used"]
    assert -1 <= data["sentiment_score"] <= 1 and 0 <= data["complexity_score"] <= 1
    assert isinstance(data["response_time_ms"], int) and data["cached"] is False
    assert isinstance(data["escalated"], bool)
    if data["escalated"]:
        assert data["escalation_reason"]
    session = (await platform.client.get("/api/session/sess_abc123", headers=platform.headers)).json()
    keys = {"session_id", "customer_id", "created_at", "updated_at", "status", "messages", "escalations"}
    assert set(session) == keys
    assert session["customer_id"] == "cust_xyz789" and session["status"] == "active"
    assert [m["role"] for m in session["messages"]] == ["user", "assistant"]
    assert set(session["messages"][1]["metadata"]) == {"model_used", "sentiment_score", "complexity_score"}
    assert session["messages"][1]["metadata"]["model_used"] == data["model_used"]
    if data["ticket_id"]:
        assert session["escalations"][0]["ticket_id"] == data["ticket_id"]


async def test_session_create_get_close(platform: Platform) -> None:
    c, h = platform.client, platform.headers
    resp = await c.post("/api/session", json={"customer_id": "cust_1", "session_id": "test_1"}, headers=h)
    assert resp.status_code == 200
    assert set(resp.json()) == {"session_id", "customer_id", "created_at", "status"}
    assert resp.json()["session_id"] == "test_1" and resp.json()["status"] == "active"
    generated = (await c.post("/api/session", json={"customer_id": "cust_1"}, headers=h)).json()
    assert generated["session_id"].startswith("sess_")
    again = await c.post("/api/session", json={"customer_id": "c", "session_id": "test_1"}, headers=h)
    assert again.status_code == 409
    resp = await c.delete("/api/session/test_1", headers=h)
    assert resp.status_code == 200
    assert resp.json()["message"] == "Session closed successfully" and resp.json()["archived_at"]
    assert (await c.get("/api/session/test_1", headers=h)).json()["status"] == "closed"
    resp = await c.post("/api/query", json={"query": "hi", "session_id": "test_1", "customer_id": "cust_1"}, headers=h)
    assert resp.status_code == 400 and resp.json()["error_type"] == "VALIDATION_ERROR"
    assert "cs_code" not in (resp.json()["details"] or "")
    closed = platform.events("SessionClosed")[0]["data"]
    assert closed["session_id"] == "test_1" and closed["message_count"] == 0


async def test_bad_input_and_unknown_session(platform: Platform) -> None:
    c, h = platform.client, platform.headers
    resp = await c.get("/api/session/nope", headers=h)
    assert resp.status_code == 404 and resp.json()["error_type"] == "NOT_FOUND_ERROR"
    assert (await c.delete("/api/session/nope", headers=h)).status_code == 404
    resp = await c.post("/api/query", json={"query": "x", "session_id": "s"}, headers=h)
    assert resp.status_code == 400 and resp.json()["error_type"] == "VALIDATION_ERROR"
    assert "customer_id" in resp.json()["message"]
    for query in ("", "x" * 100_000):
        body = {"query": query, "session_id": "s", "customer_id": "c"}
        assert (await c.post("/api/query", json=body, headers=h)).status_code == 400
    resp = await c.post("/api/query", json={"query": "x", "session_id": "s", "customer_id": "c"})
    assert resp.status_code == 401 and resp.json()["error_type"] == "AUTHENTICATION_ERROR"


async def test_same_question_is_answered_from_the_cache(platform: Platform) -> None:
    c, h = platform.client, platform.headers
    first = await c.post("/api/query", json={"query": "How do I reset my password?", "session_id": "a",
                                             "customer_id": "c1"}, headers=h)  # fmt: skip
    second = await c.post("/api/query", json={"query": "how do I RESET my password", "session_id": "b",
                                              "customer_id": "c2"}, headers=h)  # fmt: skip
    assert first.json()["cached"] is False and second.json()["cached"] is True
    assert first.json()["response"] == second.json()["response"]
    generated = [r for r in platform.llm.requests if r.passages]
    assert len(generated) == 1, "the cached turn made no provider call"
    hit = platform.events("ResponseCacheHit")
    assert len(hit) == 1 and hit[0]["data"]["session_id"] == "b" and hit[0]["data"]["knowledge_version"] == "kb-v1"
    assert platform.rag is not None
    platform.rag.version = "kb-v2"  # new knowledge: the old answer must not be served
    third = await c.post("/api/query", json={"query": "How do I reset my password?", "session_id": "c",
                                             "customer_id": "c3"}, headers=h)  # fmt: skip
    assert third.json()["cached"] is False
