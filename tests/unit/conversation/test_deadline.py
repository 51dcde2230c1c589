"""PostMessage deadlines: request() stamps on the envelope when the gateway stops waiting; a turn read after it is
dropped by the bus, one that runs past it is stopped by the conversation service before storing anything, and both
are counted."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client import REGISTRY

from libs.contracts.models.conversation import GetSessionV1, PostMessageV1
from libs.errors import Timeout
from services.conversation.pipeline.deadline import Deadline, TurnTimer
from services.conversation.settings import StepDeadlines
from tests.unit.conversation.conftest import TENANT, PlatformFactory

METRIC = "switchboard_conversation_expired_turns_total"


def expired_count(stage: str) -> float:
    return REGISTRY.get_sample_value(METRIC, {"stage": stage}) or 0.0


def turn(session_id: str) -> PostMessageV1:
    fields = {"session_id": session_id, "text": "How do I reset my password?", "channel": "api"}
    return PostMessageV1.model_validate(
        {**fields, "dialect": "support_agent", "create_if_missing": True, "customer_id": "c1"}
    )


def bus_expired() -> float:
    labels = {"topic": "conversation.commands", "group": "conversation", "outcome": "expired"}
    return REGISTRY.get_sample_value("switchboard_bus_messages_total", labels) or 0.0


def test_deadline_caps_step_limits_and_expires() -> None:
    assert Deadline().cap(2.0) == 2.0 and not Deadline().expired()
    soon = Deadline(time.time() + 0.5)
    assert 0.3 < soon.cap(2.0) <= 0.5 and soon.cap(0.1) == 0.1
    past = Deadline(time.time() - 1)
    assert past.expired() and past.cap(2.0) == 0.0
    before = expired_count("unit")
    with pytest.raises(Timeout) as caught:
        past.check("unit")
    assert caught.value.details["stage"] == "unit"
    assert expired_count("unit") == before + 1
    Deadline(time.time() + 60).check("unit")  # not yet: no error, not counted
    assert expired_count("unit") == before + 1


def test_a_turn_with_less_time_left_than_turns_take_is_dropped_at_arrival() -> None:
    timer = TurnTimer(weight=0.5)
    assert timer.typical_s == 0.0
    for seconds in (2.0, 2.0, 2.0, 2.0):
        timer.record(seconds)
    assert 1.8 < timer.typical_s < 2.0
    Deadline(time.time() + 5).check("unit", need_s=timer.typical_s)  # time for a typical turn: kept
    with pytest.raises(Timeout) as caught:
        Deadline(time.time() + 1).check("unit", need_s=timer.typical_s)  # 1 s left, turns take ~2 s: dropped
    assert caught.value.details["needed_s"] == round(timer.typical_s, 3)


def test_drops_at_arrival_shrink_the_typical_time_so_turns_are_admitted_again() -> None:
    """A typical time grown past the requesters' whole timeout must not drop every turn for ever."""
    timer = TurnTimer(weight=0.1)
    for _ in range(100):
        timer.record(12.0)  # e.g. a provider that hung at its deadline for a while
    dropped = 0
    while True:
        try:
            timer.admit(Deadline(time.time() + 10))  # every requester waits 10 s
            break
        except Timeout:
            dropped += 1
            assert dropped < 10, "admission never recovers"
    assert dropped >= 1 and timer.typical_s < 10


async def test_a_turn_arriving_after_its_deadline_is_dropped_unprocessed(make_platform: PlatformFactory) -> None:
    p = await make_platform(without=("privacy", "sentiment", "escalation"))
    before = bus_expired()
    past = datetime.now(UTC) - timedelta(seconds=1)
    await p.bus.publish("conversation.commands", turn("late_1"), key="late_1", tenant_id=TENANT, deadline=past)
    await p.bus.drain()
    assert bus_expired() == before + 1, "dropped by the bus, counted as expired"
    assert not p.llm.requests and not p.events(), "no pipeline work, no events"
    resp = await p.client.get("/api/session/late_1", headers=p.headers)
    assert resp.status_code == 404, "nothing was stored"


async def test_a_turn_running_past_its_deadline_stops_before_storing(make_platform: PlatformFactory) -> None:
    # Privacy is absent and would be waited on for 5 s; the requester's deadline (0.3 s) caps that wait.
    deadlines = StepDeadlines(privacy_s=5, sentiment_s=5, retrieval_s=5, escalation_s=5)
    p = await make_platform(without=("privacy", "sentiment", "escalation"), deadlines=deadlines)
    before = expired_count("redact")
    started = time.perf_counter()
    with pytest.raises(Timeout):
        await p.bus.request("conversation.commands", turn("slow_1"), key="slow_1", tenant_id=TENANT, timeout=0.3)
    await p.bus.drain()  # the requester gave up at its deadline; the service stops the turn right after
    assert time.perf_counter() - started < 2, "the redaction step gave up at the requester's deadline"
    assert expired_count("redact") == before + 1
    assert not p.llm.requests, "no generation for a turn nobody waits for"
    assert not p.events("MessageReceived") and not p.events("MessageReplied")
    # Asked on the bus: the gateway's session view would also wait for the (absent) escalation service.
    view = await p.bus.request(
        "conversation.commands", GetSessionV1(session_id="slow_1"), key="slow_1", tenant_id=TENANT, timeout=5
    )
    assert view.data["messages"] == [], "no half-done turn in the history"


async def test_a_turn_within_its_deadline_runs_as_before(make_platform: PlatformFactory) -> None:
    p = await make_platform(without=("privacy", "sentiment", "escalation"))
    command = turn("nodl_1")
    reply = await p.bus.request("conversation.commands", command, key="nodl_1", tenant_id=TENANT, timeout=5)
    assert reply.data["reply_message"]["content"]
    assert p.events("MessageReplied")


async def test_the_gateway_stamps_its_request_timeout_as_the_deadline(make_platform: PlatformFactory) -> None:
    p = await make_platform(without=("privacy", "sentiment", "escalation"))
    sent = time.time()
    body = {"query": "What are your opening hours?", "session_id": "gw_1", "customer_id": "c1"}
    resp = await p.client.post("/api/query", json=body, headers=p.headers)
    assert resp.status_code == 200, resp.text
    commands = [json.loads(r.value) for r in p.bus.broker.records("conversation.commands")]
    posted = [c for c in commands if c["type"] == "conversation.PostMessage.v1"]
    assert len(posted) == 1
    # The test gateway waits 15 s (conftest): the deadline is that long after the request was sent.
    deadline = datetime.fromisoformat(posted[0]["deadline"]).timestamp()
    assert sent + 14 < deadline < time.time() + 15.5
