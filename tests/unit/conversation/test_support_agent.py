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
    # Seed 001 documents no 409: a refused state change is its VALIDATION_ERROR (400).
    assert again.status_code == 400 and again.json()["error_type"] == "VALIDATION_ERROR"
    resp = await c.delete("/api/session/test_1", headers=h)
    assert resp.status_code == 200
    assert resp.json()["message"] == "Session closed successfully" and resp.json()["archived_at"]
    assert (await c.get("/api/session/test_1", headers=h)).json()["status"] == "closed"
    resp = await c.post("/api/query", json={"query": "hi", "session_id": "test_1", "customer_id": "cust_1"}, headers=h)
    assert resp.status_code == 400 and resp.json()["error_type"] == "VALIDATION_ERROR"
    assert "cs_code" not in (resp.json()["details"] or "")
    closed = platform.events("SessionClosed")[0]["data"]
    assert closed["session_id"] == "test_1" and closed["message_count"] == 0


async def test_a_ticket_opened_through_the_api_marks_the_closed_session_escalated(platform: Platform) -> None:
    """POST /api/escalation opens the ticket in the escalation service only; SessionClosed still says escalated."""
    c, h = platform.client, platform.headers
    for session in ("sess_ticketed", "sess_plain"):
        body = {"customer_id": "cust_1", "session_id": session}
        assert (await c.post("/api/session", json=body, headers=h)).status_code == 200
    ticket = {"session_id": "sess_ticketed", "reason": "manual_request", "priority": "low"}
    assert (await c.post("/api/escalation", json=ticket, headers=h)).status_code == 200
    for session in ("sess_ticketed", "sess_plain"):
        assert (await c.delete(f"/api/session/{session}", headers=h)).status_code == 200
    closed = {e["data"]["session_id"]: e["data"]["escalated"] for e in platform.events("SessionClosed")}
    assert closed == {"sess_ticketed": True, "sess_plain": False}


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


async def test_seed_example_escalates_on_negative_sentiment(platform: Platform) -> None:
    """Seed 001's example answer: a very frustrated first message is escalated (negative_sentiment) with a ticket
    that names the session's customer and is listed on the session."""
    c, h = platform.client, platform.headers
    assert (await c.post("/api/session", json={"customer_id": "cust_xyz789", "session_id": "sess_abc123"},
                         headers=h)).status_code == 200  # fmt: skip
    body = {"query": "I cannot access my account and I am very frustrated", "session_id": "sess_abc123",
            "customer_id": "cust_xyz789"}  # fmt: skip
    answer = (await c.post("/api/query", json=body, headers=h)).json()
    assert answer["sentiment_score"] <= -0.6
    assert (answer["escalated"], answer["escalation_reason"]) == (True, "negative_sentiment")
    ticket = (await c.get(f"/api/escalation/{answer['ticket_id']}", headers=h)).json()
    assert (ticket["customer_id"], ticket["reason"], ticket["status"]) == ("cust_xyz789", "negative_sentiment", "open")
    manual = {"session_id": "sess_abc123", "reason": "manual_request", "priority": "high"}
    manual_id = (await c.post("/api/escalation", json=manual, headers=h)).json()["ticket_id"]
    assert (await c.get(f"/api/escalation/{manual_id}", headers=h)).json()["customer_id"] == "cust_xyz789"
    session = (await c.get("/api/session/sess_abc123", headers=h)).json()
    assert session["status"] == "active"  # escalated to the AI manager, still open
    assert [(e["ticket_id"], e["reason"]) for e in session["escalations"]] == [
        (answer["ticket_id"], "negative_sentiment"), (manual_id, "manual_request"),
    ]  # fmt: skip


async def test_negative_first_turn_of_a_returning_customer_leads_with_negative_sentiment(platform: Platform) -> None:
    """Seed 001's test scenarios in order: test_3 is the first turn of the customer's third session. Its mood leads
    (negative_sentiment / IRATE_CUSTOMER) and the two earlier contacts ride along; no failed attempt is counted."""
    c, h = platform.client, platform.headers
    for sid, text in (("test_1", "What are your hours?"), ("test_2", "I need help integrating your API")):
        assert (await c.post("/api/query", json={"query": text, "session_id": sid, "customer_id": "test_user"},
                             headers=h)).status_code == 200  # fmt: skip
    body = {"query": "This is terrible! Nothing works and I am extremely frustrated!", "session_id": "test_3",
            "customer_id": "test_user"}  # fmt: skip
    negative = (await c.post("/api/query", json=body, headers=h)).json()
    assert (negative["escalated"], negative["escalation_reason"]) == (True, "negative_sentiment"), negative
    replied = [e["data"] for e in platform.events("MessageReplied") if e["data"]["session_id"] == "test_3"]
    reasons = replied[0]["escalation_reasons"]
    assert reasons[0] == "IRATE_CUSTOMER" and "REPEAT_CONTACT" in reasons, reasons
    ticket = (await c.get(f"/api/escalation/{negative['ticket_id']}", headers=h)).json()
    assert (ticket["customer_id"], ticket["reason"]) == ("test_user", "negative_sentiment")
