"""Seed 000 GET /api/v1/analytics/summary over the analytics service: numbers of a scripted day, bad input."""

from __future__ import annotations

import pytest

from tests.unit.analytics_api.conftest import AUTH, Platform

URL = "/api/v1/analytics/summary"
PERIOD = {"start_date": "2026-03-01", "end_date": "2026-03-04"}


async def test_summary_of_a_scripted_day(platform: Platform) -> None:
    await platform.traffic()
    resp = await platform.client.get(URL, params={**PERIOD, "granularity": "daily"}, headers=AUTH)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["error"] is False and body["status_code"] == 200
    data = body["data"]
    assert data["total_conversations"] == 4
    assert data["sentiment_distribution"] == {"positive": 0.75, "negative": 0.25, "neutral": 0.0}
    assert data["average_satisfaction"] == 4.0
    assert data["response_time_avg"] == 0.2
    assert data["resolution_rate"] == 0.5
    assert data["timeline_data"] == [
        {"date": "2026-03-02", "conversations": 2, "avg_sentiment": -0.15},
        {"date": "2026-03-03", "conversations": 2, "avg_sentiment": 0.5},
    ]
    assert data["top_issues"] == [{"issue": "billing", "count": 4, "sentiment": 0.175}]
    monthly = await platform.client.get(URL, params={**PERIOD, "granularity": "monthly"}, headers=AUTH)
    assert [p["date"] for p in monthly.json()["data"]["timeline_data"]] == ["2026-03-01"]


async def test_no_ratings_means_null_satisfaction_and_other_tenants_see_nothing(platform: Platform) -> None:
    await platform.traffic(ratings=False)
    await platform.traffic("other-tenant")
    data = (await platform.client.get(URL, params=PERIOD, headers=AUTH)).json()["data"]
    assert data["average_satisfaction"] is None and data["total_conversations"] == 4
    outsider = await platform.user("analyst", tenant_id="third-tenant")
    theirs = (await platform.client.get(URL, params=PERIOD, headers=outsider)).json()["data"]
    assert theirs["total_conversations"] == 0 and theirs["response_time_avg"] == 0.0


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start_date": "2026-03-05", "end_date": "2026-03-01"}, "end_date"),
        ({"start_date": "2020-01-01", "end_date": "2026-03-01"}, "end_date"),
        ({"start_date": "03/01/2026"}, "start_date"),
        ({"granularity": "hourly"}, "granularity"),
    ],
)
async def test_bad_input_is_400_naming_the_field(platform: Platform, params: dict[str, str], field: str) -> None:
    resp = await platform.client.get(URL, params=params, headers=AUTH)
    assert resp.status_code == 400, resp.text
    body = resp.json()
    assert body["error"] is True and body["status_code"] == 400 and body["details"]["field"] == field


async def test_agents_may_not_read_analytics(platform: Platform) -> None:
    resp = await platform.client.get(URL, headers=await platform.user("agent"))
    assert resp.status_code == 403
