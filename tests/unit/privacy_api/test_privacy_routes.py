"""Seed 000 privacy endpoints via gateway + privacy on MemoryBus: seed example, vault round trip, audit, bad input."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.privacy_api.conftest import API_KEY, Platform

AUTH = {"Authorization": f"Bearer {API_KEY}"}
SEED_TEXT = "Hi, my name is John Smith and my account number is 1234567890. My phone number is 555-123-4567."
SEED_ANONYMIZED = "Hi, my name is [NAME_1] and my account number is [ACCOUNT_NUMBER_1]. My phone number is [PHONE_1]."


def _audits(platform: Platform) -> list[dict[str, Any]]:
    return [e for e in platform.events() if e["type"] == "privacy.VaultAccessed.v1"]


async def test_seed_example_exactly(platform: Platform) -> None:
    resp = await platform.client.post(
        "/api/v1/privacy/anonymize", json={"text": SEED_TEXT, "keep_mapping": True}, headers=AUTH
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert set(body) == {"error", "status_code", "data", "timestamp"}
    assert body["error"] is False and body["status_code"] == 200
    assert body["data"] == {
        "anonymized_text": SEED_ANONYMIZED,
        "mapping": {"[NAME_1]": "John Smith", "[ACCOUNT_NUMBER_1]": "XXXXXX7890", "[PHONE_1]": "XXX-XXX-4567"},
        "pii_detected": ["name", "account_number", "phone_number"],
    }


async def test_mapping_only_on_request_and_counts_event(platform: Platform) -> None:
    resp = await platform.client.post("/api/v1/privacy/anonymize", json={"text": SEED_TEXT}, headers=AUTH)
    assert resp.status_code == 200, resp.text
    assert resp.json()["data"] == {
        "anonymized_text": SEED_ANONYMIZED,
        "pii_detected": ["name", "account_number", "phone_number"],
    }
    counts = [e["data"] for e in platform.events() if e["type"] == "privacy.PiiDetected.v1"]
    assert counts == [
        {
            "counts": {"name": 1, "account_number": 1, "phone_number": 1},
            "total": 3,
            "stored": False,
            "source_request_id": counts[0]["source_request_id"],
        }
    ]
    assert "John" not in str(platform.events())


async def _anonymize_and_store(platform: Platform, text: str = SEED_TEXT) -> dict[str, Any]:
    resp = await platform.client.post(
        "/api/v1/privacy/anonymize", json={"text": text, "store_originals": True}, headers=AUTH
    )
    assert resp.status_code == 200, resp.text
    data: dict[str, Any] = resp.json()["data"]
    return data


async def test_round_trip_restores_text_for_reviewer_and_is_audited(platform: Platform) -> None:
    stored = await _anonymize_and_store(platform)
    assert stored["anonymized_text"] == SEED_ANONYMIZED and "mapping" not in stored
    assert stored["token"].startswith("pii_")
    reviewer = await platform.user("reviewer")

    resp = await platform.client.post("/api/v1/privacy/deanonymize", json={"token": stored["token"]}, headers=reviewer)
    assert resp.status_code == 200, resp.text
    data = resp.json()["data"]
    assert data["text"] == SEED_TEXT
    assert data["originals"] == {
        "[NAME_1]": "John Smith",
        "[ACCOUNT_NUMBER_1]": "1234567890",
        "[PHONE_1]": "555-123-4567",
    }

    # A text holding the same placeholders (e.g. an LLM reply) is restored from the same entry.
    reply = "Thanks [NAME_1], we will call [PHONE_1]; [EMAIL_9] stays."
    resp = await platform.client.post(
        "/api/v1/privacy/deanonymize", json={"token": stored["token"], "text": reply}, headers=reviewer
    )
    assert resp.json()["data"]["text"] == "Thanks John Smith, we will call 555-123-4567; [EMAIL_9] stays."

    audits = _audits(platform)
    assert [a["data"]["outcome"] for a in audits] == ["granted", "granted"]
    event = audits[0]
    assert event["data"]["token"] == stored["token"] and event["data"]["tenant_id"] == "default"
    assert event["data"]["actor_kind"] == "user" and event["data"]["actor_roles"] == ["reviewer"]
    assert event["data"]["actor_id"].startswith("user-") and event["data"]["placeholders"] == 3
    assert event["tenantid"] == "default" and event["subject"] == stored["token"]
    assert "John" not in str(audits) and "1234567890" not in str(audits)


async def test_analyst_is_refused_with_403_and_the_attempt_is_audited(platform: Platform) -> None:
    stored = await _anonymize_and_store(platform)
    analyst = await platform.user("analyst")
    resp = await platform.client.post("/api/v1/privacy/deanonymize", json={"token": stored["token"]}, headers=analyst)
    assert resp.status_code == 403
    body = resp.json()
    assert body["error"] is True and body["status_code"] == 403 and body["message"] == "Insufficient permissions"
    assert "reviewer" in body["details"]["required_roles"]
    assert "John" not in resp.text
    [audit] = _audits(platform)
    assert audit["data"]["outcome"] == "denied" and audit["data"]["actor_roles"] == ["analyst"]
    assert "placeholders" not in audit["data"]


async def test_unknown_token_is_404_and_audited(platform: Platform) -> None:
    reviewer = await platform.user("reviewer")
    token = "pii_" + "0" * 32
    resp = await platform.client.post("/api/v1/privacy/deanonymize", json={"token": token}, headers=reviewer)
    assert resp.status_code == 404 and resp.json()["details"] == {"token": token}
    assert [a["data"]["outcome"] for a in _audits(platform)] == ["not_found"]


async def test_text_without_pii_stores_nothing(platform: Platform) -> None:
    data = await _anonymize_and_store(platform, "The parcel arrived on time, thanks a lot.")
    assert data == {"anonymized_text": "The parcel arrived on time, thanks a lot.", "pii_detected": []}


SEED_FAIRNESS = {
    "data": [
        {"age_group": "18-30", "gender": "female", "satisfaction_score": 4, "resolved": True},
        {"age_group": "31-45", "gender": "male", "satisfaction_score": 5, "resolved": True},
        {"age_group": "46-60", "gender": "non-binary", "satisfaction_score": 3, "resolved": False},
    ],
    "attributes": ["age_group", "gender"],
    "outcome_columns": ["satisfaction_score", "resolved"],
}


async def test_fairness_seed_example_shape(platform: Platform) -> None:
    resp = await platform.client.post("/api/v1/fairness/analyze", json=SEED_FAIRNESS, headers=AUTH)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["error"] is False and body["status_code"] == 200 and "timestamp" in body
    data = body["data"]
    assert set(data) == {"fairness_score", "detailed_findings", "recommendations"}
    assert 0 <= data["fairness_score"] <= 1
    pairs = [(f["attribute"], f["outcome"]) for f in data["detailed_findings"]]
    assert pairs == [
        ("age_group", "satisfaction_score"),
        ("age_group", "resolved"),
        ("gender", "satisfaction_score"),
        ("gender", "resolved"),
    ]
    first = data["detailed_findings"][0]
    assert first["disparities"]["18-30"] == {"average": 4.0, "sample_size": 1, "insufficient_sample": True}
    assert first["disparity_score"] == 0.6 and first["concern_level"] == "medium"
    assert data["detailed_findings"][1]["disparities"]["46-60"]["rate"] == 0.0
    assert all(isinstance(r, str) and r for r in data["recommendations"])


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "text"),
        ({"text": ""}, "text"),
        ({"text": "   \n"}, "text"),
        ({"text": 42}, "text"),
        ({"text": "ok", "keep_mapping": "yes"}, "keep_mapping"),
        ({"text": "ok", "surprise": 1}, "surprise"),
    ],
    ids=["missing", "empty", "blank", "not-a-string", "wrong-type", "unknown-field"],
)
async def test_bad_anonymize_input_is_400_naming_the_field(
    platform: Platform, body: dict[str, Any], field: str
) -> None:
    resp = await platform.client.post("/api/v1/privacy/anonymize", json=body, headers=AUTH)
    assert resp.status_code == 400, resp.text
    payload = resp.json()
    assert payload["error"] is True and payload["status_code"] == 400 and field in payload["details"]


async def test_one_megabyte_text_is_413(platform: Platform) -> None:
    text = "é" * 600_000  # 1.2 MB of UTF-8 in 600k characters: the byte size is what counts
    resp = await platform.client.post("/api/v1/privacy/anonymize", json={"text": text}, headers=AUTH)
    assert resp.status_code == 413
    payload = resp.json()
    assert payload["error"] is True and payload["status_code"] == 413
    assert payload["details"]["max_bytes"] == 1_048_576 and "text" in payload["details"]


async def test_non_utf8_body_is_400(platform: Platform) -> None:
    raw = b'{"text": "caf\xe9 ok"}'
    headers = AUTH | {"Content-Type": "application/json"}
    resp = await platform.client.post("/api/v1/privacy/anonymize", content=raw, headers=headers)
    assert resp.status_code == 400
    assert resp.json()["error"] is True and resp.json()["status_code"] == 400


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"token": "not-a-token"}, "token"),
        ({}, "token"),
        ({"token": "pii_" + "a" * 32, "text": ""}, "text"),
    ],
    ids=["malformed-token", "missing-token", "empty-text"],
)
async def test_bad_deanonymize_input_is_400(platform: Platform, body: dict[str, Any], field: str) -> None:
    resp = await platform.client.post("/api/v1/privacy/deanonymize", json=body, headers=AUTH)
    assert resp.status_code == 400 and field in resp.json()["details"]


def _fairness(**changes: Any) -> dict[str, Any]:
    return SEED_FAIRNESS | changes


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        (_fairness(data=[]), "data", "at least 1"),
        (_fairness(attributes=["region"]), "attributes", "region"),
        (_fairness(outcome_columns=["nps"]), "outcome_columns", "nps"),
        (
            _fairness(data=[{"g": "a", "y": "good"}, {"g": "b", "y": "bad"}], attributes=["g"], outcome_columns=["y"]),
            "outcome_columns",
            "numeric",
        ),
        (
            _fairness(data=[{"g": "a", "y": 1}, {"g": "a", "y": 2}], attributes=["g"], outcome_columns=["y"]),
            "attributes",
            "at least two",
        ),
        (_fairness(attributes=[]), "attributes", "at least 1"),
        (_fairness(data="rows"), "data", "list"),
        (_fairness(min_sample_size=0), "min_sample_size", "greater than"),
    ],
    ids=[
        "empty-data",
        "missing-attribute",
        "missing-outcome",
        "non-numeric",
        "single-group",
        "no-attributes",
        "data-not-a-list",
        "bad-min-sample",
    ],
)
async def test_bad_fairness_input_is_400_naming_the_problem(
    platform: Platform, body: dict[str, Any], field: str, words: str
) -> None:
    resp = await platform.client.post("/api/v1/fairness/analyze", json=body, headers=AUTH)
    assert resp.status_code == 400, resp.text
    payload = resp.json()
    assert payload["error"] is True and payload["status_code"] == 400
    assert words in payload["details"][field]


async def test_endpoints_need_authentication(platform: Platform) -> None:
    for path, body in [
        ("/api/v1/privacy/anonymize", {"text": SEED_TEXT}),
        ("/api/v1/privacy/deanonymize", {"token": "pii_" + "a" * 32}),
        ("/api/v1/fairness/analyze", SEED_FAIRNESS),
    ]:
        resp = await platform.client.post(path, json=body)
        assert resp.status_code == 401 and resp.json()["error"] is True


async def test_another_tenants_token_is_not_found(platform: Platform) -> None:
    stored = await _anonymize_and_store(platform)
    body = {"name": "acme reviewer", "roles": ["reviewer"], "tenant_id": "acme"}
    created = await platform.client.post("/api/v1/api-keys", json=body, headers=AUTH)
    assert created.status_code == 201, created.text
    acme = {"Authorization": f"Bearer {created.json()['data']['api_key']}"}
    resp = await platform.client.post("/api/v1/privacy/deanonymize", json={"token": stored["token"]}, headers=acme)
    assert resp.status_code == 404 and "John" not in resp.text
    [audit] = _audits(platform)
    assert audit["data"]["outcome"] == "not_found" and audit["data"]["tenant_id"] == "acme"
