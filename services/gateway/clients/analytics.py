"""Gateway -> analytics service: QueryReport on analytics.commands, and the period rules every analytics view shares
(dates parsed, end not before start, at most 2 years), raised as Invalid naming the caller's own field names."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

from libs.contracts.models.analytics import ConversationListV1, ListConversationsV1, QueryReportV1, ReportV1
from libs.errors import Invalid
from services.gateway.auth import Principal
from services.gateway.clients.base import BusClient

Granularity = Literal["hour", "day", "week", "month"]
MAX_PERIOD = timedelta(days=731)


@dataclass(frozen=True)
class Period:
    """[start, end) in UTC. A bare end date covers that whole day."""

    start: datetime
    end: datetime


def parse_moment(value: str, field: str, *, end_of_day: bool = False) -> datetime:
    """An ISO 8601 date or date-time (naive = UTC); a bare date as an end means the end of that day."""
    text = value.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            moment = datetime.combine(day, time(), tzinfo=UTC)
            return moment + timedelta(days=1) if end_of_day else moment
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise Invalid(f"{field} is not an ISO 8601 date", {"field": field}) from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def parse_period(
    start: str | None,
    end: str | None,
    *,
    names: tuple[str, str],
    default_days: int | None = None,
    now: datetime | None = None,
) -> Period:
    """Both dates required unless `default_days` is given (then a missing end is now, a missing start that many
    days before the end)."""
    start_name, end_name = names
    if default_days is None:
        for value, name in ((start, start_name), (end, end_name)):
            if value is None or not value.strip():
                raise Invalid(f"{name} is required", {"field": name})
    until = parse_moment(end, end_name, end_of_day=True) if end else (now or datetime.now(UTC))
    since = parse_moment(start, start_name) if start else until - timedelta(days=default_days or 30)
    if until < since:
        raise Invalid(f"{end_name} is before {start_name}", {"field": end_name})
    if until - since > MAX_PERIOD:
        raise Invalid("The period is longer than 2 years", {"field": end_name})
    return Period(since, until)


def seconds(milliseconds: float | None) -> float:
    """A mean duration for the dialects: 0 when nothing was measured (README: no data means 0, or null for
    satisfaction and sentiment, which 0 would misstate)."""
    return 0.0 if milliseconds is None else round(milliseconds / 1000, 3)


def percent(part: int, whole: int) -> float:
    return round(min(part / whole, 1.0) * 100, 1) if whole else 0.0


class AnalyticsClient(BusClient):
    async def report(
        self,
        caller: Principal,
        period: Period,
        granularity: Granularity,
        *,
        session_id: str | None = None,
        customer_id: str | None = None,
    ) -> ReportV1:
        command = QueryReportV1(
            start=period.start.isoformat(),
            end=period.end.isoformat(),
            granularity=granularity,
            session_id=session_id,
            customer_id=customer_id,
        )
        return await self.ask(caller, command, ReportV1, key=caller.tenant_id)

    async def conversations(
        self, caller: Principal, period: Period, metric: str, *, limit: int, offset: int
    ) -> ConversationListV1:
        command = ListConversationsV1.model_validate(
            {"start": period.start.isoformat(), "end": period.end.isoformat(), "metric": metric,
             "limit": limit, "offset": offset}
        )  # fmt: skip
        return await self.ask(caller, command, ConversationListV1, key=caller.tenant_id)
