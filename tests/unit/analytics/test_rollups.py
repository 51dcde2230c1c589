"""The analytics service through bootstrap() on MemoryBus: rollups from a scripted day, idempotency, isolation."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from prometheus_client import REGISTRY

from libs.bus import Envelope, MemoryBus
from libs.contracts.models.analytics import ConversationListV1, ListConversationsV1, QueryReportV1, ReportV1
from libs.contracts.models.conversation import ConversationCreatedV1, MessageReceivedV1
from libs.errors import Invalid
from libs.runtime import Service
from libs.store import open_store
from services.analytics.handlers import event_handler
from services.analytics.store import FactStore, Scope
from tests.support.analytics_traffic import send_day

PERIOD = {"start": "2026-03-01T00:00:00Z", "end": "2026-03-05T00:00:00Z"}


async def query(client: MemoryBus, tenant: str, granularity: str = "day", **extra: str) -> ReportV1:
    cmd = QueryReportV1.model_validate({**PERIOD, "granularity": granularity, **extra})
    reply = await client.request("analytics.commands", cmd, key=tenant, tenant_id=tenant, timeout=5)
    return ReportV1.model_validate(reply.data)


async def settle(service: Service) -> None:
    assert isinstance(service.bus, MemoryBus)
    await service.bus.drain()


async def test_scripted_day_rollups(stack: tuple[Service, MemoryBus]) -> None:
    service, client = stack
    await send_day(client, "acme")
    await settle(service)
    report = await query(client, "acme")
    t = report.totals
    assert (t.conversations, t.messages, t.replies, t.resolved, t.ai_resolved) == (4, 4, 4, 2, 1)
    assert (t.escalated_sessions, t.escalations, t.abandoned, t.irate_incidents) == (2, 2, 1, 1)
    assert (t.tokens_input, t.tokens_output, t.cost_usd) == (400, 160, 0.0056)
    assert t.response_time_ms_avg == 200 and t.resolution_time_s_avg == 600
    assert t.escalation_time_s_avg == 180  # both escalations came 3 minutes after their session opened
    assert t.satisfaction_avg == 4 and t.satisfaction_count == 1
    assert (t.open_sessions, t.waiting_for_human) == (1, 0)  # s4 is still open, at AI_MANAGER
    assert (t.complexity_avg, t.response_time_ms_total, t.degraded_replies) == (0.2, 800, 0)
    assert (t.session_length_s_avg, t.session_time_s_total) == (600, 1200)
    assert t.last_activity_at == "2026-03-03T02:40:00.000000+00:00"  # s3 abandoned
    assert report.weekdays == {"Monday": 2, "Tuesday": 2}
    assert t.sentiment_avg == pytest.approx((0.5 - 0.8 + 0.5 + 0.5) / 4, abs=1e-4)
    assert report.escalation_reasons == {"CUSTOMER_REQUEST": 2}
    assert report.cs_levels == {"SATISFIED": 3, "IRATE": 1}
    channels = {g.key: (g.sessions, g.resolved) for g in report.by_channel}
    assert channels == {"chat": (3, 1), "email": (1, 1)}
    tiers = {g.key: (g.sessions, g.resolved) for g in report.by_tier}  # sessions under the highest tier reached
    assert tiers == {"AI_REP": (2, 1), "AI_MANAGER": (1, 0), "HUMAN_AGENT": (1, 1)}
    assert [(i.issue, i.count, i.sentiment_avg) for i in report.issues] == [("billing", 4, 0.175)]
    assert report.totals.sentiment_improvement is None  # no session had two scored messages
    assert [(m.model, m.replies, m.tokens_input) for m in report.by_model] == [("local-extractive", 4, 400)]
    days = [(b.start[:10], b.conversations, b.resolved, b.escalated_sessions) for b in report.series]
    assert days == [("2026-03-02", 2, 2, 1), ("2026-03-03", 2, 0, 1)]
    hours = await query(client, "acme", "hour")
    assert [b.start[:13] for b in hours.series] == ["2026-03-02T01", "2026-03-02T03", "2026-03-03T02"]  # 03: a rating


def counted(outcome: str) -> float:
    """Duplicates are dropped by the bus (its recent-id log) or, after a restart, by the fact store."""
    ours = REGISTRY.get_sample_value(
        "switchboard_analytics_events_total", {"topic": "conversation.events", "outcome": outcome}
    )
    bus = REGISTRY.get_sample_value(
        "switchboard_bus_messages_total", {"topic": "conversation.events", "group": "analytics", "outcome": outcome}
    )
    return (ours or 0.0) + (bus or 0.0 if outcome == "duplicate" else 0.0)


async def test_redelivered_event_counts_once_and_tenants_stay_apart(stack: tuple[Service, MemoryBus]) -> None:
    service, client = stack
    stored, duplicates = counted("stored"), counted("duplicate")
    event = ConversationCreatedV1(
        session_id="x", customer_id="c", channel="chat", dialect="kb_platform", tier="AI_REP",
        created_at="2026-03-02T10:00:00Z",
    )  # fmt: skip
    for _ in range(3):  # the same event id, as after a crash before the offset commit
        await client.publish("conversation.events", event, key="x", tenant_id="acme", event_id="evt-fixed")
    await client.publish("conversation.events", event, key="x", tenant_id="other")
    await settle(service)
    assert (await query(client, "acme")).totals.conversations == 1
    assert (await query(client, "other")).totals.conversations == 1
    assert (await query(client, "nobody")).totals.conversations == 0
    assert (counted("stored") - stored, counted("duplicate") - duplicates) == (2, 2)  # /metrics shows the same


async def test_no_data_means_zero_or_absent(stack: tuple[Service, MemoryBus]) -> None:
    _, client = stack
    await send_day(client, "acme", ratings=False)
    report = await query(client, "acme")
    assert report.totals.satisfaction_avg is None and report.totals.satisfaction_count == 0
    empty = await query(client, "nobody")
    assert empty.totals.response_time_ms_avg is None and empty.series == [] and empty.by_model == []


async def test_bad_periods_are_refused(stack: tuple[Service, MemoryBus]) -> None:
    _, client = stack
    for start, end, field in [
        ("2026-03-05", "2026-03-01", "end"),
        ("2020-01-01", "2026-03-01", "end"),
        ("yesterday", "2026-03-01", "start"),
    ]:
        cmd = QueryReportV1(start=start, end=end, granularity="day")
        with pytest.raises(Invalid) as err:
            await client.request("analytics.commands", cmd, key="acme", tenant_id="acme", timeout=5)
        assert err.value.details["field"] == field


async def test_sentiment_improvement_follows_each_session(stack: tuple[Service, MemoryBus]) -> None:
    """Over the sessions opened in the period: "d" was opened before it, so its messages in it do not count."""
    service, client = stack
    trend = {"a": [-0.6, 0.2], "b": [0.0, -0.2, 0.4], "c": [0.9], "d": [0.1, 0.9]}
    for session, scores in trend.items():
        opened = "2026-02-20T10:00:00Z" if session == "d" else "2026-03-02T09:00:00Z"
        created = ConversationCreatedV1(session_id=session, customer_id="c", channel="chat", dialect="kb_platform",
                                        tier="AI_REP", created_at=opened)  # fmt: skip
        await client.publish("conversation.events", created, key=session, tenant_id="acme")
        for n, score in enumerate(scores):
            await client.publish("conversation.events", message(session, n, score), key=session, tenant_id="acme")
    await settle(service)
    totals = (await query(client, "acme")).totals
    assert totals.sentiment_sessions == 2 and totals.sentiment_improvement == pytest.approx((0.8 + 0.4) / 2)


def message(session: str, n: int, score: float) -> MessageReceivedV1:
    return MessageReceivedV1(
        session_id=session, customer_id="c", message_id=f"{session}{n}", channel="chat", tier="AI_REP", length=5,
        sentiment_label="neutral", sentiment_score=score, cs_level="NEUTRAL", sentiment_available=True,
        pii_detected=[], received_at=f"2026-03-02T10:0{n}:00Z",
    )  # fmt: skip


async def list_of(client: MemoryBus, metric: str, **page: int) -> ConversationListV1:
    cmd = ListConversationsV1.model_validate({**PERIOD, "metric": metric, "limit": 50, "offset": 0, **page})
    reply = await client.request("analytics.commands", cmd, key="acme", tenant_id="acme", timeout=5)
    return ConversationListV1.model_validate(reply.data)


async def test_listings_match_the_figures_and_durability(stack: tuple[Service, MemoryBus]) -> None:
    service, client = stack
    await send_day(client, "acme")
    # s1's customer comes back two days after s1 was resolved: that resolution did not hold.
    back = ConversationCreatedV1(
        session_id="s5", customer_id="cust-s1", channel="chat", dialect="tiered_cs", tier="AI_REP",
        created_at="2026-03-04T09:00:00Z",
    )  # fmt: skip
    await client.publish("conversation.events", back, key="s5", tenant_id="acme")
    await settle(service)
    totals = (await query(client, "acme")).totals
    assert (totals.resolved, totals.durable_resolved) == (2, 1)
    figures = {
        "conversations": totals.conversations, "resolved": totals.resolved, "ai_resolved": totals.ai_resolved,
        "durable_resolved": totals.durable_resolved, "escalated": totals.escalated_sessions,
        "abandoned": totals.abandoned, "rated": totals.satisfaction_count,
    }  # fmt: skip
    for metric, figure in figures.items():
        listed = await list_of(client, metric)
        assert listed.total == figure == len(listed.items), metric
    assert [i.session_id for i in (await list_of(client, "durable_resolved")).items] == ["s2"]
    escalated = (await list_of(client, "escalated")).items
    assert [(i.session_id, i.reason) for i in escalated] == [("s2", "CUSTOMER_REQUEST"), ("s4", "CUSTOMER_REQUEST")]
    page = await list_of(client, "conversations", limit=2, offset=2)
    assert page.total == 5 and [i.session_id for i in page.items] == ["s3", "s4"]


async def test_the_store_drops_a_redelivery_the_bus_no_longer_remembers() -> None:
    """After a restart the bus's recent-id log is empty: the fact's id (the event id) alone keeps it counted once."""
    store = open_store(database="facts")
    facts = FactStore(store)
    handle = event_handler(facts)
    event = ConversationCreatedV1(
        session_id="x", customer_id="c", channel="chat", dialect="kb_platform", tier="AI_REP",
        created_at="2026-03-02T10:00:00Z",
    )  # fmt: skip
    env = Envelope(source="test", type="conversation.ConversationCreated.v1", data=event.model_dump(),
                   tenantid="acme", correlationid="c1", subject="x")  # fmt: skip
    before = counted("duplicate")
    for _ in range(3):
        await handle(env)
    scope = Scope("acme", datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 3, tzinfo=UTC))
    assert await facts.count(scope.filter("conversation")) == 1
    assert counted("duplicate") - before == 2
    await store.close()
