"""POST /api/v1/ai/explain and GET /api/v1/visualizations/{id} through gateway + sentiment: the seed example's
shape, the page behind visualization_url (token or API credentials), and no way to another tenant's page."""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from services.gateway.clients.sentiment import token_tenant
from tests.unit.sentiment_api.platform import Platform

TEXT = "I am very satisfied with the quick approval process for my loan application."
SEED = {"model_name": "financial-sentiment-prod", "data": {"text": TEXT}, "explanation_method": "shap"}


async def _explain(platform: Platform, body: dict[str, Any] = SEED) -> dict[str, Any]:
    resp = await platform.client.post("/api/v1/ai/explain", json=body, headers=platform.headers)
    assert resp.status_code == 200, resp.text
    payload = resp.json()
    assert payload["error"] is False and payload["status_code"] == 200 and isinstance(payload["timestamp"], str)
    return dict(payload["data"])


def _path_and_token(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.path, parse_qs(parts.query)["token"][0]


async def test_seed_example_has_the_documented_shape(platform: Platform) -> None:
    data = await _explain(platform)
    assert data["prediction"]["sentiment"] == "positive"
    assert 0.5 < data["prediction"]["confidence"] <= 1
    explanation = data["explanation"]
    assert explanation["method"] == "shap"
    features = explanation["feature_importance"]
    assert features and all(set(f) == {"feature", "importance"} for f in features)
    assert all(isinstance(f["feature"], str) and isinstance(f["importance"], float) for f in features)
    assert [abs(f["importance"]) for f in features] == sorted((abs(f["importance"]) for f in features), reverse=True)
    assert max(features, key=lambda f: f["importance"])["feature"] == "satisfied"
    # Shapley efficiency: the importances add up to the prediction minus the empty-text baseline.
    total = sum(f["importance"] for f in features)
    assert math.isclose(total, data["prediction"]["confidence"] - explanation["base_value"], abs_tol=0.01)
    assert explanation["visualization_url"].startswith("http://gateway/api/v1/visualizations/exp-")
    assert data["model"] == "switchboard-sentiment"


async def test_the_visualization_link_opens_the_page_without_other_credentials(platform: Platform) -> None:
    data = await _explain(platform)
    resp = await platform.client.get(data["explanation"]["visualization_url"])
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"].startswith("text/html")
    assert (
        resp.headers["referrer-policy"] == "no-referrer"
        and "default-src 'none'" in resp.headers["content-security-policy"]
    )
    assert resp.text.startswith("<!DOCTYPE html>") and ">satisfied</span>" in resp.text and "positive" in resp.text


async def test_the_page_opens_with_api_credentials_of_the_same_tenant_only(platform: Platform) -> None:
    data = await _explain(platform)
    path, _ = _path_and_token(data["explanation"]["visualization_url"])
    own = await platform.client.get(path, headers=platform.headers)
    assert own.status_code == 200 and ">satisfied</span>" in own.text
    other = await platform.client.get(path, headers=await platform.tenant_headers("tenant-b"))
    assert other.status_code == 404 and other.json()["error"] is True
    assert "satisfied" not in other.text
    anonymous = await platform.client.get(path)
    assert anonymous.status_code == 401 and anonymous.json()["error"] is True


async def test_a_wrong_or_forged_token_is_404(platform: Platform) -> None:
    data = await _explain(platform)
    path, token = _path_and_token(data["explanation"]["visualization_url"])
    assert token_tenant(token) == "default"
    head, _, secret = token.partition(".")
    wrong_secret = f"{head}.{secret[::-1]}"
    # The tenant part re-encoded as another tenant, with the real secret: still not that tenant's page.
    other_tenant = "dGVuYW50LWI." + secret
    for bad in (wrong_secret, other_tenant, "not-a-token", secret):
        resp = await platform.client.get(path, params={"token": bad})
        assert resp.status_code == 404, (bad, resp.text)
        assert resp.json()["details"] == {"explanation_id": path.rsplit("/", 1)[1]}


async def test_an_unknown_page_is_404_and_the_token_opens_only_its_own_page(platform: Platform) -> None:
    first = await _explain(platform)
    second = await _explain(platform, {**SEED, "data": {"text": "The fees are outrageous."}})
    first_path, first_token = _path_and_token(first["explanation"]["visualization_url"])
    second_path, _ = _path_and_token(second["explanation"]["visualization_url"])
    assert first_path != second_path
    crossed = await platform.client.get(second_path, params={"token": first_token})
    assert crossed.status_code == 404
    missing = await platform.client.get("/api/v1/visualizations/exp-unknown", headers=platform.headers)
    assert missing.status_code == 404 and missing.json()["status_code"] == 404


async def test_intent_model_predicts_a_label(platform: Platform) -> None:
    body = {"model_name": "intent", "data": {"text": "My card has not arrived yet"}}
    data = await _explain(platform, body)
    assert data["prediction"]["label"] == "card_arrival" and "sentiment" not in data["prediction"]
    assert data["model"] == "switchboard-intent-banking77" and data["explanation"]["method"] == "shap"


async def test_unknown_model_is_404_naming_it(platform: Platform) -> None:
    body = {**SEED, "model_name": "no-such-model"}
    resp = await platform.client.post("/api/v1/ai/explain", json=body, headers=platform.headers)
    assert resp.status_code == 404, resp.text
    payload = resp.json()
    assert payload["error"] is True and payload["details"]["model_name"] == "no-such-model"
    assert "financial-sentiment-prod" in payload["details"]["known_models"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**SEED, "explanation_method": "lime"}, "explanation_method"),
        ({**SEED, "explanation_method": ""}, "explanation_method"),
        ({"data": {"text": TEXT}}, "model_name"),
        ({"model_name": "sentiment"}, "data"),
        ({"model_name": "sentiment", "data": {}}, "data.text"),
        ({"model_name": "sentiment", "data": {"text": ""}}, "data.text"),
        ({"model_name": "sentiment", "data": {"text": "x" * 100_000}}, "data.text"),
        ({"model_name": "sentiment", "data": {"text": TEXT, "extra": 1}}, "data.extra"),
    ],
)
async def test_bad_input_is_400_naming_the_field(platform: Platform, body: dict[str, Any], field: str) -> None:
    resp = await platform.client.post("/api/v1/ai/explain", json=body, headers=platform.headers)
    assert resp.status_code == 400, resp.text
    payload = resp.json()
    assert payload["error"] is True and payload["status_code"] == 400
    assert field in payload["details"], payload
