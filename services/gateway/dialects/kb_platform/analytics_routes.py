"""Seed 003 GET /api/v1/analytics: conversation metrics and a per-bucket breakdown from the analytics service."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from libs.contracts.models.analytics import ReportBucket, ReportV1
from libs.errors import Invalid
from services.gateway.clients.analytics import Granularity, parse_period, seconds
from services.gateway.deps import Caller, GatewayDep
from services.gateway.dialects.kb_platform.envelope import DIALECT

router = APIRouter(prefix="/api/v1", route_class=DIALECT.route_class(), tags=["kb_platform: analytics"])

# `metrics` picks the figures each daily_breakdown entry carries (the seed's example asks for conversations and
# resolution_rate and its breakdown shows exactly those; its `metrics` object shows every figure). The breakdown
# calls total_conversations "conversations"; both names are accepted.
METRIC_ALIASES = {"conversations": "total_conversations"}
BREAKDOWN_NAMES = {"total_conversations": "conversations"}
DEFAULT_BREAKDOWN = ("total_conversations", "resolution_rate")
METRICS = (
    "total_conversations", "ai_resolved", "escalated", "resolution_rate", "avg_response_time", "customer_satisfaction",
)  # fmt: skip
GROUPS: dict[str, Granularity] = {"day": "day", "week": "week", "month": "month"}


class PeriodOut(BaseModel):
    start: str
    end: str


class Metrics(BaseModel):
    total_conversations: int
    ai_resolved: int
    escalated: int
    resolution_rate: float
    avg_response_time: float  # seconds; 0 when no reply in the period
    customer_satisfaction: float | None  # mean of collected 1-5 ratings; null when none


class Breakdown(BaseModel):
    """One bucket; only the figures `metrics` asked for are present."""

    date: str
    conversations: int | None = None
    ai_resolved: int | None = None
    escalated: int | None = None
    resolution_rate: float | None = None
    avg_response_time: float | None = None
    customer_satisfaction: float | None = None


class AnalyticsOut(BaseModel):
    period: PeriodOut
    metrics: Metrics
    daily_breakdown: list[Breakdown]


def _rate(part: int, whole: int) -> float:
    """The seed's resolution_rate: AI-resolved over conversations (its example: 1203 / 1543 = 0.78), at most 1."""
    return round(min(part / whole, 1.0), 4) if whole else 0.0


def selected_metrics(raw: str | None) -> list[str]:
    if raw is None or not raw.strip():
        return list(DEFAULT_BREAKDOWN)
    names = [METRIC_ALIASES.get(n.strip(), n.strip()) for n in raw.split(",") if n.strip()]
    unknown = sorted(set(names) - set(METRICS))
    if unknown:
        raise Invalid(f"Unknown metric: {', '.join(unknown)}", {"field": "metrics", "allowed": ", ".join(METRICS)})
    return names


def bucket_values(b: ReportBucket) -> dict[str, float | int | None]:
    return {
        "total_conversations": b.conversations,
        "ai_resolved": b.ai_resolved,
        "escalated": b.escalated_sessions,
        "resolution_rate": _rate(b.ai_resolved, b.conversations),
        "avg_response_time": seconds(b.response_time_ms_avg),
        "customer_satisfaction": b.satisfaction_avg,
    }


def breakdown(report: ReportV1, names: list[str]) -> list[Breakdown]:
    out = []
    for b in report.series:
        values = bucket_values(b)
        picked = {BREAKDOWN_NAMES.get(n, n): values[n] for n in names}
        out.append(Breakdown.model_validate({"date": datetime.fromisoformat(b.start).date().isoformat(), **picked}))
    return out


def metrics_of(report: ReportV1) -> dict[str, float | int | None]:
    t = report.totals
    return {
        "total_conversations": t.conversations,
        "ai_resolved": t.ai_resolved,
        "escalated": t.escalated_sessions,
        "resolution_rate": _rate(t.ai_resolved, t.conversations),
        "avg_response_time": seconds(t.response_time_ms_avg),
        "customer_satisfaction": t.satisfaction_avg,
    }


@router.get("/analytics", response_model=AnalyticsOut, response_model_exclude_unset=True)
async def analytics(
    caller: Caller,
    gw: GatewayDep,
    start_date: Annotated[str | None, Query(max_length=64)] = None,
    end_date: Annotated[str | None, Query(max_length=64)] = None,
    metrics: Annotated[str | None, Query(max_length=500)] = None,
    group_by: Annotated[str, Query(max_length=16)] = "day",
) -> AnalyticsOut:
    """start_date and end_date required; `metrics` picks the breakdown's figures (default conversations and
    resolution_rate, as the seed's example)."""
    caller.require("analyst")
    period = parse_period(start_date, end_date, names=("start_date", "end_date"))
    names = selected_metrics(metrics)
    if group_by not in GROUPS:
        raise Invalid("group_by must be day, week or month", {"field": "group_by"})
    client = gw.clients.analytics
    report = await client.report(caller, period, GROUPS[group_by])
    return AnalyticsOut(
        period=PeriodOut(start=start_date or "", end=end_date or ""),  # both checked by parse_period
        metrics=Metrics.model_validate(metrics_of(report)),
        daily_breakdown=breakdown(report, names),
    )


LISTABLE = ("conversations", "resolved", "ai_resolved", "durable_resolved", "escalated", "abandoned", "rated")


class CountedConversationOut(BaseModel):
    conversation_id: str
    user_id: str | None
    counted_at: str
    channel: str | None
    tier: str | None
    reason: str | None
    rating: int | None


class ConversationListOut(BaseModel):
    metric: str
    period: PeriodOut
    total: int
    limit: int
    offset: int
    conversations: list[CountedConversationOut]


@router.get("/analytics/conversations", response_model=ConversationListOut)
async def analytics_conversations(
    caller: Caller,
    gw: GatewayDep,
    metric: Annotated[str | None, Query(max_length=64)] = None,
    start_date: Annotated[str | None, Query(max_length=64)] = None,
    end_date: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> ConversationListOut:
    """The conversations behind one figure (`total` is the figure), so it can be checked one by one."""
    caller.require("analyst")
    if metric not in LISTABLE:
        raise Invalid("Unknown metric", {"field": "metric", "allowed": ", ".join(LISTABLE)})
    period = parse_period(start_date, end_date, names=("start_date", "end_date"))
    client = gw.clients.analytics
    found = await client.conversations(caller, period, metric, limit=limit, offset=offset)
    return ConversationListOut(
        metric=metric,
        period=PeriodOut(start=start_date or "", end=end_date or ""),
        total=found.total,
        limit=limit,
        offset=offset,
        conversations=[
            CountedConversationOut(
                conversation_id=i.session_id,
                user_id=i.customer_id,
                counted_at=i.at,
                channel=i.channel,
                tier=i.tier,
                reason=i.reason,
                rating=i.rating,
            )
            for i in found.items
        ],
    )
