"""Seed 000 GET /api/v1/analytics/summary: the dashboard summary, from the analytics service's rollups."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from libs.contracts.models.analytics import ReportV1
from libs.errors import Invalid
from services.gateway.clients.analytics import Granularity, parse_period, seconds
from services.gateway.deps import Caller, GatewayDep
from services.gateway.dialects.base import naive_utc_timestamp
from services.gateway.dialects.insights.envelope import DIALECT

router = APIRouter(prefix="/api/v1/analytics", route_class=DIALECT.route_class(), tags=["insights: analytics"])

GRANULARITY: dict[str, Granularity] = {"daily": "day", "weekly": "week", "monthly": "month"}
ANALYTICS_ROLES = ("analyst",)  # admin always passes


class SentimentShares(BaseModel):
    positive: float
    negative: float
    neutral: float


class TimelinePoint(BaseModel):
    date: str
    conversations: int
    avg_sentiment: float | None


class TopIssue(BaseModel):
    issue: str
    count: int
    sentiment: float | None


class Summary(BaseModel):
    total_conversations: int
    sentiment_distribution: SentimentShares
    average_satisfaction: float | None  # null: no rating was collected in the period
    response_time_avg: float  # seconds; 0 when no reply in the period
    resolution_rate: float
    timeline_data: list[TimelinePoint]
    top_issues: list[TopIssue]


class SummaryResponse(BaseModel):
    error: bool = False
    status_code: int = 200
    data: Summary
    timestamp: str


def _shares(counts: dict[str, int]) -> SentimentShares:
    total = sum(counts.get(k, 0) for k in ("positive", "negative", "neutral"))
    share = {k: round(counts.get(k, 0) / total, 4) if total else 0.0 for k in ("positive", "negative", "neutral")}
    return SentimentShares(**share)


def summary_of(report: ReportV1) -> Summary:
    t = report.totals
    return Summary(
        total_conversations=t.conversations,
        sentiment_distribution=_shares(report.sentiment_labels),
        average_satisfaction=t.satisfaction_avg,
        response_time_avg=seconds(t.response_time_ms_avg),
        resolution_rate=round(min(t.resolved / t.conversations, 1.0), 4) if t.conversations else 0.0,
        timeline_data=[
            TimelinePoint(
                date=datetime.fromisoformat(b.start).date().isoformat(),
                conversations=b.conversations,
                avg_sentiment=b.sentiment_avg,
            )
            for b in report.series
        ],
        top_issues=[TopIssue(issue=i.issue, count=i.count, sentiment=i.sentiment_avg) for i in report.issues[:10]],
    )


@router.get("/summary", response_model=SummaryResponse)
async def analytics_summary(
    caller: Caller,
    gw: GatewayDep,
    start_date: Annotated[str | None, Query(max_length=64)] = None,
    end_date: Annotated[str | None, Query(max_length=64)] = None,
    granularity: Annotated[str, Query(max_length=16)] = "daily",
) -> SummaryResponse:
    """Dates optional (default: the 30 days up to now); a bare end date includes that whole day."""
    caller.require(*ANALYTICS_ROLES)
    by = GRANULARITY.get(granularity)
    if by is None:
        raise Invalid("granularity must be daily, weekly or monthly", {"field": "granularity"})
    period = parse_period(start_date, end_date, names=("start_date", "end_date"), default_days=30)
    client = gw.clients.analytics
    report = await client.report(caller, period, by)
    return SummaryResponse(data=summary_of(report), timestamp=naive_utc_timestamp())
