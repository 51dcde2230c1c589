"""Tenant isolation: two API keys of different tenants never see each other's documents, articles or passages."""

from __future__ import annotations

from tests.unit.rag_api.conftest import AUTH, Platform

SECRET = b"Acme staff get a forty percent discount code ACME40 on every internal order.\n"


async def test_documents_and_passages_stay_inside_their_tenant(platform: Platform) -> None:
    acme = await platform.api_key_for("acme")
    resp = await platform.upload(("discounts.txt", SECRET, "text/plain"), headers=acme)
    assert resp.json()["data"]["uploaded_files"][0]["status"] == "success"
    await platform.upload(("hours.txt", b"We are open from nine to five on weekdays.", "text/plain"))

    mine = (await platform.client.get("/rag/documents", headers=AUTH)).json()
    assert [d["filename"] for d in mine["data"]] == ["hours.txt"]
    theirs = (await platform.client.get("/rag/documents", headers=acme)).json()
    assert [d["filename"] for d in theirs["data"]] == ["discounts.txt"]
    assert (await platform.client.get("/rag/stats", headers=AUTH)).json()["data"]["total_documents"] == 1

    leaked = await platform.retrieve("What is the staff discount code?", top_k=10)
    assert all("ACME40" not in p["content"] for p in leaked["passages"])
    own = await platform.retrieve("What is the staff discount code?", tenant_id="acme")
    assert own["passages"][0]["filename"] == "discounts.txt"

    # The same filename in another tenant is a different document: deleting it from "default" is a 404.
    assert (await platform.client.delete("/rag/documents/discounts.txt", headers=AUTH)).status_code == 404
    assert (await platform.client.get("/rag/stats", headers=acme)).json()["data"]["total_documents"] == 1


async def test_articles_stay_inside_their_tenant(platform: Platform) -> None:
    acme = await platform.api_key_for("acme")
    article = {"title": "VIP escalation", "content": "Acme VIP customers call the hotline 555-0100 directly."}
    assert (await platform.client.post("/api/v1/knowledge-base", json=article, headers=acme)).status_code == 200
    found = await platform.retrieve("Which hotline do VIP customers call?")
    assert found["passages"] == []
    assert found["knowledge_version"] == 0


async def test_analyst_only_keys_cannot_change_the_knowledge_base(platform: Platform) -> None:
    body = {"name": "readonly", "roles": ["analyst"]}
    key = (await platform.client.post("/api/v1/api-keys", json=body, headers=AUTH)).json()["data"]["api_key"]
    readonly = {"Authorization": f"Bearer {key}"}
    resp = await platform.upload(("a.txt", b"hello there", "text/plain"), headers=readonly)
    assert resp.status_code == 403 and resp.json()["error"]["code"] == "FORBIDDEN"
    assert (await platform.client.get("/rag/stats", headers=readonly)).status_code == 200
