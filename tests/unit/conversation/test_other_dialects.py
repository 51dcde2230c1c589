"""Seeds 003 (/api/v1/conversations), 004 (/sessions, /chat, /crm) and 000 (/api/v1/generate/response)."""

from __future__ import annotations

from tests.unit.conversation.conftest import Platform


async def test_kb_platform_conversation_replays_the_seed(platform: Platform) -> None:
    c, h = platform.client, platform.headers
    body = {"message": "How do I reset my password?", "user_id": "user_12345", "channel": "chat",
            "metadata": {"user_email": "customer@example.com", "user_name": "John Doe"}}  # fmt: skip
    resp = await c.post("/api/v1/conversations", json=body, headers=h)
    assert resp.status_code == 200, resp.text
    data = resp.json()
    assert set(data) == {"conversation_id", "response", "confidence", "sources", "escalated", "timestamp"}
    assert data["sources"] == ["kb_article_456"] and 0 < data["confidence"] <= 1
    cid = data["conversation_id"]
    follow = {"message": "Where is my package?", "user_id": "user_12345", "conversation_id": cid}
    assert (await c.post("/api/v1/conversations", json=follow, headers=h)).json()["conversation_id"] == cid
    history = (await c.get(f"/api/v1/conversations/{cid}", headers=h)).json()
    assert set(history) == {"conversation_id", "user_id", "channel", "messages", "status", "created_at"}
    assert [m["sender"] for m in history["messages"]] == ["user", "ai", "user", "ai"]
    assert set(history["messages"][1]) == {"id", "sender", "content", "confidence", "timestamp"}
    assert history["status"] in ("active", "escalated") and history["user_id"] == "user_12345"
    resp = await c.get("/api/v1/conversations/conv_missing", headers=h)
    assert resp.status_code == 404 and resp.json()["error"]["code"] == "not_found"
    resp = await c.post("/api/v1/conversations", json={**body, "channel": "pigeon"}, headers=h)
    assert resp.status_code == 400 and resp.json()["error"]["code"] == "invalid_request"
    unknown = {**follow, "conversation_id": "conv_nope"}
    assert (await c.post("/api/v1/conversations", json=unknown, headers=h)).status_code == 404


async def test_crm_users_sessions_and_chat(platform: Platform) -> None:
    c, h = platform.client, platform.headers
    created = await c.post("/crm/create_user", json={"name": "John Doe", "email": "john@example.com",
                                                     "phone": "+1234567890", "company": "Acme Corp", "role": "Manager"},
                           headers=h)  # fmt: skip
    assert created.status_code == 200, created.text
    user = created.json()["data"]
    assert set(user) == {"id", "name", "email", "phone", "company", "role", "preferences", "created_at",
                         "updated_at", "is_active"}  # fmt: skip
    dup = await c.post("/crm/create_user", json={"name": "J", "email": "JOHN@example.com"}, headers=h)
    assert dup.status_code == 409 and dup.json()["success"] is False
    bad = await c.post("/crm/create_user", json={"name": "J", "email": "not-an-email"}, headers=h)
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "email"
    session = await c.post("/sessions/create", json={"user_id": user["id"]}, headers=h)
    assert session.status_code == 200
    token_data = session.json()["data"]
    assert set(token_data) == {"session_id", "session_token", "user_id", "expires_at", "created_at"}
    valid = await c.get(f"/sessions/validate/{token_data['session_token']}")  # open: no credentials
    assert valid.status_code == 200 and valid.json()["data"]["valid"] is True
    assert (await c.get("/sessions/validate/forged-token")).status_code == 401
    chat = await c.post("/chat", json={"message": "What are the key features and pricing of your plans?",
                                       "user_id": user["id"], "session_token": token_data["session_token"]},
                        headers=h)  # fmt: skip
    assert chat.status_code == 200, chat.text
    data = chat.json()
    assert set(data) == {"response", "conversation_id", "user_info", "rag_context", "metadata"}
    assert data["user_info"] == {"id": user["id"], "name": "John Doe", "email": "john@example.com",
                                 "company": "Acme Corp"}  # fmt: skip
    assert data["metadata"]["agent_used"] == "sales_agent" and data["metadata"]["rag_documents_retrieved"] == 2
    assert set(data["rag_context"][0]) == {"content", "source", "score", "metadata"}
    assert set(data["rag_context"][0]["metadata"]) == {"filename", "chunk_id"}
    support = await c.post("/chat", json={"message": "I can't log in, my password reset is broken",
                                          "user_id": user["id"], "conversation_id": data["conversation_id"]},
                           headers=h)  # fmt: skip
    assert support.json()["metadata"]["agent_used"] == "support_agent"
    assert support.json()["metadata"]["conversation_length"] == 4
    other = await c.post("/chat", json={"message": "hi", "user_id": "someone_else",
                                        "session_token": token_data["session_token"]}, headers=h)  # fmt: skip
    assert other.status_code == 403
    assert (await c.post("/chat", json={"message": "hi", "user_id": "u"})).status_code == 401
    stats = (await c.get(f"/crm/users/{user['id']}", headers=h)).json()["data"]["stats"]
    assert stats["total_conversations"] == 1 and stats["total_messages"] == 4 and stats["last_active"]
    listed = (await c.get("/crm/users", params={"page": 1, "per_page": 10}, headers=h)).json()
    assert listed["pagination"] == {"page": 1, "per_page": 10, "total": 1, "pages": 1}
    assert set(listed["data"][0]) == {"id", "name", "email", "company", "created_at", "is_active"}
    assert (await c.get("/crm/users", params={"per_page": 101}, headers=h)).status_code == 400
    convs = (await c.get(f"/crm/conversations/{user['id']}", headers=h)).json()
    conv = convs["data"][0]
    assert set(conv) == {"id", "title", "status", "category", "created_at", "updated_at", "message_count",
                         "last_message"}  # fmt: skip
    assert conv["message_count"] == 4 and conv["last_message"]["type"] == "assistant" and conv["status"] == "active"
    assert (await c.get("/crm/users/user_missing", headers=h)).json()["error"]["code"] == "NOT_FOUND"


async def test_insights_generate_response_replays_the_seed(platform: Platform) -> None:
    body = {"query": "Can I get a personal loan with a credit score of 650?", "customer_id": "cust-456",
            "context": {"previous_interactions": 3, "account_type": "savings"}}  # fmt: skip
    resp = await platform.client.post("/api/v1/generate/response", json=body, headers=platform.headers)
    assert resp.status_code == 200, resp.text
    payload = resp.json()
    assert payload["error"] is False and payload["status_code"] == 200
    data = payload["data"]
    assert set(data) == {"response", "category", "requires_human_review", "confidence", "alternative_responses"}
    assert data["category"] == "loan_inquiry" and isinstance(data["requires_human_review"], bool)
    assert isinstance(data["alternative_responses"], list)
    resp = await platform.client.post("/api/v1/generate/response", json={"query": "", "customer_id": "c"},
                                      headers=platform.headers)  # fmt: skip
    assert resp.status_code == 400 and resp.json()["error"] is True
