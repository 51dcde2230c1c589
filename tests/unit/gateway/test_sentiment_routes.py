"""Seed 000 sentiment endpoints answered over the bus by the sentiment service, and their bad-input envelopes."""

from __future__ import annotations

import pytest

from tests.unit.gateway.conftest import API_KEY, Platform

AUTH = {"Authorization": f"Bearer {API_KEY}"}


async def test_single_text_has_documented_shape(platform: Platform) -> None:
    resp = await platform.client.post(
        "/api/v1/analyze/sentiment",
        json={"text": "I'm very happy with your service and prompt response to my query.", "use_ai": True},
        headers=AUTH,
    )
    assert resp.status_code == 200, resp.text
    data = resp.json()["data"]
    assert data["sentiment"] == "positive" and data["positive"] > 0.8
    assert abs(data["positive"] + data["negative"] + data["neutral"] - 1) < 0.01
    assert 1 <= data["analysis"]["satisfaction_score"] <= 10
    assert isinstance(data["analysis"]["key_positives"], list)
    assert resp.headers["X-Rate-Limit-Limit"]


async def test_batch_has_results_and_summary(platform: Platform) -> None:
    body = {
        "conversations": [
            {"id": "conv-123", "text": "I've been trying to contact support for days with no response!"},
            {"id": "conv-124", "text": "Thank you for resolving my issue so quickly."},
        ]
    }
    resp = await platform.client.post("/api/v1/analyze/batch", json=body, headers=AUTH)
    assert resp.status_code == 200, resp.text
    data = resp.json()["data"]
    assert [r["id"] for r in data["results"]] == ["conv-123", "conv-124"]
    assert data["results"][0]["sentiment"] == "negative" and data["results"][1]["sentiment"] == "positive"
    assert data["summary"] == {"positive_count": 1, "negative_count": 1, "neutral_count": 0}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "text"),
        ({"text": ""}, "text"),
        ({"text": "   "}, "text"),
        ({"text": 42}, "text"),
        ({"text": "x" * 100_000}, "text"),
        ({"text": "ok", "surprise": 1}, "surprise"),
        ({"text": "ok", "use_ai": "maybe"}, "use_ai"),
    ],
    ids=["missing", "empty", "blank", "not-a-string", "100kb", "unknown-field", "wrong-type"],
)
async def test_bad_single_input_names_the_field(platform: Platform, body: dict[str, object], field: str) -> None:
    resp = await platform.client.post("/api/v1/analyze/sentiment", json=body, headers=AUTH)
    assert resp.status_code == 400
    payload = resp.json()
    assert payload["error"] is True and payload["status_code"] == 400
    assert field in payload["details"]


async def test_malformed_json_is_400(platform: Platform) -> None:
    resp = await platform.client.post(
        "/api/v1/analyze/sentiment", content=b'{"text": ', headers={**AUTH, "Content-Type": "application/json"}
    )
    assert resp.status_code == 400 and resp.json()["details"] == {"body": "Malformed JSON"}


async def test_oversized_batch_and_duplicate_ids_are_refused(platform: Platform) -> None:
    too_many = {"conversations": [{"id": str(i), "text": "hi"} for i in range(10_001)]}
    resp = await platform.client.post("/api/v1/analyze/batch", json=too_many, headers=AUTH)
    assert resp.status_code == 400 and "conversations" in resp.json()["details"]
    dupes = {"conversations": [{"id": "a", "text": "hi"}, {"id": "a", "text": "yo"}]}
    resp = await platform.client.post("/api/v1/analyze/batch", json=dupes, headers=AUTH)
    assert resp.status_code == 400 and "conversations" in resp.json()["details"]
    missing_text = {"conversations": [{"id": "a"}]}
    resp = await platform.client.post("/api/v1/analyze/batch", json=missing_text, headers=AUTH)
    assert resp.status_code == 400 and "conversations.0.text" in resp.json()["details"]
