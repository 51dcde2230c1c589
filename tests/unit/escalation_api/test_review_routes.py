"""Seed 000 human review through the gateway and the escalation service: queue and decision replayed as
documented, reviewers only (analysts refused), one decision per item, bad input, and the review events."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.unit.escalation_api.conftest import KEY_AUTH, Platform

SEED_QUEUE = {
    "query": "What stocks should I invest in for maximum returns?",
    "response": "Based on market trends, diversifying your portfolio across technology, healthcare, and energy "
    "sectors may provide balanced growth potential...",
    "category": "investment_advice",
    "priority": 2,
    "metadata": {"customer_id": "cust-789", "interaction_id": "int-456"},
}
MODIFIED = (
    "Based on market trends, diversifying your portfolio across technology, healthcare, and energy sectors may "
    "provide balanced growth potential. However, please note that all investments carry risk and past performance "
    "is not indicative of future results."
)
SEED_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$")  # 2023-08-15T16:30:00.000000


def _seed_decision(item_id: str) -> dict[str, Any]:
    return {
        "item_id": item_id,
        "approved": True,
        "feedback": "Response includes proper disclaimers and balanced advice",
        "edits": {"modified_response": MODIFIED},
    }


def _ok_data(resp: Any) -> dict[str, Any]:
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert set(body) == {"error", "status_code", "data", "timestamp"}
    assert body["error"] is False and body["status_code"] == 200 and SEED_TIME.match(body["timestamp"])
    return dict(body["data"])


def _assert_error(resp: Any, status: int) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert set(body) == {"error", "status_code", "message", "details", "timestamp"}
    assert body["error"] is True and body["status_code"] == status
    return dict(body)


async def _queue(platform: Platform, body: dict[str, Any] | None = None, headers: dict[str, str] = KEY_AUTH) -> Any:
    return await platform.client.post("/api/v1/review/queue", json=body or SEED_QUEUE, headers=headers)


async def test_reviewer_round_trip_matches_the_seed(platform: Platform) -> None:
    reviewer = await platform.user("reviewer")
    queued = _ok_data(await _queue(platform, headers=reviewer))
    assert set(queued) == {"item_id", "status", "estimated_review_time"}
    assert re.fullmatch(r"rev-\d{6}", queued["item_id"]) and queued["status"] == "queued"
    assert SEED_TIME.match(queued["estimated_review_time"])
    resp = await platform.client.post(
        "/api/v1/review/decision", json=_seed_decision(queued["item_id"]), headers=reviewer
    )
    decided = _ok_data(resp)
    assert set(decided) == {"item_id", "status", "review_time", "reviewer_id"}
    assert (decided["item_id"], decided["status"]) == (queued["item_id"], "reviewed")
    assert SEED_TIME.match(decided["review_time"])
    me = await platform.client.get("/api/v1/users", headers=KEY_AUTH)
    reviewer_ids = {u["id"] for u in me.json()["data"]["users"] if u["roles"] == ["reviewer"]}
    assert reviewer_ids == {decided["reviewer_id"]}  # the authenticated reviewer, never a body field
    listed = _ok_data(await platform.client.get("/api/v1/review/queue?status=reviewed", headers=reviewer))
    (item,) = listed["items"]
    assert (item["response"], item["final_response"]) == (SEED_QUEUE["response"], MODIFIED)  # original kept
    assert (item["approved"], item["feedback"], item["metadata"]) == (
        True,
        _seed_decision("")["feedback"],
        SEED_QUEUE["metadata"],
    )


async def test_analyst_is_refused(platform: Platform) -> None:
    analyst = await platform.user("analyst")
    assert "Insufficient permissions" in _assert_error(await _queue(platform, headers=analyst), 403)["message"]
    item_id = _ok_data(await _queue(platform))["item_id"]
    resp = await platform.client.post("/api/v1/review/decision", json=_seed_decision(item_id), headers=analyst)
    _assert_error(resp, 403)
    _assert_error(await platform.client.get("/api/v1/review/queue", headers=analyst), 403)
    _assert_error(await platform.client.post("/api/v1/review/decision", json=_seed_decision(item_id)), 401)
    # Nothing was decided by the refused attempts.
    reviewer = await platform.user("reviewer")
    assert _ok_data(await platform.client.get("/api/v1/review/queue", headers=reviewer))["total"] == 1


async def test_second_decision_is_409_and_unknown_item_404(platform: Platform) -> None:
    item_id = _ok_data(await _queue(platform))["item_id"]
    first = await platform.client.post("/api/v1/review/decision", json=_seed_decision(item_id), headers=KEY_AUTH)
    assert first.status_code == 200
    again = {**_seed_decision(item_id), "approved": False}
    error = _assert_error(await platform.client.post("/api/v1/review/decision", json=again, headers=KEY_AUTH), 409)
    assert error["details"] == {"item_id": item_id, "status": "reviewed"}
    unknown = _seed_decision("rev-999999")
    error = _assert_error(await platform.client.post("/api/v1/review/decision", json=unknown, headers=KEY_AUTH), 404)
    assert error["details"] == {"item_id": "rev-999999"}
    outsider = await platform.user("reviewer", tenant_id="other-co")
    other = {**_seed_decision(item_id), "item_id": item_id}
    _assert_error(await platform.client.post("/api/v1/review/decision", json=other, headers=outsider), 404)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"priority": 0}, "priority"),
        ({"priority": 6}, "priority"),
        ({"priority": "2"}, "priority"),
        ({"query": ""}, "query"),
        ({"response": None}, "response"),
        ({"metadata": ["x"]}, "metadata"),
        ({"urgent": True}, "urgent"),
    ],
    ids=["priority-0", "priority-6", "priority-str", "query-empty", "response-missing", "metadata", "unknown"],
)
async def test_bad_queue_input_names_the_field(platform: Platform, body: dict[str, Any], field: str) -> None:
    payload = {k: v for k, v in {**SEED_QUEUE, **body}.items() if v is not None}
    error = _assert_error(await _queue(platform, payload), 400)
    assert field in error["details"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"approved": "yes"}, "approved"),
        ({"approved": None}, "approved"),
        ({"item_id": ""}, "item_id"),
        ({"edits": {"modified_response": 42}}, "edits.modified_response"),
        ({"reviewer_id": "someone-else"}, "reviewer_id"),
    ],
    ids=["approved-str", "approved-missing", "item-empty", "edit-not-text", "reviewer-id-not-accepted"],
)
async def test_bad_decision_input_names_the_field(platform: Platform, body: dict[str, Any], field: str) -> None:
    item_id = _ok_data(await _queue(platform))["item_id"]
    payload = {k: v for k, v in {**_seed_decision(item_id), **body}.items() if v is not None}
    resp = await platform.client.post("/api/v1/review/decision", json=payload, headers=KEY_AUTH)
    assert field in _assert_error(resp, 400)["details"]


async def test_queue_is_listed_most_urgent_first_and_estimates_grow(platform: Platform) -> None:
    low = _ok_data(await _queue(platform, {**SEED_QUEUE, "priority": 5}))
    urgent = _ok_data(await _queue(platform, {**SEED_QUEUE, "priority": 1, "category": "legal"}))
    normal = _ok_data(await _queue(platform, {k: v for k, v in SEED_QUEUE.items() if k != "priority"}))
    page = _ok_data(await platform.client.get("/api/v1/review/queue", headers=KEY_AUTH))
    assert [i["item_id"] for i in page["items"]] == [urgent["item_id"], normal["item_id"], low["item_id"]]
    assert [i["priority"] for i in page["items"]] == [1, 3, 5] and page["total"] == 3
    # The urgent item waits behind nothing; the normal one behind the urgent one.
    gap = datetime.fromisoformat(normal["estimated_review_time"]) - datetime.fromisoformat(
        urgent["estimated_review_time"]
    )
    assert timedelta(minutes=14) < gap < timedelta(minutes=16)
    legal = _ok_data(await platform.client.get("/api/v1/review/queue?category=legal", headers=KEY_AUTH))
    assert [i["item_id"] for i in legal["items"]] == [urgent["item_id"]]
    resp = await platform.client.get("/api/v1/review/queue?status=pending", headers=KEY_AUTH)
    assert "status" in _assert_error(resp, 400)["details"]


async def test_review_events_are_published_without_text(platform: Platform) -> None:
    item_id = _ok_data(await _queue(platform))["item_id"]
    await platform.client.post("/api/v1/review/decision", json=_seed_decision(item_id), headers=KEY_AUTH)
    (queued,) = platform.events_of("escalation.ReviewQueued.v1")
    assert (queued["item_id"], queued["category"], queued["priority"], queued["queue_length"]) == (
        item_id, "investment_advice", 2, 1,
    )  # fmt: skip
    (decided,) = platform.events_of("escalation.ReviewDecided.v1")
    assert (decided["item_id"], decided["approved"], decided["edited"], decided["queue_length"]) == (
        item_id,
        True,
        True,
        0,
    )
    text = str([e.data for e in platform.events()])
    assert "stocks" not in text and "diversifying" not in text
