"""Replays every seed 001 (Customer Support Agent) example, its test scenarios and its Python SDK over the stack."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Stack
from tests.e2e.seed_examples import (
    WEBHOOK_PAYLOAD,
    Between,
    Each,
    MapOf,
    OneOf,
    Opt,
    WebhookSink,
    body,
    built,
    check,
    client,
    iso,
    rate_limited,
    register_webhook,
    support_error,
    tenant_key,
    unregister_webhook,
)

pytestmark = pytest.mark.e2e

REASONS = OneOf("negative_sentiment", "high_complexity", "repeated_failures", "manual_request", "policy_violation")
PRIORITIES = OneOf("low", "medium", "high", "urgent")
TICKET_STATUSES = OneOf("open", "assigned", "resolved", "closed")
QUERY_RESPONSE = {
    "response": str,
    "model_used": str,
    "sentiment_score": Between(-1, 1),
    "complexity_score": Between(0, 1),
    "response_time_ms": int,
    "escalated": bool,
    "escalation_reason": Opt(REASONS),
    "ticket_id": Opt(str),
    "cached": bool,
}
TICKET = {
    "ticket_id": str,
    "session_id": str,
    "customer_id": str,
    "reason": REASONS,
    "priority": PRIORITIES,
    "status": TICKET_STATUSES,
    "created_at": iso,
    "updated_at": iso,
    "assigned_agent": Opt(str),
    "resolution_notes": Opt(str),
    "customer_satisfaction": Opt(Between(1, 5)),
}


@pytest.fixture(scope="module")
def api(stack: Stack) -> Iterator[httpx.Client]:
    """Seed 001 authenticates integrations with an API key."""
    with client(stack, stack.auth()) as http:
        yield http


def query(api: httpx.Client, text: str, session_id: str, customer_id: str) -> dict[str, Any]:
    resp = api.post("/api/query", json={"query": text, "session_id": session_id, "customer_id": customer_id})
    assert resp.status_code == 200, resp.text
    rate_limited(resp)
    data: dict[str, Any] = body(resp)
    check(data, QUERY_RESPONSE)
    assert data["response"].strip()
    assert data["response_time_ms"] >= 0
    if data["escalated"]:
        assert data["escalation_reason"] is not None and data["ticket_id"], data
    else:
        assert data["ticket_id"] is None, data
    return data


def test_health_is_open(stack: Stack) -> None:
    resp = httpx.get(f"{stack.url}/health", timeout=30)
    assert resp.status_code == 200, resp.text
    health = OneOf("healthy", "degraded", "unhealthy")
    spec = {"status": "healthy", "timestamp": iso, "version": str, "services": MapOf(health), "uptime_seconds": int}
    check(resp.json(), spec)
    assert resp.json()["services"], "health lists the platform's parts"


def test_session_query_history_escalation_close(api: httpx.Client) -> None:
    """The documented examples in a client's order: open the session, ask, read it back, escalate, update, close."""
    created = api.post("/api/session", json={"customer_id": "cust_xyz789", "session_id": "sess_abc123"})
    assert created.status_code == 200, created.text
    rate_limited(created)
    check(
        created.json(),
        {"session_id": "sess_abc123", "customer_id": "cust_xyz789", "created_at": iso, "status": "active"},
    )

    answer = query(api, "I cannot access my account and I am very frustrated", "sess_abc123", "cust_xyz789")
    assert answer["sentiment_score"] < 0
    assert answer["cached"] is False

    history = api.get("/api/session/sess_abc123")
    assert history.status_code == 200, history.text
    metadata = {"model_used": Opt(str), "sentiment_score": Opt(Between(-1, 1)), "complexity_score": Opt(Between(0, 1))}
    message = {"id": str, "timestamp": iso, "role": OneOf("user", "assistant"), "content": str, "metadata": metadata}
    escalation = {"ticket_id": str, "reason": REASONS, "created_at": iso, "status": TICKET_STATUSES}
    spec = {
        "session_id": "sess_abc123",
        "customer_id": "cust_xyz789",
        "created_at": iso,
        "updated_at": iso,
        "status": "active",
        "messages": Each(message, min_len=2),
        "escalations": Each(escalation),
    }
    session = history.json()
    check(session, spec)
    assert [m["role"] for m in session["messages"]] == ["user", "assistant"]
    assert session["messages"][0]["content"] == "I cannot access my account and I am very frustrated"
    assert session["messages"][1]["metadata"]["model_used"] == answer["model_used"]
    if answer["escalated"]:
        assert answer["ticket_id"] in [e["ticket_id"] for e in session["escalations"]]

    ticket = api.post(
        "/api/escalation",
        json={
            "session_id": "sess_abc123",
            "reason": "manual_request",
            "priority": "high",
            "customer_sentiment": answer["sentiment_score"],
            "query_complexity": answer["complexity_score"],
            "additional_context": "Customer asked for a human agent",
        },
    )
    assert ticket.status_code == 200, ticket.text
    created_spec = {
        "ticket_id": str,
        "session_id": "sess_abc123",
        "priority": "high",
        "status": TICKET_STATUSES,
        "created_at": iso,
        "estimated_response_time": str,
    }
    check(ticket.json(), created_spec)
    ticket_id = ticket.json()["ticket_id"]

    read = api.get(f"/api/escalation/{ticket_id}")
    assert read.status_code == 200, read.text
    expected = {
        "ticket_id": ticket_id,
        "session_id": "sess_abc123",
        "reason": "manual_request",
        "customer_id": Opt(str),
    }
    check(read.json(), TICKET | expected)

    assigned = api.put(f"/api/escalation/{ticket_id}", json={"status": "assigned", "assigned_agent": "agent_42"})
    assert assigned.status_code == 200, assigned.text
    resolved = api.put(
        f"/api/escalation/{ticket_id}",
        json={
            "status": "resolved",
            "resolution_notes": "Reset the password with the customer",
            "customer_satisfaction": 4,
        },
    )
    assert resolved.status_code == 200, resolved.text
    final = api.get(f"/api/escalation/{ticket_id}").json()
    check(final, TICKET | {"customer_id": Opt(str)})
    assert (final["status"], final["assigned_agent"], final["customer_satisfaction"]) == ("resolved", "agent_42", 4)
    assert final["resolution_notes"] == "Reset the password with the customer"
    assert final["updated_at"] >= final["created_at"]

    closed = api.delete("/api/session/sess_abc123")
    assert closed.status_code == 200, closed.text
    check(closed.json(), {"message": "Session closed successfully", "session_id": "sess_abc123", "archived_at": iso})
    assert api.get("/api/session/sess_abc123").json()["status"] == "closed"
    # Checked last, so the rest of the flow is verified whatever these say: the ticket and the session know each other.
    escalations = api.get("/api/session/sess_abc123").json()["escalations"]
    assert ticket_id in [e["ticket_id"] for e in escalations], "the session lists the ticket opened for it"
    assert read.json()["customer_id"] == "cust_xyz789", "the ticket names the session's customer"


