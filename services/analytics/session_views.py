"""Rollups that follow sessions across events: the highest tier each reached, whether it is still open, and its
sentiment trajectory."""

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
class SessionStates:
    final_tiers: Counter[str]  # sessions opened in the period, under the highest tier each reached
    open_sessions: int  # of those, not resolved, closed or abandoned since
    waiting_for_human: int  # of the open ones, those at HUMAN_AGENT


async def session_states(facts: FactStore, scope: Scope) -> SessionStates:
    final: dict[str, str] = {}
    for doc in await facts.find_all(scope.filter("conversation")):
        final[doc["session_id"]] = doc.get("tier", TIER_ORDER[0])
    since = {"$gte": iso(scope.start)}  # escalations and endings of those sessions may come after the period
    for doc in await facts.find_all(scope.filter("escalation") | {"at": since}):
        session, tier = doc.get("session_id"), doc.get("to_tier")
        if session in final and tier and _rank(tier) > _rank(final[session]):
            final[session] = tier
    ended = {d.get("session_id") for d in await facts.find_all(scope.filter() | {"kind": {"$in": ENDED}, "at": since})}
    still_open = [s for s in final if s not in ended]
    return SessionStates(
        final_tiers=Counter(final.values()),
        open_sessions=len(still_open),
        waiting_for_human=sum(1 for s in still_open if final[s] == HUMAN_TIER),
    )


@dataclass(frozen=True)
class Trajectory:
    sessions: int
    mean_change: float | None


async def sentiment_trajectory(facts: FactStore, scope: Scope) -> Trajectory:
    """Mean of (last - first) customer sentiment over sessions with two or more scored messages in the period."""
    first: dict[str, float] = {}
    last: dict[str, float] = {}
    counts: Counter[str] = Counter()
    for doc in await facts.find_all(scope.filter("message", sentiment_score={"$exists": True})):
        session, score = doc.get("session_id"), doc.get("sentiment_score")
        if session is None or not isinstance(score, int | float):
            continue
        first.setdefault(session, float(score))
        last[session] = float(score)
        counts[session] += 1
    changes = [last[s] - first[s] for s, n in counts.items() if n >= 2]
    return Trajectory(len(changes), round(sum(changes) / len(changes), 4) if changes else None)


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


async def session_lengths(facts: FactStore, scope: Scope) -> dict[str, float]:
    """Length of each session that ended in the period: opening to resolution, else to closing."""
    lengths: dict[str, float] = {}
    for kind in ("closed", "resolved"):  # a resolution's length wins over the later closing's
        for doc in await facts.find_all(scope.filter(kind, duration_s={"$exists": True})):
            if doc.get("session_id"):
                lengths[doc["session_id"]] = float(doc["duration_s"])
    return lengths
