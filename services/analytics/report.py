"""Builds the analytics.Report.v1 reply from the stored facts of one tenant and period (definitions: README.md)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from libs.contracts.models.analytics import (
    IssueCount,
    ModelUsage,
    ReportBucket,
    ReportGroup,
    ReportTotals,
    ReportV1,
)
from services.analytics.domain import Granularity, iso
from services.analytics.session_views import (
    SessionStates,
    durable_resolutions,
    sentiment_trajectory,
    session_lengths,
    session_states,
)
from services.analytics.store import FactStore, Scope


def _rounded(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


async def _counts(facts: FactStore, scope: Scope) -> dict[str, Any]:
    """How many events of each kind (and the sums over them) the period holds."""
    f = scope.filter
    escalated = await facts.sessions(f("escalation"))
    return {
        "conversations": await facts.count(f("conversation")),
        "messages": await facts.count(f("message")),
        "replies": await facts.count(f("reply")),
        "ai_replies": await facts.count(f("reply", ai_generated=True)),
        "resolved": await facts.count(f("resolved")),
        "ai_resolved": await facts.count(f("resolved", ai_resolved=True)),
        "escalated_sessions": len(escalated.get("", set())),
        "escalations": await facts.count(f("escalation")),
        "abandoned": await facts.count(f("abandoned")),
        "closed": await facts.count(f("closed")),
        "cache_hits": await facts.count(f("cache_hit")),
        "tickets": await facts.count(f("ticket")),
        "tokens_input": int(await facts.total("tokens_input", f("reply"))),
        "tokens_output": int(await facts.total("tokens_output", f("reply"))),
        "cost_usd": round(await facts.total("cost_usd", f("reply")), 6),
        "response_time_ms_total": int(await facts.total("latency_ms", f("reply"))),
        "degraded_replies": await facts.count(f("reply", degraded=True)),
        "satisfaction_count": await facts.count(f("rating")),
        "sentiment_count": await facts.count(f("message", sentiment_score={"$exists": True})),
        "irate_incidents": await facts.count(f("message", irate=True)),
        "pii_detected": int(await facts.total("pii_total", f("pii"))),
    }


async def _means(facts: FactStore, scope: Scope) -> dict[str, Any]:
    """Averages over what was measured; absent (None) when nothing was."""
    f = scope.filter
    return {
        "response_time_ms_avg": _rounded(await facts.mean("latency_ms", f("reply"))),
        "complexity_avg": _rounded(await facts.mean("complexity", f("reply"))),
        "generation_ms_avg": _rounded(await facts.mean("generation_ms", f("reply"))),
        "retrieval_ms_avg": _rounded(await facts.mean("retrieval_ms", f("reply"))),
        "resolution_time_s_avg": _rounded(await facts.mean("duration_s", f("resolved"))),
        "escalation_time_s_avg": _rounded(await facts.mean("since_open_s", f("escalation"))),
        "satisfaction_avg": _rounded(await facts.mean("rating", f("rating"))),
        "sentiment_avg": _rounded(await facts.mean("sentiment_score", f("message"))),
    }


async def totals(facts: FactStore, scope: Scope, states: SessionStates, durable: int) -> ReportTotals:
    counts = await _counts(facts, scope)
    trajectory = await sentiment_trajectory(facts, scope)
    lengths = await session_lengths(facts, scope)
    conversations, messages = counts["conversations"], counts["messages"]
    return ReportTotals(
        **counts,
        **await _means(facts, scope),
        durable_resolved=durable,
        open_sessions=states.open_sessions,
        waiting_for_human=states.waiting_for_human,
        session_length_s_avg=_rounded(sum(lengths.values()) / len(lengths)) if lengths else None,
        session_time_s_total=round(sum(lengths.values()), 3),
        last_activity_at=await facts.latest(scope.filter()),
        messages_per_session_avg=round(messages / conversations, 4) if conversations else None,
        sentiment_improvement=trajectory.mean_change,
        sentiment_sessions=trajectory.sessions,
    )


async def groups(facts: FactStore, scope: Scope, field: str, states: SessionStates) -> list[ReportGroup]:
    """Sessions opened and resolved per tier or channel, with their mean resolution time."""
    if field == "tier":
        opened: dict[str, int] = dict(states.final_tiers)
    else:
        opened = await facts.count_by(field, scope.filter("conversation"))
    resolved = await facts.count_by(field, scope.filter("resolved"))
    out = []
    for key in sorted(set(opened) | set(resolved)):
        mean = await facts.mean("duration_s", scope.filter("resolved", **{field: key}))
        out.append(
            ReportGroup(
                key=key,
                sessions=opened.get(key, 0),
                resolved=resolved.get(key, 0),
                resolution_time_s_avg=_rounded(mean),
            )
        )
    return out


async def models(facts: FactStore, scope: Scope) -> list[ModelUsage]:
    out = []
    for model, replies in sorted((await facts.count_by("model", scope.filter("reply"))).items()):
        flt = scope.filter("reply", model=model)
        sample = await facts.find(flt, limit=1)
        out.append(
            ModelUsage(
                model=model,
                provider=str(sample[0].get("provider", "")) if sample else "",
                replies=replies,
                tokens_input=int(await facts.total("tokens_input", flt)),
                tokens_output=int(await facts.total("tokens_output", flt)),
                cost_usd=round(await facts.total("cost_usd", flt), 6),
            )
        )
    return out


async def issues(facts: FactStore, scope: Scope) -> list[IssueCount]:
    counts = await facts.count_by("issue", scope.filter("reply"))
    out = []
    for issue, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        mean = await facts.mean("turn_sentiment", scope.filter("reply", issue=issue))
        out.append(IssueCount(issue=issue, count=count, sentiment_avg=_rounded(mean)))
    return out


async def series(facts: FactStore, scope: Scope, by: Granularity) -> list[ReportBucket]:
    """One entry per bucket that saw any conversation activity, oldest first."""
    f = scope.filter
    conversations = await facts.count_by(by, f("conversation"))
    messages = await facts.count_by(by, f("message"))
    resolved = await facts.count_by(by, f("resolved"))
    ai_resolved = await facts.count_by(by, f("resolved", ai_resolved=True))
    replies = await facts.count_by(by, f("reply"))
    ratings = await facts.count_by(by, f("rating"))
    escalated = await facts.sessions(f("escalation"), by)
    keys = sorted(set(conversations) | set(messages) | set(resolved) | set(escalated) | set(replies) | set(ratings))
    out = []
    for key in keys:
        sentiment = await facts.mean("sentiment_score", f("message", **{by: key})) if key in messages else None
        latency = await facts.mean("latency_ms", f("reply", **{by: key})) if key in replies else None
        rating = await facts.mean("rating", f("rating", **{by: key})) if key in ratings else None
        out.append(
            ReportBucket(
                start=key,
                conversations=conversations.get(key, 0),
                messages=messages.get(key, 0),
                resolved=resolved.get(key, 0),
                ai_resolved=ai_resolved.get(key, 0),
                escalated_sessions=len(escalated.get(key, set())),
                sentiment_avg=_rounded(sentiment),
                response_time_ms_avg=_rounded(latency),
                satisfaction_avg=_rounded(rating),
            )
        )
    return out


async def build_report(
    facts: FactStore, scope: Scope, by: Granularity, *, window: timedelta, now: datetime
) -> ReportV1:
    f = scope.filter
    states = await session_states(facts, scope)
    durable = len(await durable_resolutions(facts, scope, window, now))
    return ReportV1(
        start=iso(scope.start),
        end=iso(scope.end),
        granularity=by,
        totals=await totals(facts, scope, states, durable),
        sentiment_labels=await facts.count_by("sentiment_label", f("message")),
        cs_levels=await facts.count_by("cs_level", f("message")),
        escalation_reasons=await facts.count_by("reason", f("escalation")),
        escalation_tiers=await facts.count_by("to_tier", f("escalation")),
        issues=await issues(facts, scope),
        agents=await facts.count_by("agent", f("reply")),
        weekdays=await facts.count_by("weekday", f("message")),
        by_tier=await groups(facts, scope, "tier", states),
        by_channel=await groups(facts, scope, "channel", states),
        by_model=await models(facts, scope),
        series=await series(facts, scope, by),
    )