def test_the_documented_example_escalates_on_negative_sentiment(api: httpx.Client) -> None:
    """The seed's example answer: a very frustrated customer is escalated with reason negative_sentiment."""
    answer = query(api, "I cannot access my account and I am very frustrated", "sess_example_neg", "cust_example")
    assert answer["sentiment_score"] < -0.3
    assert (answer["escalated"], answer["escalation_reason"]) == (True, "negative_sentiment"), answer
    ticket = api.get(f"/api/escalation/{answer['ticket_id']}")
    assert ticket.status_code == 200, ticket.text
    check(ticket.json(), TICKET | {"session_id": "sess_example_neg", "customer_id": "cust_example"})


def test_test_scenarios(api: httpx.Client) -> None:
    """The seed's three curl scenarios: simple, complex, negative sentiment."""
    simple = query(api, "What are your hours?", "test_1", "test_user")
    complex_ = query(
        api,
        "I need help with integrating your API with our enterprise system using OAuth 2.0 and handling webhook "
        "callbacks",
        "test_2",
        "test_user",
    )
    negative = query(api, "This is terrible! Nothing works and I am extremely frustrated!", "test_3", "test_user")
    assert complex_["complexity_score"] > simple["complexity_score"]
    assert negative["sentiment_score"] < -0.5
    assert negative["sentiment_score"] < simple["sentiment_score"]
    assert (negative["escalated"], negative["escalation_reason"]) == (True, "negative_sentiment"), negative


