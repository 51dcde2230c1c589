"""Replays every seed 000 (CustomerAI Insights) example against the running stack: login, then each endpoint."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from tests.e2e.conftest import Stack
from tests.e2e.seed_examples import (
    Between,
    Each,
    MapOf,
    NotImplementedYet,
    OneOf,
    Opt,
    built,
    check,
    client,
    insights_error,
    insights_ok,
    iso,
    iso_date,
    login,
    naive_iso,
    recent_period,
)

pytestmark = pytest.mark.e2e

SENTIMENTS = OneOf("positive", "negative", "neutral")
SHARE = Between(0, 1)
PROBABILITIES = {"sentiment": SENTIMENTS, "positive": SHARE, "negative": SHARE, "neutral": SHARE}


@pytest.fixture(scope="module")
def api(stack: Stack) -> Iterator[httpx.Client]:
    """Every seed 000 call carries the JWT from /auth/login, as the seed documents."""
    with client(stack, login(stack)) as http:
        yield http


def _probabilities_agree(result: dict[str, float]) -> None:
    assert math.isclose(result["positive"] + result["negative"] + result["neutral"], 1.0, abs_tol=0.01)
    assert result["sentiment"] == max(("positive", "negative", "neutral"), key=lambda k: result[k])


def test_login(stack: Stack) -> None:
    creds = stack.credentials
    resp = httpx.post(
        f"{stack.url}/api/v1/auth/login",
        json={"username": creds["admin_email"], "password": creds["admin_password"]},
        timeout=30,
    )
    assert resp.status_code == 200, resp.text
    payload = resp.json()
    check(payload, {"error": False, "status_code": 200, "data": dict, "timestamp": naive_iso})
    check(payload["data"], {"token": str, "user_id": str, "roles": Each(str, min_len=1)})
    assert payload["data"]["token"].count(".") == 2  # a JWT


def test_wrong_password_and_missing_token_are_401(stack: Stack) -> None:
    bad = httpx.post(
        f"{stack.url}/api/v1/auth/login",
        json={"username": stack.credentials["admin_email"], "password": "not-the-password"},
        timeout=30,
    )
    insights_error(bad, 401)
    anonymous = httpx.post(f"{stack.url}/api/v1/analyze/sentiment", json={"text": "hello"}, timeout=30)
    insights_error(anonymous, 401)


def test_analyze_sentiment(api: httpx.Client) -> None:
    resp = api.post(
        "/api/v1/analyze/sentiment",
        json={"text": "I'm very happy with your service and prompt response to my query.", "use_ai": True},
    )
    data = insights_ok(resp)
    spec = PROBABILITIES | {"analysis": {"satisfaction_score": Between(0, 10), "key_positives": Each(str)}}
    check(data, spec)
    _probabilities_agree(data)
    assert data["sentiment"] == "positive"
    assert data["analysis"]["satisfaction_score"] >= 6
    assert data["analysis"]["key_positives"], "a clearly positive text names what was positive"


def test_analyze_batch(api: httpx.Client) -> None:
    resp = api.post(
        "/api/v1/analyze/batch",
        json={
            "conversations": [
                {"id": "conv-123", "text": "I've been trying to contact support for days with no response!"},
                {"id": "conv-124", "text": "Thank you for resolving my issue so quickly."},
            ]
        },
    )
    data = insights_ok(resp)
    check(data, {"results": Each({"id": str} | PROBABILITIES, min_len=2), "summary": dict})
    counts = {"positive_count": int, "negative_count": int, "neutral_count": int}
    check(data["summary"], counts)
    assert [r["id"] for r in data["results"]] == ["conv-123", "conv-124"]
    for result in data["results"]:
        _probabilities_agree(result)
    assert [r["sentiment"] for r in data["results"]] == ["negative", "positive"], data["results"]
    for label in ("positive", "negative", "neutral"):
        assert data["summary"][f"{label}_count"] == sum(r["sentiment"] == label for r in data["results"])


def test_generate_response(api: httpx.Client) -> None:
    resp = api.post(
        "/api/v1/generate/response",
        json={
            "query": "Can I get a personal loan with a credit score of 650?",
            "customer_id": "cust-456",
            "context": {"previous_interactions": 3, "account_type": "savings"},
        },
    )
    data = insights_ok(resp)
    check(
        data,
        {
            "response": str,
            "category": str,
            "requires_human_review": bool,
            "confidence": Between(0, 1),
            "alternative_responses": Each(str),
        },
    )
    assert data["response"].strip()
    assert data["category"].strip()


def test_privacy_anonymize(api: httpx.Client) -> None:
    text = "Hi, my name is John Smith and my account number is 1234567890. My phone number is 555-123-4567."
    data = insights_ok(api.post("/api/v1/privacy/anonymize", json={"text": text, "keep_mapping": True}))
    check(data, {"anonymized_text": str, "mapping": MapOf(str), "pii_detected": Each(str, min_len=1)})
    anonymized = data["anonymized_text"]
    for secret in ("John Smith", "1234567890", "555-123-4567"):
        assert secret not in anonymized
    assert data["mapping"], "keep_mapping=true returns the placeholder mapping"
    for placeholder in data["mapping"]:
        assert placeholder in anonymized
    assert {"name", "account_number", "phone_number"} <= set(data["pii_detected"])
    # The seed keeps only the last digits of account and phone numbers in the mapping.
    masked = [v for v in data["mapping"].values() if v.endswith("7890") or v.endswith("4567")]
    assert masked and all("1234567890" not in v and "555-123" not in v for v in masked)


def test_fairness_analyze(api: httpx.Client) -> None:
    resp = api.post(
        "/api/v1/fairness/analyze",
        json={
            "data": [
                {"age_group": "18-30", "gender": "female", "satisfaction_score": 4, "resolved": True},
                {"age_group": "31-45", "gender": "male", "satisfaction_score": 5, "resolved": True},
                {"age_group": "46-60", "gender": "non-binary", "satisfaction_score": 3, "resolved": False},
            ],
            "attributes": ["age_group", "gender"],
            "outcome_columns": ["satisfaction_score", "resolved"],
        },
    )
    data = insights_ok(resp)
    finding = {
        "attribute": OneOf("age_group", "gender"),
        "outcome": OneOf("satisfaction_score", "resolved"),
        "disparities": MapOf({"sample_size": int}),
        "disparity_score": Between(0, 1),
        "concern_level": OneOf("low", "medium", "high"),
    }
    findings = Each(finding, min_len=1)
    check(data, {"fairness_score": Between(0, 1), "detailed_findings": findings, "recommendations": Each(str)})
    satisfaction = next(
        f for f in data["detailed_findings"] if (f["attribute"], f["outcome"]) == ("age_group", "satisfaction_score")
    )
    check(satisfaction["disparities"], MapOf({"average": float, "sample_size": int}))
    assert satisfaction["disparities"]["46-60"]["average"] == pytest.approx(3.0)
    assert set(satisfaction["disparities"]) == {"18-30", "31-45", "46-60"}


def test_review_queue_then_decision(api: httpx.Client) -> None:
    queued = insights_ok(
        api.post(
            "/api/v1/review/queue",
            json={
                "query": "What stocks should I invest in for maximum returns?",
                "response": "Based on market trends, diversifying your portfolio across technology, healthcare, "
                "and energy sectors may provide balanced growth potential...",
                "category": "investment_advice",
                "priority": 2,
                "metadata": {"customer_id": "cust-789", "interaction_id": "int-456"},
            },
        )
    )
    check(queued, {"item_id": str, "status": "queued", "estimated_review_time": naive_iso})
    now = datetime.now(UTC).replace(tzinfo=None)
    assert datetime.fromisoformat(queued["estimated_review_time"]) > now
    decided = insights_ok(
        api.post(
            "/api/v1/review/decision",
            json={
                "item_id": queued["item_id"],
                "approved": True,
                "feedback": "Response includes proper disclaimers and balanced advice",
                "edits": {
                    "modified_response": "Based on market trends, diversifying your portfolio across technology, "
                    "healthcare, and energy sectors may provide balanced growth potential. However, please note "
                    "that all investments carry risk and past performance is not indicative of future results."
                },
            },
        )
    )
    check(decided, {"item_id": queued["item_id"], "status": "reviewed", "review_time": naive_iso, "reviewer_id": str})


def test_validation_error_example(api: httpx.Client) -> None:
    error = insights_error(api.post("/api/v1/analyze/sentiment", json={"use_ai": True}), 400)
    assert error["details"] == {"text": "Field is required"}


def test_ai_embed(api: httpx.Client) -> None:
    texts = [
        "What are the benefits of your premium credit card?",
        "How do I dispute a charge on my statement?",
        "Can I increase my credit limit?",
    ]
    # With no cloud provider configured only the local model (384 dimensions) exists: the seed's 1536 is a clear 400
    # naming the field (issue 5), and the same request without `dimensions` answers in the native size.
    refused = api.post("/api/v1/ai/embed", json={"texts": texts, "model": "embeddings", "dimensions": 1536})
    details = refused.json()["details"]
    assert refused.status_code == 400 and ("dimensions" in details or details.get("field") == "dimensions")
    data = insights_ok(api.post("/api/v1/ai/embed", json={"texts": texts, "model": "embeddings"}))
    check(data, {"embeddings": Each(Each(float, min_len=1), min_len=3), "model": str, "dimensions": 384})
    assert all(len(vector) == 384 for vector in data["embeddings"])


# -- analytics and ai/* (the ones not built yet are marked `pending`) ---------------------------------------
def _built(resp: httpx.Response) -> httpx.Response:
    return built(resp, "insights")


def test_analytics_summary(api: httpx.Client) -> None:
    start, end = recent_period()
    params = {"start_date": start, "end_date": end, "granularity": "daily"}
    data = insights_ok(_built(api.get("/api/v1/analytics/summary", params=params)))
    check(
        data,
        {
            "total_conversations": int,
            "sentiment_distribution": {"positive": Between(0, 1), "negative": Between(0, 1), "neutral": Between(0, 1)},
            "average_satisfaction": Opt(float),  # null until a rating is collected (issue 14)
            "response_time_avg": float,
            "resolution_rate": Between(0, 1),
            "timeline_data": Each({"date": iso_date, "conversations": int, "avg_sentiment": Opt(float)}),
            "top_issues": Each({"issue": str, "count": int, "sentiment": Opt(float)}),
        },
    )
    assert data["total_conversations"] >= 1  # the generate/response turn above is a conversation


def test_ai_generate(api: httpx.Client) -> None:
    resp = api.post(
        "/api/v1/ai/generate",
        json={
            "prompt": "Write a response to a customer who is asking about our premium credit card benefits.",
            "model": "gpt4o_financial",
            "max_tokens": 500,
            "temperature": 0.7,
            "system_prompt": "You are a helpful financial assistant with expertise in credit card benefits.",
            "stream": False,
            "context": {"customer_segment": "premium", "risk_profile": "low"},
        },
    )
    data = insights_ok(_built(resp))
    usage = {"prompt_tokens": int, "completion_tokens": int, "total_tokens": int}
    check(
        data,
        {"generated_text": str, "usage": usage, "model": str, "compliance_check": {"passed": bool, "flags": Each(str)}},
    )
    assert data["usage"]["total_tokens"] == data["usage"]["prompt_tokens"] + data["usage"]["completion_tokens"]
    assert data["generated_text"].strip()


def test_ai_classify(api: httpx.Client) -> None:
    categories = ["account_access", "transaction_issue", "balance_inquiry", "fee_dispute", "technical_support"]
    resp = api.post(
        "/api/v1/ai/classify",
        json={
            "text": "I'm having trouble accessing my account online after multiple attempts.",
            "categories": categories,
            "model": "claude_sonnet",
        },
    )
    data = insights_ok(_built(resp))
    check(data, {"classifications": MapOf(Between(0, 1)), "top_category": OneOf(*categories), "model": str})
    assert set(data["classifications"]) == set(categories)
    assert data["top_category"] == max(data["classifications"], key=data["classifications"].get)
    assert data["top_category"] == "account_access"


def test_ai_providers(api: httpx.Client) -> None:
    data = insights_ok(_built(api.get("/api/v1/ai/providers")))
    provider = {
        "id": str,
        "provider": str,
        "model": str,
        "compliance_level": str,
        "capabilities": Each(OneOf("text_generation", "embeddings", "classification"), min_len=1),
        "is_default": bool,
    }
    check(data, {"providers": Each(provider, min_len=1), "default_provider": str})
    defaults = [p["id"] for p in data["providers"] if p["is_default"]]
    assert defaults == [data["default_provider"]]


TRAINING_ROWS = [
    (f"{text} {suffix}".strip(), label)
    for label, texts in {
        "positive": ["the loan approval was quick and easy", "great service, thank you", "I am very satisfied"],
        "negative": ["my transfer failed again", "terrible fees, I am angry", "nobody answers my complaint"],
    }.items()
    for text in texts
    for suffix in ("", "today", "really", "this week")
]
# Seed 000's documented request with only the URIs changed: data comes from POST /api/v1/ai/datasets (s3:// needs
# configured S3 credentials, which the local stack has not).
TRAINING_REQUEST = {
    "base_model": "customerai-classifier",
    "hyperparameters": {"learning_rate": 2e-5, "epochs": 3, "batch_size": 16},
    "instance_count": 4,
    "instance_type": "ml.g4dn.xlarge",
}
JOB_STATUSES = OneOf("STARTING", "IN_PROGRESS", "COMPLETED", "FAILED", "CANCELLED")


def _upload_dataset(api: httpx.Client, rows: list[tuple[str, str]]) -> str:
    body = "text,label\n" + "".join(f"{text},{label}\n" for text, label in rows)
    resp = api.post("/api/v1/ai/datasets", files={"file": ("sentiment.csv", body.encode(), "text/csv")})
    data = insights_ok(_built(resp))
    check(data, {"uri": str, "rows": len(rows), "labels": {"negative": int, "positive": int}})
    return str(data["uri"])


def _train(api: httpx.Client) -> dict[str, object]:
    request = {
        **TRAINING_REQUEST,
        "training_data_uri": _upload_dataset(api, TRAINING_ROWS),
        "validation_data_uri": _upload_dataset(api, TRAINING_ROWS[::4]),
    }
    started = insights_ok(_built(api.post("/api/v1/ai/distributed-training", json=request)))
    spec = {"job_id": str, "status": JOB_STATUSES, "estimated_time": str, "model_output_uri": str, "logs_uri": str}
    check(started, spec)
    return started


def test_distributed_training_then_job_status(api: httpx.Client) -> None:
    started = _train(api)
    deadline = time.monotonic() + 120
    while True:
        job = insights_ok(_built(api.get(f"/api/v1/ai/training-job/{started['job_id']}")))
        if job["status"] in ("COMPLETED", "FAILED", "CANCELLED") or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    progress = {
        "current_epoch": int,
        "total_epochs": 3,
        "current_step": int,
        "total_steps": int,
        "metrics": MapOf(float),
    }
    check(job, {"job_id": started["job_id"], "status": "COMPLETED", "progress": progress})
    check(job.get("estimated_completion"), Opt(iso), "$.estimated_completion")
    assert 0 <= job["progress"]["current_step"] <= job["progress"]["total_steps"]
    assert "validation_accuracy" in job["progress"]["metrics"]


def test_ai_deploy(api: httpx.Client) -> None:
    started = _train(api)
    for _ in range(240):
        job = insights_ok(_built(api.get(f"/api/v1/ai/training-job/{started['job_id']}")))
        if job["status"] == "COMPLETED":
            break
        time.sleep(0.5)
    body = {
        "model_uri": started["model_output_uri"],
        "deployment_name": "e2e-sentiment",
        "deployment_strategy": "kubernetes",
        "replicas": 3,
        "auto_scaling": {"min_replicas": 2, "max_replicas": 10, "target_utilization": 70},
        "resource_requirements": {"cpu": "2", "memory": "4Gi", "gpu": "1"},
    }
    # No cluster is configured for the local stack: the documented kubernetes strategy is a clear 400 ...
    insights_error(_built(api.post("/api/v1/ai/deploy", json=body)), 400)
    # ... and the same request served locally works, with a real endpoint.
    data = insights_ok(_built(api.post("/api/v1/ai/deploy", json={**body, "deployment_strategy": "local"})))
    check(data, {"deployment_id": str, "status": str, "endpoint": str, "metrics_endpoint": str})
    for _ in range(100):
        state = insights_ok(_built(api.get(f"/api/v1/ai/deployments/{data['deployment_id']}")))
        if state["status"] != "CREATING":
            break
        time.sleep(0.2)
    assert state["status"] == "ACTIVE"
    predicted = insights_ok(_built(api.post(data["endpoint"], json={"text": "I am very satisfied, thank you"})))
    assert predicted["label"] in ("positive", "negative")
    assert math.isclose(sum(predicted["probabilities"].values()), 1.0, abs_tol=0.01)


def test_ai_explain(api: httpx.Client) -> None:
    resp = api.post(
        "/api/v1/ai/explain",
        json={
            "model_name": "financial-sentiment-prod",
            "data": {"text": "I am very satisfied with the quick approval process for my loan application."},
            "explanation_method": "shap",
        },
    )
    data = insights_ok(_built(resp))
    explanation = {
        "method": "shap",
        "feature_importance": Each({"feature": str, "importance": float}, min_len=1),
        "visualization_url": Opt(str),
    }
    check(data, {"prediction": {"sentiment": SENTIMENTS, "confidence": Between(0, 1)}, "explanation": explanation})
    assert data["prediction"]["sentiment"] == "positive"
    top = max(data["explanation"]["feature_importance"], key=lambda f: f["importance"])
    assert "satisf" in top["feature"] or "quick" in top["feature"]


def test_websocket_queue_update(stack: Stack, api: httpx.Client) -> None:
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    token = api.headers["Authorization"].removeprefix("Bearer ")
    url = stack.url.replace("http://", "ws://") + "/websocket"
    try:
        ws = connect(url, additional_headers={"Authorization": f"Bearer {token}"}, open_timeout=10)
    except InvalidStatus as exc:
        if exc.response.status_code in (403, 404) and not exc.response.body:
            raise NotImplementedYet("no WebSocket route at /websocket") from exc
        raise
    with ws:
        posted = time.monotonic()
        queued = api.post(
            "/api/v1/review/queue",
            json={"query": "Is this advice safe?", "response": "Please consult an advisor.", "priority": 1},
        )
        insights_ok(queued)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            event = json.loads(ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            kind = event.get("event") or event.get("type")
            assert kind in ("queue_update", "sentiment_alert", "system_status"), event
            if kind == "queue_update":
                print(f"\nqueue_update {(time.monotonic() - posted) * 1000:.0f} ms after POST /api/v1/review/queue")
                return
        pytest.fail("no queue_update event after queueing a review item")
