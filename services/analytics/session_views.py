"""Rollups that follow sessions across events: the highest tier each reached, and its sentiment trajectory."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from services.analytics.domain import TIER_ORDER
from services.analytics.store import FactStore, Scope


def _rank(tier: str | None) -> int:
    return TIER_ORDER.index(tier) if tier in TIER_ORDER else 0


async def sessions_by_final_tier(facts: FactStore, scope: Scope) -> Counter[str]:
    """Sessions opened in the period, each counted once under the highest tier it reached."""
    final: dict[str, str] = {}
    for doc in await facts.find_all(scope.filter("conversation")):
        final[doc["session_id"]] = doc.get("tier", TIER_ORDER[0])
    for doc in await facts.find_all(scope.filter("escalation")):
        session, tier = doc.get("session_id"), doc.get("to_tier")
        if session in final and tier and _rank(tier) > _rank(final[session]):
            final[session] = tier
    return Counter(final.values())


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