def test_repeated_query_is_served_from_cache(stack: Stack) -> None:
    """A company with a help article: the second identical question is answered from the response cache."""
    _, headers = tenant_key(stack)
    with client(stack, headers) as api:
        article = {
            "title": "Updating your billing address",
            "content": "To update your billing address, open Settings, choose Billing, edit the address and save.",
        }
        assert api.post("/api/v1/knowledge-base", json=article).status_code == 200
        first = query(api, "How do I update my billing address?", "sess_cache_1", "cust_cache")
        second = query(api, "How do I update my billing address?", "sess_cache_2", "cust_cache")
    assert first["cached"] is False
    assert second["cached"] is True
    assert second["response"] == first["response"]


def test_error_examples(api: httpx.Client, stack: Stack) -> None:
    missing = api.post("/api/query", json={"query": "Where is my order?", "session_id": "sess_err"})
    error = support_error(missing, 400, "VALIDATION_ERROR")
    assert "customer_id" in error["message"]
    support_error(api.get("/api/escalation/TKT-0000-999999"), 404, "NOT_FOUND_ERROR")
    support_error(api.get("/api/session/sess_never_opened"), 404, "NOT_FOUND_ERROR")
    anonymous = httpx.post(f"{stack.url}/api/query", json={"query": "hi", "session_id": "s", "customer_id": "c"})
    support_error(anonymous, 401, "AUTHENTICATION_ERROR")


def test_documented_rate_limits(api: httpx.Client) -> None:
    """Seed 001 "Limits": query 60, session 100, metrics 30 requests per minute, announced in X-RateLimit-*."""
    assert api.post("/api/session", json={"customer_id": "cust_rl", "session_id": "sess_rl"}).status_code == 200
    session_limit = api.get("/api/session/sess_rl").headers.get("X-RateLimit-Limit")
    query_limit = api.post(
        "/api/query", json={"query": "What are your hours?", "session_id": "sess_rl", "customer_id": "cust_rl"}
    ).headers.get("X-RateLimit-Limit")
    assert (query_limit, session_limit) == ("60", "100")


def test_python_sdk_example(stack: Stack) -> None:
    """The seed's CustomerSupportClient, with the base URL and API-key header added (httpx in place of requests)."""

    class CustomerSupportClient:
        def __init__(self, base_url: str = "http://localhost:8080", headers: dict[str, str] | None = None) -> None:
            self.base_url = base_url
            self.headers = headers or {}

        def query(self, text: str, session_id: str, customer_id: str) -> Any:
            response = httpx.post(
                f"{self.base_url}/api/query",
                json={"query": text, "session_id": session_id, "customer_id": customer_id},
                headers=self.headers,
                timeout=90,
            )
            return response.json()

        def create_escalation(self, session_id: str, reason: str, priority: str = "medium") -> Any:
            response = httpx.post(
                f"{self.base_url}/api/escalation",
                json={"session_id": session_id, "reason": reason, "priority": priority},
                headers=self.headers,
                timeout=90,
            )
            return response.json()

    sdk = CustomerSupportClient(stack.url, stack.auth())
    result = sdk.query("How do I reset my password?", "sess_123", "cust_456")
    check(result, QUERY_RESPONSE)
    assert result["response"].strip()
    ticket = sdk.create_escalation("sess_123", "manual_request")
    check(ticket, {"ticket_id": str, "session_id": "sess_123", "priority": "medium", "status": TICKET_STATUSES})


