"""Per-route limits the seeds document: seed 001 query 60/min, seed 004 bursts of 10/s, in each dialect's envelope."""

from __future__ import annotations

import time

from services.gateway.route_limits import limits_for
from tests.unit.gateway.conftest import API_KEY, Platform

AUTH = {"Authorization": f"Bearer {API_KEY}"}


def test_limits_follow_each_seed_table() -> None:
    assert [(x.requests, x.per_seconds) for x in limits_for("support_agent", "POST", "/api/query", "/cs")] == [(60, 60)]
    assert [x.requests for x in limits_for("tiered_cs", "POST", "/cs/sessions/{session_id}/messages", "/cs")] == [60]
    assert [x.requests for x in limits_for("tiered_cs", "GET", "/cs/sessions", "/cs")] == [200]
    assert [(x.requests, x.per_seconds) for x in limits_for("crm_chat", "GET", "/crm/users", "/cs")] == [
        (10, 1),
        (100, 60),
    ]
    assert limits_for("insights", "POST", "/api/v1/analyze/sentiment", "/cs") == ()


async def test_seed_001_query_limit_shows_in_headers_then_429(platform: Platform) -> None:
    statuses = []
    for _ in range(61):
        resp = await platform.client.post("/api/query", json={}, headers=AUTH)
        statuses.append(resp.status_code)
    assert statuses[:60] == [400] * 60
    assert resp.status_code == 429
    assert resp.headers["X-RateLimit-Limit"] == "60" and resp.headers["X-RateLimit-Remaining"] == "0"
    assert resp.json()["error_type"] == "RATE_LIMIT_ERROR"
    assert 1 <= int(resp.headers["Retry-After"]) <= 60


async def test_seed_004_burst_of_ten_per_second(platform: Platform) -> None:
    started = time.monotonic()
    responses = [await platform.client.post("/crm/create_user", json={}, headers=AUTH) for _ in range(21)]
    elapsed = time.monotonic() - started
    codes = [r.status_code for r in responses]
    # 21 requests in under a second touch at most two one-second windows, so one window sees 11 or more.
    assert elapsed < 1.0, f"too slow to test a per-second limit ({elapsed:.2f}s)"
    assert 429 in codes
    refused = responses[codes.index(429)]
    assert refused.json()["success"] is False and refused.json()["error"]["code"] == "RATE_LIMITED"
    assert refused.headers["X-RateLimit-Limit"] == "10"  # the burst window refused it
    assert refused.headers["Retry-After"] == "1"
    assert responses[0].headers["X-RateLimit-Limit"] == "100"
