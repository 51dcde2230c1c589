"""Seed 002 GET /cs/analytics over the analytics service: the documented shape with the day's numbers, CS codes."""

from __future__ import annotations

import pytest

from tests.unit.analytics_api.conftest import AUTH, TENANT, Platform

URL = "/cs/analytics"
QUERY = {"companyId": TENANT, "startDate": "2026-03-01T00:00:00Z", "endDate": "2026-03-04T00:00:00Z"}


async def test_cs_analytics_of_a_scripted_day(platform: Platform) -> None:
    await platform.traffic()
    resp = await platform.client.get(URL, params={**QUERY, "groupBy": "day"}, headers=AUTH)
    assert resp.status_code == 200, resp.text
    report = resp.json()
    assert report["period"] == {"start": "2026-03-01T00:00:00Z", "end": "2026-03-04T00:00:00Z"}
    assert report["overview"] == {
        "totalSessions": 4, "resolvedSessions": 2, "resolutionRate": 50.0, "avgResolutionTime": 600.0,
        "avgMessagesPerSession": 1.0, "customerSatisfactionAvg": 4.0,
    }  # fmt: skip
    assert report["byTier"] == [
        {"tier": "AI_REP", "sessions": 2, "resolved": 1, "resolutionRate": 50.0, "avgTime": 600.0},
        {"tier": "AI_MANAGER", "sessions": 1, "resolved": 0, "resolutionRate": 0.0, "avgTime": 0.0},
        {"tier": "HUMAN_AGENT", "sessions": 1, "resolved": 1, "resolutionRate": 100.0, "avgTime": 600.0},
    ]
    assert report["byChannel"] == [
        {"channel": "chat", "sessions": 3, "resolved": 1, "avgTime": 600.0},
        {"channel": "email", "sessions": 1, "resolved": 1, "avgTime": 600.0},
    ]
    assert report["escalations"] == {
        "total": 2, "byReason": {"CUSTOMER_REQUEST": 2}, "avgEscalationTime": 180.0, "escalationRate": 50.0,
    }  # fmt: skip
    assert report["sentiment"] == {
        "distribution": {"HAPPY": 0, "SATISFIED": 3, "NEUTRAL": 0, "FRUSTRATED": 0, "ANGRY": 0, "IRATE": 1},
        "irateIncidents": 1,
        "sentimentImprovement": 0.0,
    }
    assert [row["date"] for row in report["timeline"]] == ["2026-03-02", "2026-03-03"]


@pytest.mark.parametrize(
    ("params", "status", "code", "field"),
    [
        ({"startDate": "2026-03-01", "endDate": "2026-03-04"}, 400, "CS_005", "companyId"),
        ({"companyId": "someone-else", "startDate": "2026-03-01", "endDate": "2026-03-04"}, 403, "CS_009", None),
        ({"companyId": TENANT, "endDate": "2026-03-04"}, 400, "CS_008", "startDate"),
        ({"companyId": TENANT, "startDate": "2026-03-01"}, 400, "CS_008", "endDate"),
        ({**QUERY, "endDate": "2025-01-01"}, 400, "CS_008", "endDate"),
        ({**QUERY, "startDate": "2023-01-01"}, 400, "CS_008", "endDate"),
        ({**QUERY, "groupBy": "year"}, 400, "CS_008", "groupBy"),
    ],
)
async def test_bad_input_in_the_cs_envelope(
    platform: Platform, params: dict[str, str], status: int, code: str, field: str | None
) -> None:
    resp = await platform.client.get(URL, params=params, headers=AUTH)
    assert resp.status_code == status, resp.text
    error = resp.json()["error"]
    assert error["code"] == code
    if field:
        assert error["details"]["field"] == field
