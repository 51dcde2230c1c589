"""Seed 001 GET /api/metrics, /api/metrics/session/{id} and /api/status over the analytics service."""

from __future__ import annotations

from tests.unit.analytics_api.conftest import AUTH, Platform

PERIOD = {"start_date": "2026-03-01", "end_date": "2026-03-04"}


async def test_metrics_of_a_scripted_day(platform: Platform) -> None:
    await platform.traffic()
    resp = await platform.client.get("/api/metrics", params={"timeframe": "day", **PERIOD}, headers=AUTH)
    assert resp.status_code == 200, resp.text
    assert resp.json() == {
        "timeframe": "day",
        "total_queries": 4,
        "avg_response_time_ms": 200.0,
        "model_usage": {"local-extractive": 4},
        "sentiment_distribution": {"positive": 3, "neutral": 0, "negative": 1},
        "escalation_rate": 0.5,
        "cache_hit_rate": 0.0,
        "cost_metrics": {
            "total_cost": 0.0056,
            "cost_per_query": 0.0014,
            "cost_by_model": {"local-extractive": 0.0056},
        },
    }
    recent = await platform.client.get("/api/metrics", params={"timeframe": "hour"}, headers=AUTH)
    assert recent.json()["total_queries"] == 0  # the scripted day is long past


async def test_session_metrics_and_another_tenants_session(platform: Platform) -> None:
    await platform.traffic()
    resp = await platform.client.get("/api/metrics/session/s2", headers=AUTH)
    assert resp.status_code == 200, resp.text
    assert resp.json() == {
        "session_id": "s2",
        "total_messages": 2,
        "avg_sentiment": -0.8,
        "avg_complexity": 0.2,
        "models_used": ["local-extractive"],
        "total_response_time_ms": 200,
        "escalated": True,
        "satisfaction_score": 4.0,
    }
    outsider = await platform.user("analyst", tenant_id="other-tenant")
    hidden = await platform.client.get("/api/metrics/session/s2", headers=outsider)
    assert hidden.status_code == 404 and hidden.json()["error_type"] == "NOT_FOUND_ERROR"


async def test_status_and_bad_input(platform: Platform) -> None:
    resp = await platform.client.get("/api/status", headers=AUTH)
    assert resp.status_code == 200, resp.text
    status = resp.json()
    assert status["active_sessions"] == 0 and status["error_rate"] == 0.0 and status["last_deployment"].endswith("Z")
    bad = await platform.client.get("/api/metrics", params={"start_date": "2026-03-05", "end_date": "2026-03-01"},
                                    headers=AUTH)  # fmt: skip
    assert (
        bad.status_code == 400
        and bad.json()["error_type"] == "VALIDATION_ERROR"
        and "end_date" in bad.json()["details"]
    )
    unknown = await platform.client.get("/api/metrics", params={"timeframe": "year"}, headers=AUTH)
    assert unknown.status_code == 400 and "timeframe" in unknown.json()["details"]
