"""Builds the analytics.Report.v1 reply for one tenant and period: counts, sums and means from the rollups
(`RollupView`), the per-session views from the facts (definitions: README.md)."""

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
from services.analytics.durable import durable_count
from services.analytics.rollup_view import RollupView
from services.analytics.session_views import Cohort, durable_resolutions, scanned_cohort
from services.analytics.store import FactStore, Scope


def _fixed(value: float, digits: int) -> float:
    """Rounded after dropping float noise: sums added in another order (rollup cells, facts) give the same."""
    return round(round(value, 9), digits)


def _rounded(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else _fixed(value, digits)


def _counts(view: RollupView) -> dict[str, Any]:
    """How many events of each kind (and the sums over them) the period holds."""
    c, total = view.count, view.total
    return {
        "conversations": c("conversation"),
        "messages": c("message"),
        "replies": c("reply"),
        "ai_replies": c("reply", ai_generated=True),
        "resolved": c("resolved"),
        "ai_resolved": c("resolved", ai_resolved=True),
        "escalations": c("escalation"),
        "abandoned": c("abandoned"),
        "closed": c("closed"),
        "cache_hits": c("cache_hit"),
        "tickets": c("ticket"),
        "tokens_input": int(total("tokens_input", "reply")),
        "tokens_output": int(total("tokens_output", "reply")),
        "cost_usd": _fixed(total("cost_usd", "reply"), 6),
        "response_time_ms_total": int(total("latency_ms", "reply")),
        "degraded_replies": c("reply", degraded=True),
        "satisfaction_count": c("rating"),
        "sentiment_count": view.measured("sentiment_score", "message"),
        "irate_incidents": c("message", irate=True),
        "pii_detected": int(total("pii_total", "pii")),
    }


def _means(view: RollupView) -> dict[str, Any]:
    """Averages over what was measured; absent (None) when nothing was."""
    return {
        "response_time_ms_avg": _rounded(view.mean("latency_ms", "reply")),
        "complexity_avg": _rounded(view.mean("complexity", "reply")),
        "generation_ms_avg": _rounded(view.mean("generation_ms", "reply")),
        "retrieval_ms_avg": _rounded(view.mean("retrieval_ms", "reply")),
        "resolution_time_s_avg": _rounded(view.mean("duration_s", "resolved")),
        "escalation_time_s_avg": _rounded(view.mean("since_open_s", "escalation")),
        "satisfaction_avg": _rounded(view.mean("rating", "rating")),
        "sentiment_avg": _rounded(view.mean("sentiment_score", "message")),
    }


async def cohort_of(facts: FactStore, scope: Scope, view: RollupView, by: Granularity, rollups: bool) -> Cohort:
    """The sessions opened in the period: from the `cohort` rollup cells, or the facts for one session's or
    customer's scope (and for the reference)."""
    if not rollups or scope.session_id is not None or scope.customer_id is not None:
        return await scanned_cohort(facts, scope, by)
    escalated = {key: round(view.cohort_sums(key).get("escalated", 0)) for key in view.buckets}
    sums = view.cohort_sums()
    return Cohort.of_sums(sums, {k: n for k, n in escalated.items() if n} | {"": round(sums.get("escalated", 0))})


def totals(view: RollupView, cohort: Cohort, durable: int) -> ReportTotals:
    counts = _counts(view) | {"escalated_sessions": cohort.escalated.get("", 0)}
    conversations, messages = counts["conversations"], counts["messages"]
    trend = cohort.trend_sessions
    return ReportTotals(
        **counts,
        **_means(view),
        durable_resolved=durable,
        open_sessions=cohort.open_sessions,
        waiting_for_human=cohort.waiting_for_human,
        session_length_s_avg=_rounded(cohort.length_s_total / cohort.ended) if cohort.ended else None,
        session_time_s_total=_fixed(cohort.length_s_total, 3),
        last_activity_at=view.last,
        messages_per_session_avg=round(messages / conversations, 4) if conversations else None,
        sentiment_improvement=_rounded(cohort.trend_total / trend) if trend else None,
        sentiment_sessions=trend,
    )


def groups(view: RollupView, field: str, cohort: Cohort) -> list[ReportGroup]:
    """Sessions opened and resolved per tier or channel, with their mean resolution time."""
    if field == "tier":
        opened: dict[str, int] = dict(cohort.final_tiers)
    else:
        opened = view.count_by(field, "conversation")
    resolved = view.count_by(field, "resolved")
    out = []
    for key in sorted(set(opened) | set(resolved)):
        mean = view.mean("duration_s", "resolved", **{field: key})
        out.append(
            ReportGroup(
                key=key,
                sessions=opened.get(key, 0),
                resolved=resolved.get(key, 0),
                resolution_time_s_avg=_rounded(mean),
            )
        )
    return out


def models(view: RollupView) -> list[ModelUsage]:
    providers: dict[str, tuple[int, str]] = {}  # model -> (replies, provider) of the provider serving it most
    for pair, n in sorted(view.count_by("model_provider", "reply").items()):
        model, _, provider = pair.partition("\t")
        providers[model] = max(providers.get(model, (0, "")), (n, provider), key=lambda c: c[0])
    out = []
    for model, replies in sorted(view.count_by("model", "reply").items()):
        out.append(
            ModelUsage(
                model=model,
                provider=providers.get(model, (0, ""))[1],
                replies=replies,
                tokens_input=int(view.total("tokens_input", "reply", model=model)),
                tokens_output=int(view.total("tokens_output", "reply", model=model)),
                cost_usd=_fixed(view.total("cost_usd", "reply", model=model), 6),
            )
        )
    return out


def issues(view: RollupView) -> list[IssueCount]:
    counts = view.count_by("issue", "reply")
    out = []
    for issue, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        mean = view.mean("turn_sentiment", "reply", issue=issue)
        out.append(IssueCount(issue=issue, count=count, sentiment_avg=_rounded(mean)))
    return out


def series(view: RollupView, cohort: Cohort) -> list[ReportBucket]:
    """One entry per bucket that saw any conversation activity, oldest first."""
    conversations = view.per_bucket("conversation")
    messages = view.per_bucket("message")
    resolved = view.per_bucket("resolved")
    ai_resolved = view.per_bucket("resolved", ai_resolved=True)
    replies = view.per_bucket("reply")
    ratings = view.per_bucket("rating")
    escalated = {k: n for k, n in cohort.escalated.items() if k}
    keys = sorted(set(conversations) | set(messages) | set(resolved) | set(escalated) | set(replies) | set(ratings))
    out = []
    for key in keys:
        sentiment = view.mean("sentiment_score", "message", key) if key in messages else None
        latency = view.mean("latency_ms", "reply", key) if key in replies else None
        rating = view.mean("rating", "rating", key) if key in ratings else None
        out.append(
            ReportBucket(
                start=key,
                conversations=conversations.get(key, 0),
                messages=messages.get(key, 0),
                resolved=resolved.get(key, 0),
                ai_resolved=ai_resolved.get(key, 0),
                escalated_sessions=escalated.get(key, 0),
                sentiment_avg=_rounded(sentiment),
                response_time_ms_avg=_rounded(latency),
                satisfaction_avg=_rounded(rating),
            )
        )
    return out


async def build_report(
    facts: FactStore, scope: Scope, by: Granularity, *, window: timedelta, now: datetime, rollups: bool = True
) -> ReportV1:
    view = await RollupView.load(facts, scope, by, rollups=rollups)
    cohort = await cohort_of(facts, scope, view, by, rollups)
    if rollups and scope.session_id is None and scope.customer_id is None:
        durable = await durable_count(facts, scope, window, now)
    else:
        durable = len(await durable_resolutions(facts, scope, window, now))
    return ReportV1(
        start=iso(scope.start),
        end=iso(scope.end),
        granularity=by,
        totals=totals(view, cohort, durable),
        sentiment_labels=view.count_by("sentiment_label", "message"),
        cs_levels=view.count_by("cs_level", "message"),
        escalation_reasons=view.count_by("reason", "escalation"),
        escalation_tiers=view.count_by("to_tier", "escalation"),
        issues=issues(view),
        agents=view.count_by("agent", "reply"),
        weekdays=view.count_by("weekday", "message"),
        by_tier=groups(view, "tier", cohort),
        by_channel=groups(view, "channel", cohort),
        by_model=models(view),
        series=series(view, cohort),
    )
