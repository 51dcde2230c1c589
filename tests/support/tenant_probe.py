"""Tenant isolation probes (issue 20 #7): tenant A creates one resource of every kind; tenant B tries every verb on
each, every list and every RAG answer. Shared by the in-process test and the run against the Kafka stack."""

from __future__ import annotations

from typing import Any

import httpx

SECRET = "Zebra-Falcon-42 is the VIP hotline code"


async def ok(resp: httpx.Response, *statuses: int) -> dict[str, Any]:
    assert resp.status_code in (statuses or (200, 201)), f"{resp.request.method} {resp.request.url}: {resp.text}"
    return dict(resp.json())


async def create_everything(c: httpx.AsyncClient, a: dict[str, str], a_tenant: str) -> dict[str, str]:
    """One of each resource kind as tenant A (id `a_tenant`, also its seed 002 company); their ids."""
    await ok(await c.post("/api/session", json={"session_id": "sess-a", "customer_id": "cust-a"}, headers=a))
    body = {"session_id": "sess-a", "reason": "high_complexity", "priority": "high"}
    ticket = await ok(await c.post("/api/escalation", json=body, headers=a))
    body = {"companyId": a_tenant, "customerId": "cust-a", "channel": "chat", "initialMessage": SECRET}
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
        "company": a_tenant,
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
        ("GET", f"/cs/config?companyId={ids['company']}", None),
        ("PUT", "/cs/config", {"companyId": ids["company"]}),
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


def harmless(method: str, path: str, resp: httpx.Response) -> bool:
    """A success that reaches nothing of A's: a write that opens B's own resource under the id it names (the
    SECRET check proves A's history is not in it), or a list of B's own (empty) records."""
    if (method, path) in {("POST", "/api/v1/conversations"), ("POST", "/api/query")}:
        return True
    return method == "GET" and path.startswith("/crm/conversations/") and resp.json()["data"] == []


async def by_id_leaks(c: httpx.AsyncClient, b: dict[str, str], ids: dict[str, str]) -> dict[str, str]:
    """B's requests on A's resources that reached something, answered a 5xx or showed A's data."""
    leaks = {}
    for method, path, body in by_id_requests(ids):
        resp = await c.request(method, path, json=body, headers=b)
        reached = resp.status_code < 400 and not harmless(method, path, resp)
        if reached or resp.status_code >= 500 or SECRET in resp.text or "John" in resp.text:
            leaks[f"{method} {path}"] = f"{resp.status_code} {resp.text[:160]}"
    return leaks


LISTS = [
    "/crm/users",
    "/rag/documents",
    "/rag/stats",
    "/api/v1/review/queue?status=all",
    "/api/v1/users",
    "/api/v1/api-keys",
]
QUESTION = "What is the VIP hotline code?"


async def list_leaks(c: httpx.AsyncClient, b: dict[str, str], a_tenant: str, b_tenant: str) -> dict[str, str]:
    """B's lists and stats that fail or show anything of A's (the tenants' ids: `a_tenant`, `b_tenant`)."""
    leaks = {}
    for path in [f"/cs/sessions?companyId={b_tenant}", *LISTS]:
        resp = await c.get(path, headers=b)
        shown = [v for v in (a_tenant, "cust-a", "ann@acme.io", "secret.txt", SECRET) if v in resp.text]
        if resp.status_code != 200 or shown:
            leaks[path] = f"{resp.status_code} shows {shown}: {resp.text[:160]}"
    stats = (await c.get("/rag/stats", headers=b)).json()["data"]
    if stats["total_documents"] != 0:
        leaks["/rag/stats total"] = str(stats)
    return leaks


async def answer_leaks(c: httpx.AsyncClient, b: dict[str, str]) -> dict[str, str]:
    """B asking for A's knowledge on every answering endpoint: failures and answers that contain it."""
    answers = {
        "/api/query": await c.post(
            "/api/query", json={"query": QUESTION, "session_id": "sess-b", "customer_id": "cust-b"}, headers=b
        ),
        "/api/v1/conversations": await c.post(
            "/api/v1/conversations", json={"message": QUESTION, "user_id": "cust-b"}, headers=b
        ),
        "/chat": await c.post("/chat", json={"message": QUESTION, "user_id": "cust-b"}, headers=b),
        "/api/v1/generate/response": await c.post(
            "/api/v1/generate/response", json={"query": QUESTION, "customer_id": "cust-b"}, headers=b
        ),
    }
    return {
        path: f"{resp.status_code} {resp.text[:160]}"
        for path, resp in answers.items()
        if resp.status_code != 200 or "Zebra-Falcon-42" in resp.text
    }


async def own_answer(c: httpx.AsyncClient, a: dict[str, str]) -> str:
    """A's own answer to the same question (it must reach A's knowledge, or the probes above prove nothing)."""
    body = {"query": QUESTION, "session_id": "sess-a2", "customer_id": "c"}
    return (await c.post("/api/query", json=body, headers=a)).text
