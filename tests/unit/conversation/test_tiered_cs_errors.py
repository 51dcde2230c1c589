"""Seed 002's error bodies name the fields as the caller sent them (targetTier, startDate), while the services name
the contract's own (target_tier, start_date): the tiered_cs envelope renders one as the other."""

from __future__ import annotations

from tests.unit.conversation.conftest import TENANT, Platform


async def test_a_refused_escalation_names_the_seeds_fields(platform: Platform) -> None:
    c, h = platform.client, platform.headers
    started = await c.post("/cs/sessions", json={"companyId": TENANT, "customerId": "c", "channel": "chat"}, headers=h)
    sid = started.json()["id"]
    resp = await c.post(
        f"/cs/sessions/{sid}/escalate", json={"reason": "COMPLEX_ISSUE", "targetTier": "AI_REP"}, headers=h
    )
    assert resp.status_code == 400
    assert resp.json() == {
        "error": {
            "code": "CS_004",
            "message": "cannot escalate from AI_REP to AI_REP",
            "details": {"field": "targetTier", "currentTier": "AI_REP", "targetTier": "AI_REP"},
        }
    }


async def test_a_bad_date_bound_names_the_seeds_field(platform: Platform) -> None:
    params = {"companyId": TENANT, "startDate": "2000-01-01", "endDate": "yesterday"}
    resp = await platform.client.get("/cs/sessions", params=params, headers=platform.headers)
    assert resp.status_code == 400
    assert resp.json() == {
        "error": {
            "code": "CS_008",
            "message": "endDate must be an ISO 8601 date",
            "details": {"endDate": "ISO 8601 date or datetime"},
        }
    }
