"""Issue 20 #4: every free-form object (metadata, context, preferences, data, config) is bounded in size, depth
and number range; a request past a bound is a 400 in the dialect's envelope naming the field, never a 5xx."""

from __future__ import annotations

import json
from typing import Any

import pytest

from services.gateway.input_policy import MAX_BYTES, MAX_DEPTH, MAX_KEYS, check_json
from tests.unit.gateway.conftest import API_KEY, Platform

AUTH = {"X-API-Key": API_KEY}


def nested(levels: int) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for _ in range(levels):
        value = {"n": value}
    return value


BAD = {
    "int-beyond-64-bits": {"n": 123456789012345678901234567890},
    "negative-beyond-64-bits": {"n": [-(2**63) - 1]},
    "nested-300": nested(300),
    "over-size": {"blob": "x" * (MAX_BYTES + 1)},
    "long-key": {"k" * 300: 1},
    # Valid JSON ("\\udb42"), not valid Unicode: pydantic lets it through in keys; schemathesis found it as a 500.
    "lone-surrogate-key": {"\udb42x": [1]},
    "lone-surrogate-value": {"k": ["\udb42"]},
}

# (method, path, a body that is valid apart from the free-form field, that field's name)
ENDPOINTS: list[tuple[str, str, dict[str, Any], str]] = [
    ("POST", "/api/v1/review/queue", {"query": "q", "response": "r"}, "metadata"),
    ("POST", "/api/v1/generate/response", {"query": "q", "customer_id": "c1"}, "context"),
    ("POST", "/api/v1/ai/generate", {"prompt": "hi"}, "context"),
    ("POST", "/cs/sessions", {"customerId": "c1", "channel": "chat"}, "metadata"),
    ("PUT", "/cs/config", {"companyId": "default"}, "settings"),
    ("POST", "/api/v1/knowledge-base", {"title": "t", "content": "c"}, "metadata"),
    ("POST", "/api/v1/conversations", {"message": "m", "user_id": "u1"}, "metadata"),
    ("POST", "/crm/create_user", {"name": "n", "email": "a@b.io"}, "preferences"),
    ("POST", "/chat", {"message": "m"}, "context"),
]


@pytest.mark.parametrize("bad", list(BAD), ids=list(BAD))
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[f"{m} {p}" for m, p, _, _ in ENDPOINTS])
async def test_free_form_objects_past_a_bound_are_400_naming_the_field(
    platform: Platform, endpoint: tuple[str, str, dict[str, Any], str], bad: str
) -> None:
    method, path, body, field = endpoint
    # Encoded here, ASCII-escaped: httpx's own encoder cannot write a lone surrogate, a client's JSON can.
    content = json.dumps({**body, field: BAD[bad]})
    headers = {**AUTH, "Content-Type": "application/json"}
    resp = await platform.client.request(method, path, content=content, headers=headers)
    assert resp.status_code == 400, resp.text
    if path == "/cs/config":  # the config is the whole body; seed 002's envelope names it as such
        assert resp.json()["error"]["code"] == "CS_008" and "body" in resp.json()["error"]["details"]
    else:
        assert field in resp.text


MAPS = [e for e in ENDPOINTS if e[1] != "/cs/config"]  # the config is typed (CsSettingsPatch), not a free-form map


@pytest.mark.parametrize("endpoint", MAPS, ids=[f"{m} {p}" for m, p, _, _ in MAPS])
async def test_free_form_maps_past_the_contracts_key_bound_are_400(
    platform: Platform, endpoint: tuple[str, str, dict[str, Any], str]
) -> None:
    """The contracts bound a documented free-form map to MAX_KEYS keys (maxProperties): the gateway refuses more."""
    method, path, body, field = endpoint
    fits = {f"k{i}": i for i in range(MAX_KEYS)}
    resp = await platform.client.request(method, path, json={**body, field: {**fits, "one": "more"}}, headers=AUTH)
    assert resp.status_code == 400 and field in resp.text, resp.text
    assert "keys" in resp.text


async def test_fairness_cells_are_scalars(platform: Platform) -> None:
    body = {"data": [{"g": "a", "y": {"nested": 1}}], "attributes": ["g"], "outcome_columns": ["y"]}
    resp = await platform.client.post("/api/v1/fairness/analyze", json=body, headers=AUTH)
    assert resp.status_code == 400, resp.text
    assert resp.json()["details"] and all(key.startswith("data.0.y") for key in resp.json()["details"])


async def test_fairness_rows_are_bounded_too(platform: Platform) -> None:
    body = {"data": [{"g": "a", "y": 2**70}], "attributes": ["g"], "outcome_columns": ["y"]}
    resp = await platform.client.post("/api/v1/fairness/analyze", json=body, headers=AUTH)
    assert resp.status_code == 400 and resp.json()["details"].keys() == {"data"}


def test_check_json_accepts_what_fits() -> None:
    ok = {"a": [1, 2.5, True, None, "x"], "b": nested(MAX_DEPTH - 2), "c": 2**63 - 1, "d": -(2**63)}
    assert check_json(ok) is ok
    with pytest.raises(ValueError, match="deeper"):
        check_json(nested(100_000))  # iterative: no RecursionError however deep
    with pytest.raises(ValueError, match="finite"):
        check_json({"x": float("inf")})
