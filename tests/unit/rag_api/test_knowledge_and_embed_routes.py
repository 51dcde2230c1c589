"""Seed 003 POST /api/v1/knowledge-base and seed 000 POST /api/v1/ai/embed, answered by the rag service."""

from __future__ import annotations

import math
import re

from tests.unit.rag_api.conftest import AUTH, Platform

SEED_003_ARTICLE = {
    "title": "Password Reset Guide",
    "content": "Step-by-step instructions for resetting your password: open the login page, click Forgot Password "
    "and follow the link we email you.",
    "category": "account-management",
    "tags": ["password", "security", "login"],
    "metadata": {"author": "support_team", "last_updated": "2026-01-12"},
}
SEED_000_EMBED = {
    "texts": [
        "What are the benefits of your premium credit card?",
        "How do I dispute a charge on my statement?",
        "Can I increase my credit limit?",
    ],
    "model": "embeddings",
    "dimensions": 1536,
}


async def test_seed_003_article_is_published_indexed_and_retrievable(platform: Platform) -> None:
    resp = await platform.client.post("/api/v1/knowledge-base", json=SEED_003_ARTICLE, headers=AUTH)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert set(body) == {"article_id", "status", "indexed", "created_at"}
    assert body["article_id"].startswith("kb_")
    assert (body["status"], body["indexed"]) == ("published", True)
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", body["created_at"])
    assert resp.headers["X-RateLimit-Limit"]

    found = await platform.retrieve("I forgot my password")
    assert found["passages"][0]["source"] == body["article_id"]
    assert found["passages"][0]["article_id"] == body["article_id"]
    assert "filename" not in found["passages"][0] or found["passages"][0]["filename"] is None

    edited = {**SEED_003_ARTICLE, "title": "  password reset guide ", "content": "Use the Forgot Password link."}
    again = (await platform.client.post("/api/v1/knowledge-base", json=edited, headers=AUTH)).json()
    assert again["article_id"] == body["article_id"] and again["created_at"] == body["created_at"]
    versions = [e["data"]["knowledge_version"] for e in platform.events("rag.KnowledgeChanged.v1")]
    assert versions == [1, 2]
    found = await platform.retrieve("I forgot my password", top_k=5)
    assert [p["content"] for p in found["passages"]] == ["Use the Forgot Password link."]


async def test_invalid_articles_get_the_seed_003_error_envelope(platform: Platform) -> None:
    cases = [
        ({k: v for k, v in SEED_003_ARTICLE.items() if k != "title"}, "title"),
        ({**SEED_003_ARTICLE, "content": "   "}, "content"),
        ({**SEED_003_ARTICLE, "tags": "password"}, "tags"),
        (
            {**SEED_003_ARTICLE, "content": "\N{GRINNING FACE}" * 160_000},
            "content",
        ),  # fits the characters, not one bus message
        ({**SEED_003_ARTICLE, "author": "me"}, "author"),
    ]
    for payload, field in cases:
        resp = await platform.client.post("/api/v1/knowledge-base", json=payload, headers=AUTH)
        assert resp.status_code == 400, field
        error = resp.json()["error"]
        assert set(error) == {"code", "message", "details", "request_id"}
        assert error["code"] == "invalid_request"
        assert error["details"]["field"] == field
        assert error["request_id"] == resp.headers["X-Request-ID"]
    unauthorized = await platform.client.post("/api/v1/knowledge-base", json=SEED_003_ARTICLE)
    assert unauthorized.status_code == 401
    assert unauthorized.json()["error"]["code"] == "unauthorized"


async def test_embed_answers_with_the_local_model_in_384_dimensions(platform: Platform) -> None:
    request = {k: v for k, v in SEED_000_EMBED.items() if k != "dimensions"}
    resp = await platform.client.post("/api/v1/ai/embed", json=request, headers=AUTH)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert set(body) == {"error", "status_code", "data", "timestamp"}
    assert (body["error"], body["status_code"]) == (False, 200)
    data = body["data"]
    assert set(data) == {"embeddings", "model", "dimensions"}
    assert data["dimensions"] == 384 and data["model"] and data["model"] != "text-embedding-3-large"
    assert [len(v) for v in data["embeddings"]] == [384, 384, 384]
    assert all(math.isclose(math.sqrt(sum(x * x for x in v)), 1.0, rel_tol=1e-3) for v in data["embeddings"])
    explicit = await platform.client.post("/api/v1/ai/embed", json={**request, "dimensions": 384}, headers=AUTH)
    assert explicit.json()["data"]["embeddings"][0] == data["embeddings"][0]


async def test_embed_batches_many_texts_and_keeps_their_order(platform: Platform) -> None:
    texts = [f"question number {i} about invoices" for i in range(150)]
    many = (await platform.client.post("/api/v1/ai/embed", json={"texts": texts}, headers=AUTH)).json()["data"]
    assert len(many["embeddings"]) == 150
    one = (await platform.client.post("/api/v1/ai/embed", json={"texts": [texts[120]]}, headers=AUTH)).json()
    assert [round(x, 5) for x in many["embeddings"][120]] == [round(x, 5) for x in one["data"]["embeddings"][0]]


async def test_embed_refuses_unsupported_dimensions_and_bad_texts(platform: Platform) -> None:
    resp = await platform.client.post("/api/v1/ai/embed", json=SEED_000_EMBED, headers=AUTH)
    assert resp.status_code == 400
    body = resp.json()
    assert (body["error"], body["status_code"]) == (True, 400)
    assert body["details"]["field"] == "dimensions" and body["details"]["supported"] == [384]
    for payload, field in (
        ({"texts": []}, "texts"),
        ({"texts": ["ok", "  "]}, "texts.1"),
        ({"texts": ["ok"], "dimensions": 0}, "dimensions"),
        ({"texts": ["ok"], "dimensions": "384"}, "dimensions"),
    ):
        resp = await platform.client.post("/api/v1/ai/embed", json=payload, headers=AUTH)
        assert resp.status_code == 400, payload
        assert field in resp.json()["details"], resp.json()
