"""Seed 002 GET/PUT /cs/config through the gateway and the escalation service: the documented defaults, partial
updates deep-merged, validation, and the CS_005 / CS_008 / CS_009 errors in the tiered-cs envelope."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.unit.escalation_api.conftest import KEY_AUTH, TENANT, Platform

# The seed 002 GET /config example, with this tenant as the company.
SEED_CONFIG: dict[str, Any] = {
    "companyId": TENANT,
    "enabled": True,
    "tiers": {
        "aiRep": {
            "enabled": True,
            "capabilities": {
                "canProcessRefunds": False,
                "maxRefundAmount": 0,
                "canModifySubscription": False,
                "canApplyCredits": True,
                "maxCreditAmount": 10,
            },
            "responseGuidelines": {"tone": "friendly", "maxResponseLength": 200},
        },
        "aiManager": {
            "enabled": True,
            "capabilities": {
                "canProcessRefunds": True,
                "maxRefundAmount": 100,
                "canModifySubscription": True,
                "canApplyCredits": True,
                "maxCreditAmount": 50,
            },
        },
        "humanAgent": {"enabled": True, "escalationPhone": "+14155559999", "notifyOnEscalation": True},
    },
    "irateProtocol": {
        "enabled": True,
        "detectionThreshold": 0.7,
        "triggerKeywords": ["angry", "furious", "unacceptable"],
        "autoEscalate": {"enabled": True, "afterAttempts": 2, "targetTier": "AI_MANAGER"},
    },
}


async def _get(platform: Platform, company_id: str | None = TENANT, headers: dict[str, str] = KEY_AUTH) -> Any:
    params = {"companyId": company_id} if company_id is not None else {}
    return await platform.client.get("/cs/config", params=params, headers=headers)


async def _put(platform: Platform, body: Any, headers: dict[str, str] = KEY_AUTH) -> Any:
    return await platform.client.put("/cs/config", json=body, headers=headers)


def _assert_cs_error(resp: Any, status: int, code: str) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code and "cs_code" not in body["error"]["details"]
    return dict(body["error"])


async def test_a_new_company_gets_the_documented_config(platform: Platform) -> None:
    resp = await _get(platform)
    assert resp.status_code == 200
    assert resp.json() == SEED_CONFIG


async def test_seed_update_deep_merges_and_persists(platform: Platform) -> None:
    body = {"companyId": TENANT, "enabled": True, "tiers": {"aiRep": {"capabilities": {"maxCreditAmount": 15}}}}
    resp = await _put(platform, body)
    assert resp.status_code == 200
    expected = copy.deepcopy(SEED_CONFIG)
    expected["tiers"]["aiRep"]["capabilities"]["maxCreditAmount"] = 15
    assert resp.json() == expected  # every sibling survived the partial update
    assert (await _get(platform)).json() == expected
    # A second patch merges over the first; lists replace rather than append.
    patch = {"companyId": TENANT, "irateProtocol": {"triggerKeywords": ["Livid"], "autoEscalate": {"afterAttempts": 3}}}
    merged = (await _put(platform, patch)).json()
    assert merged["tiers"]["aiRep"]["capabilities"]["maxCreditAmount"] == 15
    assert merged["irateProtocol"]["triggerKeywords"] == ["livid"]
    assert merged["irateProtocol"]["autoEscalate"] == {"enabled": True, "afterAttempts": 3, "targetTier": "AI_MANAGER"}


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"enabled": "yes"}, "enabled"),
        ({"tiers": {"aiRep": {"capabilities": {"maxCreditAmount": -1}}}}, "tiers.aiRep.capabilities.maxCreditAmount"),
        ({"tiers": {"aiRep": {"capabilities": {"maxRefundAmount": "10"}}}}, "tiers.aiRep.capabilities.maxRefundAmount"),
        ({"irateProtocol": {"detectionThreshold": 1.5}}, "irateProtocol.detectionThreshold"),
        ({"irateProtocol": {"autoEscalate": {"afterAttempts": 2.5}}}, "irateProtocol.autoEscalate.afterAttempts"),
        ({"irateProtocol": {"autoEscalate": {"targetTier": "AI_REP"}}}, "irateProtocol.autoEscalate.targetTier"),
        ({"tiers": {"humanAgent": {"escalationPhone": "call me"}}}, "tiers.humanAgent.escalationPhone"),
        (
            {"tiers": {"aiManager": {"capabilities": {"maxCreditAmount": 5}}}},
            "tiers.aiManager.capabilities.maxCreditAmount",
        ),
        ({"tiers": {"robot": {}}}, "tiers.robot"),
        # the contract's own snake_case names are no seed 002 fields
        (
            {"tiers": {"aiRep": {"capabilities": {"max_credit_amount": 5}}}},
            "tiers.aiRep.capabilities.max_credit_amount",
        ),
    ],
    ids=[
        "bool",
        "negative",
        "string-number",
        "threshold",
        "fraction",
        "target",
        "phone",
        "below-rep",
        "unknown",
        "snake",
    ],
)
async def test_bad_values_are_400_cs_008_naming_the_field(
    platform: Platform, patch: dict[str, Any], field: str
) -> None:
    error = _assert_cs_error(await _put(platform, {"companyId": TENANT, **patch}), 400, "CS_008")
    assert error["details"]["field"] == field and field in error["message"]
    assert (await _get(platform)).json() == SEED_CONFIG  # a refused update changes nothing


async def test_malformed_bodies_are_400(platform: Platform) -> None:
    _assert_cs_error(await _put(platform, ["not", "an", "object"]), 400, "CS_008")
    resp = await platform.client.put(
        "/cs/config", content=b"{", headers={**KEY_AUTH, "Content-Type": "application/json"}
    )
    _assert_cs_error(resp, 400, "CS_008")
    _assert_cs_error(await _put(platform, {"companyId": 7}), 400, "CS_008")


async def test_missing_company_id_is_cs_005(platform: Platform) -> None:
    for resp in (await _get(platform, None), await _get(platform, ""), await _put(platform, {"enabled": False})):
        error = _assert_cs_error(resp, 400, "CS_005")
        assert error["message"] == "Missing company ID" and error["details"] == {"field": "companyId"}


async def test_another_company_is_403_cs_009(platform: Platform) -> None:
    error = _assert_cs_error(await _get(platform, "other-co"), 403, "CS_009")
    assert error["details"] == {"companyId": "other-co"}
    _assert_cs_error(await _put(platform, {"companyId": "other-co", "enabled": False}), 403, "CS_009")
    # Each company has its own config: another tenant's admin sees defaults, not this one's changes.
    await _put(platform, {"companyId": TENANT, "enabled": False})
    other_admin = await platform.user("admin", tenant_id="other-co")
    other = await _get(platform, "other-co", headers=other_admin)
    assert other.status_code == 200 and other.json() == {**SEED_CONFIG, "companyId": "other-co"}


async def test_only_admins_change_the_config(platform: Platform) -> None:
    agent = await platform.user("agent")
    assert (await _get(platform, headers=agent)).status_code == 200
    _assert_cs_error(await _put(platform, {"companyId": TENANT, "enabled": False}, headers=agent), 403, "CS_009")
    resp = await platform.client.get("/cs/config", params={"companyId": TENANT})
    _assert_cs_error(resp, 401, "UNAUTHORIZED")


async def test_a_null_escalation_phone_clears_it(platform: Platform) -> None:
    """null is a value here (the seed's escalationPhone is nullable): PUT it and the phone is gone, siblings stay."""
    body = {"companyId": TENANT, "tiers": {"humanAgent": {"escalationPhone": None}}}
    resp = await _put(platform, body)
    assert resp.status_code == 200, resp.text
    expected = copy.deepcopy(SEED_CONFIG)
    expected["tiers"]["humanAgent"]["escalationPhone"] = None
    assert resp.json() == expected
    assert (await _get(platform)).json() == expected
    phone = {"companyId": TENANT, "tiers": {"humanAgent": {"escalationPhone": "+14155550000"}}}
    assert (await _put(platform, phone)).json()["tiers"]["humanAgent"]["escalationPhone"] == "+14155550000"
