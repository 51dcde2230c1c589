"""Seed 002 GET /analytics?companyId=&startDate=&endDate=[&groupBy=] (under the /cs prefix): the company's CS
analytics from the analytics service; CS_005 for a missing companyId, CS_009 for another company, CS_008 for a
bad date or groupBy."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from libs.contracts.models.analytics import ReportGroup, ReportV1
from libs.errors import Invalid
from services.gateway.clients.analytics import Granularity, Period, parse_period, percent
from services.gateway.deps import Caller, GatewayDep
from services.gateway.dialects.tiered_cs.config_routes import _check_company
from services.gateway.dialects.tiered_cs.envelope import DIALECT

router = APIRouter(route_class=DIALECT.route_class(), tags=["tiered cs: analytics"])

TIERS = ("AI_REP", "AI_MANAGER", "HUMAN_AGENT")
CHANNELS = ("voice", "chat", "email", "sms")  # the seed's channel enum; sessions opened elsewhere count in totals
CS_LEVELS = ("HAPPY", "SATISFIED", "NEUTRAL", "FRUSTRATED", "ANGRY", "IRATE")
GROUPS: dict[str, Granularity] = {"day": "day", "week": "week", "month": "month"}


class PeriodOut(BaseModel):
    start: str
    end: str


class Overview(BaseModel):
    totalSessions: int
    resolvedSessions: int
    resolutionRate: float
    avgResolutionTime: float
    avgMessagesPerSession: float
    customerSatisfactionAvg: float | None


class TierRow(BaseModel):
    tier: str
    sessions: int
    resolved: int
    resolutionRate: float
    avgTime: float


class ChannelRow(BaseModel):
    channel: str
    sessions: int
    resolved: int
    avgTime: float


class Escalations(BaseModel):
    total: int
    byReason: dict[str, int]
    avgEscalationTime: float
    escalationRate: float


class Sentiment(BaseModel):
    distribution: dict[str, int]
    irateIncidents: int
    sentimentImprovement: float


class TimelineRow(BaseModel):
    date: str
    sessions: int
    resolved: int
    escalated: int


class CsAnalytics(BaseModel):
    period: PeriodOut
    overview: Overview
    byTier: list[TierRow]
    byChannel: list[ChannelRow]
    escalations: Escalations
    sentiment: Sentiment
    timeline: list[TimelineRow] | None = None  # only with groupBy (not in the seed's example)


def _avg(value: float | None) -> float:
    return 0.0 if value is None else round(value, 1)


def _tier_rows(report: ReportV1) -> list[TierRow]:
    """Always the three tiers, in order: a tier nobody reached shows zeros."""
    found = {g.key: g for g in report.by_tier}
    rows = []
    for tier in TIERS:
        g = found.get(tier) or ReportGroup(key=tier, sessions=0, resolved=0)
        rate = percent(g.resolved, g.sessions)
        rows.append(TierRow(tier=tier, sessions=g.sessions, resolved=g.resolved, resolutionRate=rate,
                            avgTime=_avg(g.resolution_time_s_avg)))  # fmt: skip
    return rows


def _channel_rows(report: ReportV1) -> list[ChannelRow]:
    found = {g.key: g for g in report.by_channel}
    return [
        ChannelRow(channel=c, sessions=g.sessions, resolved=g.resolved, avgTime=_avg(g.resolution_time_s_avg))
        for c in CHANNELS
        if (g := found.get(c)) is not None
    ]


def _timeline(report: ReportV1) -> list[TimelineRow]:
    return [
        TimelineRow(
            date=datetime.fromisoformat(b.start).date().isoformat(),
            sessions=b.conversations,
            resolved=b.resolved,
            escalated=b.escalated_sessions,
        )
        for b in report.series
    ]


def cs_analytics(report: ReportV1, shown: PeriodOut, with_timeline: bool) -> CsAnalytics:
    t = report.totals
    improvement = t.sentiment_improvement
    return CsAnalytics(
        period=shown,
        overview=Overview(
            totalSessions=t.conversations,
            resolvedSessions=t.resolved,
            resolutionRate=percent(t.resolved, t.conversations),
            avgResolutionTime=_avg(t.resolution_time_s_avg),
            avgMessagesPerSession=_avg(t.messages_per_session_avg),
            customerSatisfactionAvg=t.satisfaction_avg,
        ),
        byTier=_tier_rows(report),
        byChannel=_channel_rows(report),
        escalations=Escalations(
            total=t.escalations,
            byReason=report.escalation_reasons,
            avgEscalationTime=_avg(t.escalation_time_s_avg),
            escalationRate=percent(t.escalations, t.conversations),
        ),
        sentiment=Sentiment(
            distribution={level: report.cs_levels.get(level, 0) for level in CS_LEVELS},
            irateIncidents=t.irate_incidents,
            sentimentImprovement=_avg(None if improvement is None else improvement * 100),
        ),
        timeline=_timeline(report) if with_timeline else None,
    )


@router.get("/analytics", response_model=CsAnalytics)
async def cs_analytics_route(
    caller: Caller,
    gw: GatewayDep,
    company_id: Annotated[str | None, Query(alias="companyId", max_length=200)] = None,
    start_date: Annotated[str | None, Query(alias="startDate", max_length=64)] = None,
    end_date: Annotated[str | None, Query(alias="endDate", max_length=64)] = None,
    group_by: Annotated[str | None, Query(alias="groupBy", max_length=16)] = None,
) -> CsAnalytics:
    _check_company(caller, company_id)
    caller.require("analyst")
    period: Period = parse_period(start_date, end_date, names=("startDate", "endDate"))
    if group_by is not None and group_by not in GROUPS:
        raise Invalid("groupBy must be day, week or month", {"field": "groupBy"})
    client = gw.clients.analytics
    report = await client.report(caller, period, GROUPS.get(group_by or "day", "day"))
    shown = PeriodOut(start=start_date or "", end=end_date or "")  # both checked by parse_period
    return cs_analytics(report, shown, with_timeline=group_by is not None)
