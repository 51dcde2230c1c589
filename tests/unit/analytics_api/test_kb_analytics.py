"""Seed 003 GET /api/v1/analytics over the analytics service: metrics, the metrics filter, breakdown, bad input."""

from __future__ import annotations

import pytest

from tests.unit.analytics_api.conftest import AUTH, Platform

URL = "/api/v1/analytics"
PERIOD = {"start_date": "2026-03-01", "end_date": "2026-03-04"}


async def test_metrics_and_breakdown_of_a_scripted_day(platform: Platform) -> None:
    await platform.traffic()
    resp = await platform.client.get(URL, params={**PERIOD, "group_by": "day"}, headers=AUTH)
    assert resp.status_code == 200, resp.text
    assert resp.json() == {
        "period": {"start": "2026-03-01", "end": "2026-03-04"},
        "metrics": {
            "total_conversations": 4,
            "ai_resolved": 1,
            "escalated": 2,
            "resolution_rate": 0.25,
            "avg_response_time": 0.2,
            "customer_satisfaction": 4.0,
        },
        "daily_breakdown": [
            {"date": "2026-03-02", "conversations": 2, "resolution_rate": 0.5},
            {"date": "2026-03-03", "conversations": 2, "resolution_rate": 0.0},
        ],
    }
    params = {**PERIOD, "metrics": "escalated,customer_satisfaction,avg_response_time"}
    picked = (await platform.client.get(URL, params=params, headers=AUTH)).json()
    assert len(picked["metrics"]) == 6  # every figure; `metrics` picks the breakdown's
    assert picked["daily_breakdown"] == [
        {"date": "2026-03-02", "escalated": 1, "customer_satisfaction": 4.0, "avg_response_time": 0.2},
        {"date": "2026-03-03", "escalated": 1, "customer_satisfaction": None, "avg_response_time": 0.2},
    ]


async def test_without_ratings_satisfaction_is_null(platform: Platform) -> None:
    await platform.traffic(ratings=False)
    metrics = (await platform.client.get(URL, params=PERIOD, headers=AUTH)).json()["metrics"]
    assert metrics["customer_satisfaction"] is None


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"end_date": "2026-03-04"}, "start_date"),
        ({"start_date": "2026-03-01"}, "end_date"),
        ({"start_date": "2026-03-05", "end_date": "2026-03-01"}, "end_date"),
        ({"start_date": "2020-01-01", "end_date": "2026-03-01"}, "end_date"),
        ({"start_date": "not-a-date", "end_date": "2026-03-01"}, "start_date"),
        ({**PERIOD, "metrics": "conversations,happiness"}, "metrics"),
        ({**PERIOD, "group_by": "hour"}, "group_by"),
    ],
)
async def test_bad_input_is_400_in_the_kb_envelope(platform: Platform, params: dict[str, str], field: str) -> None:
    resp = await platform.client.get(URL, params=params, headers=AUTH)
    assert resp.status_code == 400, resp.text
    error = resp.json()["error"]
    assert error["code"] == "invalid_request" and error["details"]["field"] == field and error["request_id"]


async def test_conversations_behind_a_figure(platform: Platform) -> None:
    await platform.traffic()
    figure = (await platform.client.get(URL, params=PERIOD, headers=AUTH)).json()["metrics"]["escalated"]
    resp = await platform.client.get(f"{URL}/conversations", params={**PERIOD, "metric": "escalated"}, headers=AUTH)
    assert resp.status_code == 200, resp.text
    listed = resp.json()
    assert listed["total"] == figure == 2 and listed["metric"] == "escalated"
    assert [(c["conversation_id"], c["user_id"], c["reason"]) for c in listed["conversations"]] == [
        ("s2", "cust-s2", "CUSTOMER_REQUEST"),
        ("s4", "cust-s4", "CUSTOMER_REQUEST"),
    ]
    unknown = await platform.client.get(f"{URL}/conversations", params={**PERIOD, "metric": "happy"}, headers=AUTH)
    assert unknown.status_code == 400 and unknown.json()["error"]["details"]["field"] == "metric"
    undated = await platform.client.get(f"{URL}/conversations", params={"metric": "resolved"}, headers=AUTH)
    assert undated.status_code == 400 and undated.json()["error"]["details"]["field"] == "start_date"
