"""Issue 20 #7: every kind of resource tenant A creates is invisible and untouchable for tenant B — by id on every
verb, in every list, in RAG answers, and through A's session tokens and PII tokens."""

from __future__ import annotations

from typing import Any

import httpx

from tests.unit.security.conftest import Stack

SECRET = "Zebra-Falcon-42 is the VIP hotline code"


async def ok(resp: httpx.Response, *statuses: int) -> dict[str, Any]:
    assert resp.status_code in (statuses or (200, 201)), f"{resp.request.method} {resp.request.url}: {resp.text}"
    return dict(resp.json())


async def create_everything(c: httpx.AsyncClient, a: dict[str, str]) -> dict[str, str]:
    """One of each resource kind as tenant A; their ids."""
    await ok(await c.post("/api/session", json={"session_id": "sess-a", "customer_id": "cust-a"}, headers=a))
    body = {"session_id": "sess-a", "reason": "high_complexity", "priority": "high"}
    ticket = await ok(await c.post("/api/escalation", json=body, headers=a))
    body = {"companyId": "acme", "customerId": "cust-a", "channel": "chat", "initialMessage": SECRET}
    cs = await ok(await c.post("/cs/sessions", json=body, headers=a), 201)
    body = {"message": f"Remember: {SECRET}", "user_id": "cust-a"}
    conv = await ok(await c.post("/api/v1/conversations", json=body, headers=a))
    await ok(await c.post("/api/v1/knowledge-base", json={"title": "VIP hotline", "content": SECRET}, headers=a))
    await ok(await c.post("/upload_docs", files=[("files", ("secret.txt", SECRET.encode(), "text/plain"))], headers=a))
    user = await ok(await c.post("/crm/create_user", json={"name": "Ann", "email": "ann@acme.io"}, headers=a))
    token = await ok(await c.post("/sessions/create", json={"user_id": user["data"]["id"]}, headers=a))
    review = await ok(await c.post("/api/v1/review/queue", json={"query": "q?", "response": SECRET}, headers=a))
    body = {"text": "Call John Smith", "store_originals": True}
    pii = await ok(await c.post("/api/v1/privacy/anonymize", json=body, headers=a))
    key = await ok(await c.post("/api/v1/api-keys", json={"name": "a-key", "roles": ["agent"]}, headers=a), 201)
    return {
        "session": "sess-a",
        "ticket": ticket["ticket_id"],
        "cs_session": cs["id"],
        "conversation": conv["conversation_id"],
        "crm_user": user["data"]["id"],
        "session_token": token["data"]["session_token"],
        "review": review["data"]["item_id"],
        "pii_token": pii["data"]["token"],
        "key": key["data"]["id"],
    }


def by_id_requests(ids: dict[str, str]) -> list[tuple[str, str, dict[str, Any] | None]]:
    """Every verb on every one of A's resources, addressed by its id."""
    cs = f"/cs/sessions/{ids['cs_session']}"
    return [
        ("GET", f"/api/session/{ids['session']}", None),
        ("DELETE", f"/api/session/{ids['session']}", None),
        ("POST", "/api/escalation", {"session_id": ids["session"], "reason": "high_complexity", "priority": "high"}),
        ("GET", f"/api/escalation/{ids['ticket']}", None),
        ("PUT", f"/api/escalation/{ids['ticket']}", {"status": "resolved"}),
        ("POST", "/api/query", {"query": "What is new?", "session_id": ids["session"], "customer_id": "cust-a"}),
        ("GET", cs, None),
        ("POST", f"{cs}/messages", {"content": "hello", "senderType": "CUSTOMER"}),
        ("POST", f"{cs}/escalate", {"reason": "CUSTOMER_REQUEST", "targetTier": "HUMAN_AGENT"}),
        ("POST", f"{cs}/resolve", {"resolution": "RESOLVED"}),
        ("GET", "/cs/config?companyId=acme", None),
        ("PUT", "/cs/config", {"companyId": "acme"}),
        ("GET", f"/api/v1/conversations/{ids['conversation']}", None),
        (
            "POST",
            "/api/v1/conversations",
            {"message": "and?", "user_id": "cust-a", "conversation_id": ids["conversation"]},
        ),
        ("GET", f"/crm/users/{ids['crm_user']}", None),
        ("GET", f"/crm/conversations/{ids['crm_user']}", None),
        ("DELETE", "/rag/documents/secret.txt", None),
        ("POST", "/chat", {"message": "hi", "user_id": ids["crm_user"], "session_token": ids["session_token"]}),
        ("POST", "/api/v1/review/decision", {"item_id": ids["review"], "approved": True}),
        ("POST", "/api/v1/privacy/deanonymize", {"token": ids["pii_token"]}),
        ("DELETE", f"/api/v1/api-keys/{ids['key']}", None),
    ]


