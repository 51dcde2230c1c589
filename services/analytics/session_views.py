"""Figures that follow sessions across events, from the facts: the cohort of sessions opened in a period (the
reference for the `cohort` rollups, and the answer for one session's or customer's scope) and durable
resolutions."""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from services.analytics.domain import HUMAN_TIER, TIER_ORDER, iso
from services.analytics.store import FactStore, Scope

ENDED = ("resolved", "closed", "abandoned")


def _rank(tier: str | None) -> int:
    return TIER_ORDER.index(tier) if tier in TIER_ORDER else 0


@dataclass(frozen=True)
class Cohort:
    """The sessions opened in the period, followed up to now (README: definitions)."""

    final_tiers: dict[str, int]  # under the highest tier each reached
    open_sessions: int  # not resolved, closed or abandoned since
    waiting_for_human: int  # of the open ones, those at HUMAN_AGENT
    escalated: dict[str, int]  # escalated at least once, per bucket of their opening ("" for every bucket)
    ended: int  # resolved or closed, with a length
    length_s_total: float  # opening to (latest) resolution, else to (latest) closing
    trend_sessions: int  # with two or more scored customer messages
    trend_total: float  # sum of (last - first) score over them

    @classmethod
    def of_sums(cls, sums: dict[str, float], escalated: dict[str, int]) -> Cohort:
        """From the `cohort` rollup cells' totals (cohort.contribution's names)."""
        counts = {k: round(v) for k, v in sums.items()}
        tiers = {k.split(":", 1)[1]: n for k, n in counts.items() if k.startswith("tier:") and n}
        return cls(tiers, counts.get("open", 0), counts.get("waiting", 0), escalated, counts.get("ended", 0),
                   sums.get("length_s", 0.0), counts.get("trend", 0), sums.get("trend_sum", 0.0))  # fmt: skip


def _latest(docs: list[dict[str, Any]]) -> dict[str, Any] | None:
    timed = [d for d in docs if isinstance(d.get("duration_s"), int | float)]
    return max(timed, key=lambda d: (d["at"], d["id"])) if timed else None


async def scanned_cohort(facts: FactStore, scope: Scope, by: str) -> Cohort:
    """The cohort figures from the facts themselves: the reference the rollups are tested against."""
    opened = {d["session_id"]: d for d in await facts.find_all(scope.filter("conversation")) if d.get("session_id")}
    later: dict[str, dict[str, list[dict[str, Any]]]] = {s: {} for s in opened}
    flt = scope.filter() | {"kind": {"$in": ["escalation", "message", *ENDED]}}
    del flt["at"]  # followed up to now
    for doc in await facts.find_all(flt):
        if doc.get("session_id") in later:
            later[doc["session_id"]].setdefault(doc["kind"], []).append(doc)
    tiers: Counter[str] = Counter()
    escalated: Counter[str] = Counter()
    open_n = waiting = ended = trend_n = 0
    length = trend = 0.0
    for session, first in opened.items():
        seen = later[session]
        tier = first.get("tier") or TIER_ORDER[0]
        top = max((d["to_tier"] for d in seen.get("escalation", []) if d.get("to_tier")), key=_rank, default=None)
        tier = top if top and _rank(top) > _rank(tier) else tier
        tiers[tier] += 1
        if not any(seen.get(kind) for kind in ENDED):
            open_n, waiting = open_n + 1, waiting + (tier == HUMAN_TIER)
        if seen.get("escalation"):
            escalated[""] += 1
            escalated[first[by]] += 1
        ending = _latest(seen.get("resolved", [])) or _latest(seen.get("closed", []))
        if ending is not None:
            ended, length = ended + 1, length + float(ending["duration_s"])
        scored = sorted((d for d in seen.get("message", []) if isinstance(d.get("sentiment_score"), int | float)),
                        key=lambda d: (d["at"], d["id"]))  # fmt: skip
        if len(scored) >= 2:
            trend_n, trend = trend_n + 1, trend + scored[-1]["sentiment_score"] - scored[0]["sentiment_score"]
    return Cohort(dict(tiers), open_n, waiting, dict(escalated), ended, length, trend_n, trend)


async def durable_resolutions(facts: FactStore, scope: Scope, window: timedelta, now: datetime) -> list[dict[str, Any]]:
    """Resolved facts of the period that held: the window after each has passed, and in it the session got no
    new customer message and its customer opened no new conversation (README: durable resolution)."""
    resolved = [d for d in await facts.find_all(scope.filter("resolved")) if _at(d) + window <= now]
    if not resolved:
        return []
    horizon = {"$gte": iso(scope.start), "$lt": iso(scope.end + window)}
    messages: dict[str, list[datetime]] = {}
    for doc in await facts.find_all(scope.filter("message") | {"at": horizon}):
        messages.setdefault(doc.get("session_id") or "", []).append(_at(doc))
    opened: dict[str, list[datetime]] = {}
    for doc in await facts.find_all(scope.filter("conversation") | {"at": horizon}):
        opened.setdefault(doc.get("customer_id") or "", []).append(_at(doc))

    for times in (*messages.values(), *opened.values()):
        times.sort()

    def any_within(times: list[datetime], start: datetime, stop: datetime) -> bool:
        i = bisect_right(times, start)  # the first strictly after the resolution
        return i < len(times) and times[i] <= stop

    def held(doc: dict[str, Any]) -> bool:
        start, stop = _at(doc), _at(doc) + window
        return not (
            any_within(messages.get(doc.get("session_id") or "", []), start, stop)
            or any_within(opened.get(doc.get("customer_id") or "", []), start, stop)
        )

    return [d for d in resolved if held(d)]


def _at(doc: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(doc["at"])