# -- documented, not built yet ----------------------------------------------------------------------------------
def test_metrics(api: httpx.Client) -> None:
    resp = built(api.get("/api/metrics", params={"timeframe": "day"}), "support_agent")
    assert resp.status_code == 200, resp.text
    rate_limited(resp)
    spec = {
        "timeframe": "day",
        "total_queries": int,
        "avg_response_time_ms": float,
        "model_usage": MapOf(int),
        "sentiment_distribution": {"positive": int, "neutral": int, "negative": int},
        "escalation_rate": Between(0, 1),
        "cache_hit_rate": Between(0, 1),
        "cost_metrics": {"total_cost": float, "cost_per_query": float, "cost_by_model": MapOf(float)},
    }
    metrics = resp.json()
    check(metrics, spec)
    assert metrics["total_queries"] >= 1
    assert sum(metrics["model_usage"].values()) <= metrics["total_queries"]


def test_session_metrics(api: httpx.Client) -> None:
    query(api, "Can I change my delivery address?", "sess_metrics", "cust_metrics")
    resp = built(api.get("/api/metrics/session/sess_metrics"), "support_agent")
    assert resp.status_code == 200, resp.text
    spec = {
        "session_id": "sess_metrics",
        "total_messages": int,
        "avg_sentiment": Between(-1, 1),
        "avg_complexity": Between(0, 1),
        "models_used": Each(str, min_len=1),
        "total_response_time_ms": int,
        "escalated": bool,
        "satisfaction_score": Opt(float),
    }
    check(resp.json(), spec)
    assert resp.json()["total_messages"] >= 2


def test_status(api: httpx.Client) -> None:
    resp = built(api.get("/api/status"), "support_agent")
    assert resp.status_code == 200, resp.text
    spec = {
        "system_status": str,
        "active_sessions": int,
        "queue_length": int,
        "avg_response_time_ms": float,
        "error_rate": Between(0, 1),
        "last_deployment": str,
        "maintenance_window": Opt(str),
    }
    check(resp.json(), spec)


def test_test_endpoints(api: httpx.Client) -> None:
    simulated = built(
        api.post("/api/test/query", json={"query": "What are your hours?", "session_id": "t", "customer_id": "c"}),
        "support_agent",
    )
    assert simulated.status_code == 200, simulated.text
    check(simulated.json(), QUERY_RESPONSE)
    ticket = built(api.post("/api/test/escalation", json={}), "support_agent")
    assert ticket.status_code == 200, ticket.text
    check(ticket.json(), {"ticket_id": str, "status": TICKET_STATUSES})
    metrics = built(api.get("/api/test/metrics"), "support_agent")
    assert metrics.status_code == 200, metrics.text
    check(metrics.json(), {"total_queries": int, "model_usage": MapOf(int)})


def test_webhooks(api: httpx.Client) -> None:
    with WebhookSink().running() as sink:
        events = ["escalation.created", "session.closed"]
        hook_id, _ = register_webhook(api, "support_agent", sink.url, events)
        api.post("/api/session", json={"customer_id": "cust_hook", "session_id": "sess_hook"})
        api.post("/api/escalation", json={"session_id": "sess_hook", "reason": "manual_request", "priority": "low"})
        api.delete("/api/session/sess_hook")
        _, created = sink.wait_for("escalation.created")
        check(created, WEBHOOK_PAYLOAD)
        data = {"ticket_id": str, "session_id": "sess_hook", "customer_id": "cust_hook", "priority": "low"}
        check(created["data"], data | {"reason": "manual_request"})
        _, closed = sink.wait_for("session.closed")
        check(closed, WEBHOOK_PAYLOAD)
        spec = {"session_id": "sess_hook", "customer_id": "cust_hook", "duration_minutes": int}
        # The ticket was opened by POST /api/escalation (in the escalation service): the session counts as escalated.
        check(closed["data"], spec | {"message_count": int, "escalated": True})
        unregister_webhook(api, hook_id)
