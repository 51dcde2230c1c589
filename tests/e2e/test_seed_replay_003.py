"""Replays every seed 003 (knowledge-base platform) example: article first, then conversations about it, the
Python SDK and cURL examples, the error envelope; analytics and webhooks are documented but not built yet."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Stack
from tests.e2e.seed_examples import (
    WEBHOOK_PAYLOAD,
    Between,
    Each,
    OneOf,
    Opt,
    WebhookSink,
    body,
    built,
    check,
    client,
    insights_ok,
    iso_date,
    kb_error,
    rate_limited,
    recent_period,
    register_webhook,
    tenant_key,
    unregister_webhook,
    zulu,
)

pytestmark = pytest.mark.e2e

ARTICLE = {
    "title": "Password Reset Guide",
    "content": "Step-by-step instructions for resetting your password...",
    "category": "account-management",
    "tags": ["password", "security", "login"],
    "metadata": {"author": "support_team", "last_updated": "2026-01-12"},
}
CONVERSE_RESPONSE = {
    "conversation_id": str,
    "response": str,
    "confidence": Between(0, 1),
    "sources": Each(str),
    "escalated": bool,
    "timestamp": zulu,
}


@pytest.fixture(scope="module")
def company_tenant(stack: Stack) -> tuple[str, dict[str, str]]:
    return tenant_key(stack)


@pytest.fixture(scope="module")
def company(stack: Stack, company_tenant: tuple[str, dict[str, str]]) -> Iterator[httpx.Client]:
    """A company of its own (API key as Bearer, as seed 003 documents) whose knowledge base holds the article."""
    with client(stack, company_tenant[1]) as http:
        yield http


@pytest.fixture(scope="module")
def company_admin(stack: Stack, company_tenant: tuple[str, dict[str, str]]) -> Iterator[httpx.Client]:
    """The same company's admin key: subscribing webhooks is an admin's job."""
    resp = httpx.post(
        f"{stack.url}/api/v1/api-keys",
        json={"name": "e2e webhooks", "tenant_id": company_tenant[0], "rate_tier": "enterprise", "roles": ["admin"]},
        headers=stack.auth(),
    )
    with client(stack, {"Authorization": f"Bearer {insights_ok(resp, 201)['api_key']}"}) as http:
        yield http


@pytest.fixture(scope="module")
def article_id(company: httpx.Client) -> str:
    resp = company.post("/api/v1/knowledge-base", json=ARTICLE)
    assert resp.status_code == 200, resp.text
    rate_limited(resp)
    created = body(resp)
    check(created, {"article_id": str, "status": "published", "indexed": True, "created_at": zulu})
    return str(created["article_id"])


def converse(api: httpx.Client, payload: dict[str, Any]) -> dict[str, Any]:
    resp = api.post("/api/v1/conversations", json=payload)
    assert resp.status_code == 200, resp.text
    rate_limited(resp)
    data: dict[str, Any] = body(resp)
    check(data, CONVERSE_RESPONSE)
    assert data["response"].strip()
    return data


def test_add_article_then_update_it(company: httpx.Client, article_id: str) -> None:
    """Same title and category: the article is updated in place (the seed's "add or update")."""
    revised = ARTICLE | {
        "content": "Step-by-step instructions for resetting your password: open the login page, click 'Forgot "
        "Password', enter your account email and follow the link we send you. The link is valid for 24 hours."
    }
    resp = company.post("/api/v1/knowledge-base", json=revised)
    assert resp.status_code == 200, resp.text
    check(body(resp), {"article_id": article_id, "status": "published", "indexed": True, "created_at": zulu})


def test_conversation_cites_the_article(company: httpx.Client, article_id: str) -> None:
    answer = converse(
        company,
        {
            "message": "How do I reset my password?",
            "user_id": "user_12345",
            "channel": "chat",
            "metadata": {"user_email": "customer@example.com", "user_name": "John Doe"},
        },
    )
    assert answer["sources"] == [article_id] or article_id in answer["sources"]
    assert answer["escalated"] is False
    assert answer["confidence"] >= 0.5
    assert "Forgot" in answer["response"] or "password" in answer["response"].lower()

    history = company.get(f"/api/v1/conversations/{answer['conversation_id']}")
    assert history.status_code == 200, history.text
    rate_limited(history)
    user_msg = {"id": str, "sender": "user", "content": "How do I reset my password?", "timestamp": zulu}
    ai_msg = {"id": str, "sender": "ai", "content": answer["response"], "confidence": Between(0, 1), "timestamp": zulu}
    spec = {
        "conversation_id": answer["conversation_id"],
        "user_id": "user_12345",
        "channel": "chat",
        "messages": Each({"id": str, "sender": OneOf("user", "ai", "agent"), "content": str, "timestamp": zulu}),
        "status": str,
        "created_at": zulu,
    }
    conversation = body(history)
    check(conversation, spec)
    check(conversation["messages"][0], user_msg)
    check(conversation["messages"][1], ai_msg)
    assert conversation["status"] == "active"

    follow_up = converse(
        company,
        {
            "message": "Thanks! How long is the reset link valid?",
            "user_id": "user_12345",
            "conversation_id": answer["conversation_id"],
        },
    )
    assert follow_up["conversation_id"] == answer["conversation_id"]
    assert len(body(company.get(f"/api/v1/conversations/{answer['conversation_id']}"))["messages"]) == 4


def test_curl_example(company: httpx.Client, article_id: str) -> None:
    answer = converse(company, {"message": "How do I reset my password?", "user_id": "user_12345", "channel": "api"})
    assert article_id in answer["sources"]
    assert body(company.get(f"/api/v1/conversations/{answer['conversation_id']}"))["channel"] == "api"


def test_python_sdk_example(stack: Stack, company: httpx.Client, article_id: str) -> None:
    """The seed's SDK (`ourplatform.ChatClient`) does not exist as a package: this is the same client surface over
    the REST API, with the base URL and the key as Bearer."""

    @dataclass
    class Reply:
        answer: str
        confidence: float
        conversation_id: str
        sources: list[str]

    class ChatClient:
        def __init__(self, api_key: str, base_url: str) -> None:
            self._http = httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {api_key}"}, timeout=90)

        def send_message(self, message: str, user_id: str) -> Reply:
            resp = self._http.post("/api/v1/conversations", json={"message": message, "user_id": user_id})
            resp.raise_for_status()
            data = resp.json()
            return Reply(data["response"], data["confidence"], data["conversation_id"], data["sources"])

    key = company.headers["Authorization"].removeprefix("Bearer ")
    sdk = ChatClient(api_key=key, base_url=stack.url)
    response = sdk.send_message(message="How do I reset my password?", user_id="user_12345")
    assert response.answer.strip()
    assert 0 <= response.confidence <= 1
    assert article_id in response.sources


def test_error_examples(company: httpx.Client, stack: Stack) -> None:
    missing = kb_error(
        company.post("/api/v1/conversations", json={"message": "How do I reset my password?"}), 400, "invalid_request"
    )
    assert missing["error"]["details"]["field"] == "user_id"
    kb_error(company.get("/api/v1/conversations/conv_never_started"), 404, "not_found")
    anonymous = httpx.post(f"{stack.url}/api/v1/conversations", json={"message": "hi", "user_id": "u"}, timeout=30)
    kb_error(anonymous, 401, "unauthorized")
    forged = httpx.post(
        f"{stack.url}/api/v1/conversations",
        json={"message": "hi", "user_id": "u"},
        headers={"Authorization": "Bearer sb_not_a_real_key"},
        timeout=30,
    )
    kb_error(forged, 401, "unauthorized")


def test_another_company_cannot_read_the_conversation(stack: Stack, company: httpx.Client, article_id: str) -> None:
    answer = converse(company, {"message": "How do I reset my password?", "user_id": "user_12345"})
    _, other = tenant_key(stack)
    with client(stack, other) as intruder:
        kb_error(intruder.get(f"/api/v1/conversations/{answer['conversation_id']}"), 404, "not_found")
        theirs = converse(intruder, {"message": "How do I reset my password?", "user_id": "user_12345"})
    assert article_id not in theirs["sources"]


# -- documented, not built yet ----------------------------------------------------------------------------------
def test_analytics(company: httpx.Client, article_id: str) -> None:
    start, end = recent_period()
    params = {
        "start_date": start,
        "end_date": end,
        "metrics": "conversations,resolution_rate",
        "group_by": "day",
    }
    resp = built(company.get("/api/v1/analytics", params=params), "kb_platform")
    assert resp.status_code == 200, resp.text
    spec = {
        "period": {"start": start, "end": end},
        "metrics": {
            "total_conversations": int,
            "ai_resolved": int,
            "escalated": int,
            "resolution_rate": Between(0, 1),
            "avg_response_time": float,
            "customer_satisfaction": Opt(float),  # null until a rating is collected (issue 14)
        },
        "daily_breakdown": Each({"date": iso_date, "conversations": int, "resolution_rate": Between(0, 1)}),
    }
    report = body(resp)
    check(report, spec)
    assert report["metrics"]["total_conversations"] >= 1
    assert report["metrics"]["ai_resolved"] + report["metrics"]["escalated"] <= report["metrics"]["total_conversations"]


def verify_webhook(payload: str, signature: str, secret: str) -> bool:
    """The seed's verification snippet, verbatim."""
    expected = hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(f"sha256={expected}", signature)


def test_webhooks_are_signed(company: httpx.Client, company_admin: httpx.Client) -> None:
    with WebhookSink().running() as sink:
        events = ["conversation.created", "conversation.escalated", "conversation.resolved", "message.received"]
        hook_id, secret = register_webhook(company_admin, "kb_platform", sink.url, events)
        converse(company, {"message": "How do I reset my password?", "user_id": "user_hook"})
        headers, payload = sink.wait_for("conversation.created")
        check(payload, WEBHOOK_PAYLOAD)
        check(payload["data"], {"conversation_id": str, "user_id": "user_hook"})
        raw = next(raw for h, raw in sink.received if h is headers)
        assert verify_webhook(raw.decode(), headers["x-webhook-signature"], secret)
        assert not verify_webhook(raw.decode(), headers["x-webhook-signature"], "wrong-secret")
        unregister_webhook(company_admin, hook_id)
