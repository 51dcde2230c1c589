"""Seed 001 GET /api/metrics, GET /api/metrics/session/{session_id} and GET /api/status, answered from the
analytics service's rollups (a session of another tenant is unknown: 404)."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from libs.contracts.models.analytics import ReportV1
from libs.errors import NotFound
from services.gateway.auth import Principal
from services.gateway.clients.analytics import MAX_PERIOD, Period, parse_period
from services.gateway.deps import Caller, Gateway, GatewayDep
from services.gateway.dialects.support_agent.envelope import DIALECT
from services.gateway.fields import PathId

router = APIRouter(route_class=DIALECT.route_class(), tags=["support agent: metrics"])

Timeframe = Literal["hour", "day", "week", "month"]
SPAN = {"hour": timedelta(hours=1), "day": timedelta(days=1), "week": timedelta(weeks=1), "month": timedelta(days=30)}
# Events reach the analytics service a moment after the reply that caused them: a session just created may not be
# counted yet, so an unknown session is asked for again a few times before it is a 404.
SESSION_RETRIES = (0.1, 0.2, 0.4, 0.8)


class SentimentCounts(BaseModel):
    positive: int
    neutral: int
    negative: int


class CostMetrics(BaseModel):
    total_cost: float
    cost_per_query: float
    cost_by_model: dict[str, float]


class Metrics(BaseModel):
    timeframe: Timeframe
    total_queries: int
    avg_response_time_ms: float
    model_usage: dict[str, int]
    sentiment_distribution: SentimentCounts
    escalation_rate: float
    cache_hit_rate: float
    cost_metrics: CostMetrics


class SessionMetrics(BaseModel):
    session_id: str
    total_messages: int
    avg_sentiment: float | None
    avg_complexity: float | None
    models_used: list[str]
    total_response_time_ms: int
    escalated: bool
    satisfaction_score: float | None  # null until the session's customer rates it


class Status(BaseModel):
    system_status: str
    active_sessions: int
    queue_length: int
    avg_response_time_ms: float
    error_rate: float
    last_deployment: str
    maintenance_window: str | None


def _ratio(part: int, whole: int) -> float:
    return round(min(part / whole, 1.0), 4) if whole else 0.0


def metrics_of(report: ReportV1, timeframe: Timeframe) -> Metrics:
    t = report.totals
    labels = report.sentiment_labels
    return Metrics(
        timeframe=timeframe,
        total_queries=t.messages,
        avg_response_time_ms=round(t.response_time_ms_avg or 0.0, 1),
        model_usage={m.model: m.replies for m in report.by_model},
        sentiment_distribution=SentimentCounts(
            positive=labels.get("positive", 0), neutral=labels.get("neutral", 0), negative=labels.get("negative", 0)
        ),
        escalation_rate=_ratio(t.escalated_sessions, t.conversations),
        cache_hit_rate=_ratio(t.cache_hits, t.replies),
        cost_metrics=CostMetrics(
            total_cost=t.cost_usd,
            cost_per_query=round(t.cost_usd / t.messages, 6) if t.messages else 0.0,
            cost_by_model={m.model: m.cost_usd for m in report.by_model},
        ),
    )


@router.get("/api/metrics", response_model=Metrics)
async def metrics(
    caller: Caller,
    gw: GatewayDep,
    timeframe: Timeframe = "day",
    start_date: Annotated[str | None, Query(max_length=64)] = None,
    end_date: Annotated[str | None, Query(max_length=64)] = None,
) -> Metrics:
    """Without dates: the last hour, day, week or month (30 days) up to now."""
    caller.require("analyst")
    days = SPAN[timeframe] / timedelta(days=1)
    if start_date is None and end_date is None:
        now = datetime.now(UTC)
        period = Period(now - SPAN[timeframe], now)
    else:
        period = parse_period(start_date, end_date, names=("start_date", "end_date"), default_days=int(days) or 1)
    report = await gw.clients.analytics.report(caller, period, timeframe)
    return metrics_of(report, timeframe)


async def _session_report(gw: Gateway, caller: Principal, session_id: str) -> ReportV1:
    now = datetime.now(UTC)
    period = Period(now - MAX_PERIOD + timedelta(minutes=1), now + timedelta(minutes=1))
    for pause in (*SESSION_RETRIES, None):
        report = await gw.clients.analytics.report(caller, period, "month", session_id=session_id)
        if report.totals.conversations or report.totals.messages:
            return report
        if pause is not None:
            await asyncio.sleep(pause)
    raise NotFound("Session not found", {"session_id": session_id})


@router.get("/api/metrics/session/{session_id}", response_model=SessionMetrics)
async def session_metrics(
    session_id: PathId,
    caller: Caller,
    gw: GatewayDep,
) -> SessionMetrics:
    caller.require("analyst", "agent")
    report = await _session_report(gw, caller, session_id)
    t = report.totals
    return SessionMetrics(
        session_id=session_id,
        total_messages=t.messages + t.replies,
        avg_sentiment=t.sentiment_avg,
        avg_complexity=t.complexity_avg,
        models_used=[m.model for m in report.by_model if m.model],
        total_response_time_ms=t.response_time_ms_total,
        escalated=t.escalated_sessions > 0,
        satisfaction_score=t.satisfaction_avg,
    )


@router.get("/api/status", response_model=Status)
async def status(caller: Caller, gw: GatewayDep, request: Request) -> Status:
    """Sessions of the last 24 hours still open; queue: those of them waiting for a human; response time and
    error rate (replies with a degraded step) over the last hour."""
    caller.require("analyst", "agent")
    now = datetime.now(UTC)
    client = gw.clients.analytics
    day = await client.report(caller, Period(now - timedelta(days=1), now), "hour")
    hour = await client.report(caller, Period(now - timedelta(hours=1), now), "hour")
    checks = await request.app.state.health.readiness()
    deployed = now - timedelta(seconds=time.monotonic() - float(request.app.state.started_at))
    return Status(
        system_status="operational" if all(checks.values()) else "degraded",
        active_sessions=day.totals.open_sessions,
        queue_length=day.totals.waiting_for_human,
        avg_response_time_ms=round(hour.totals.response_time_ms_avg or 0.0, 1),
        error_rate=_ratio(hour.totals.degraded_replies, hour.totals.replies),
        last_deployment=deployed.isoformat(timespec="seconds").replace("+00:00", "Z"),
        maintenance_window=gw.settings.maintenance_window,
    )