async def test_tenant_b_reaches_none_of_tenant_a_resources(stack: Stack) -> None:
    c = stack.client
    a, b = await stack.tenant("acme"), await stack.tenant("globex")
    ids = await create_everything(c, a)
    leaks = {}
    for method, path, body in by_id_requests(ids):
        resp = await c.request(method, path, json=body, headers=b)
        reached = resp.status_code < 400 and not _harmless(method, path, resp)
        if reached or resp.status_code >= 500 or SECRET in resp.text or "John" in resp.text:
            leaks[f"{method} {path}"] = f"{resp.status_code} {resp.text[:160]}"
    assert leaks == {}
    # A's resources are all still there and unchanged for A.
    assert (await c.get(f"/api/escalation/{ids['ticket']}", headers=a)).json()["status"] == "open"
    assert (await c.get("/rag/documents", headers=a)).json()["data"][0]["filename"] == "secret.txt"
    own_session = await c.get(f"/api/session/{ids['session']}", headers=a)
    assert own_session.status_code == 200 and "What is new?" not in own_session.text  # B's turn went to B's session
    own_conversation = await c.get(f"/api/v1/conversations/{ids['conversation']}", headers=a)
    assert "and?" not in own_conversation.text


def _harmless(method: str, path: str, resp: httpx.Response) -> bool:
    """A success that reaches nothing of A's: a write that opens B's own resource under the id it names (the
    SECRET check proves A's history is not in it), or a list of B's own (empty) records."""
    if (method, path) in {("POST", "/api/v1/conversations"), ("POST", "/api/query")}:
        return True
    return method == "GET" and path.startswith("/crm/conversations/") and resp.json()["data"] == []


async def test_lists_stats_and_answers_of_tenant_b_show_nothing_of_a(stack: Stack) -> None:
    c = stack.client
    a, b = await stack.tenant("acme"), await stack.tenant("globex")
    await create_everything(c, a)
    reads = [
        ("GET", "/cs/sessions?companyId=globex"),
        ("GET", "/crm/users"),
        ("GET", "/rag/documents"),
        ("GET", "/rag/stats"),
        ("GET", "/api/v1/review/queue?status=all"),
        ("GET", "/api/v1/users"),
        ("GET", "/api/v1/api-keys"),
    ]
    for method, path in reads:
        resp = await c.request(method, path, headers=b)
        assert resp.status_code == 200, f"{path}: {resp.text}"
        for value in ("acme", "cust-a", "ann@acme.io", "secret.txt", SECRET):
            assert value not in resp.text, f"{path} shows {value}"
    stats = (await c.get("/rag/stats", headers=b)).json()["data"]
    assert stats["total_documents"] == 0
    # RAG answers: B asking for A's knowledge gets none of it, on every answering endpoint.
    question = "What is the VIP hotline code?"
    answers = [
        await c.post(
            "/api/query", json={"query": question, "session_id": "sess-b", "customer_id": "cust-b"}, headers=b
        ),
        await c.post("/api/v1/conversations", json={"message": question, "user_id": "cust-b"}, headers=b),
        await c.post("/chat", json={"message": question, "user_id": "cust-b"}, headers=b),
        await c.post("/api/v1/generate/response", json={"query": question, "customer_id": "cust-b"}, headers=b),
    ]
    for resp in answers:
        assert resp.status_code == 200, resp.text
        assert "Zebra-Falcon-42" not in resp.text
    own = await c.post("/api/query", json={"query": question, "session_id": "sess-a2", "customer_id": "c"}, headers=a)
    assert "Zebra-Falcon-42" in own.text  # the same question does reach A's own knowledge
