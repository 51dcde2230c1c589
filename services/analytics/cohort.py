"""Per-session state and what each session adds to the rollups of the hour it was opened in (its cohort).

The figures that follow a session across events (highest tier, open or waiting, escalated, length, sentiment
trend) count the sessions *opened* in the period. Each session has one state row, updated by each of its facts;
what the session contributes (`contribution`) is added to the rollup cell `cohort` of its opening hour, and a
later fact that changes it adds the difference there (a transition: e.g. -1 open, -1 tier AI_REP, +1 tier
HUMAN_AGENT). So a period's figures are sums of rollup cells, however long ago its sessions were opened.

Every update is order-free (max tier, "ended" or "escalated" once true stay true, first/last scored message and
latest resolution/closing chosen by time): a session's facts give the same state in any order, so a replay,
a rebuild or an event that overtook its session's opening still ends with the same numbers.
"""

from __future__ import annotations

from typing import Any

from services.analytics.domain import HUMAN_TIER, TIER_ORDER

COHORT = "cohort"  # the rollup cell's kind
ENDINGS = ("resolved", "closed", "abandoned")
# The facts that change a session's state.
TRACKED = frozenset({"conversation", "escalation", "message", *ENDINGS})


def state_id(tenant_id: str, session_id: str) -> str:
    return f"{tenant_id}|{session_id}"


def new_state(tenant_id: str, session_id: str) -> dict[str, Any]:
    return {"id": state_id(tenant_id, session_id), "tenant_id": tenant_id, "session_id": session_id,
            "opened": None, "test": False, "tier": None, "top_tier": None, "escalated": False, "ended": False,
            "resolved": None, "closed": None, "first": None, "last": None, "scored": 0}  # fmt: skip


def _rank(tier: str | None) -> int:
    return TIER_ORDER.index(tier) if tier in TIER_ORDER else 0


def final_tier(state: dict[str, Any]) -> str:
    """The opening tier unless an escalation reached a strictly higher one (as the fact scan decides)."""
    tier: str = state["tier"] or TIER_ORDER[0]
    top = state["top_tier"]
    return top if top and _rank(top) > _rank(tier) else tier


def _later(current: list[Any] | None, candidate: list[Any]) -> list[Any]:
    return candidate if current is None or candidate[:2] > current[:2] else current


def apply(state: dict[str, Any], doc: dict[str, Any]) -> None:
    """Fold one fact document into the session's state (order-free, see the module's docstring)."""
    kind, at, key = doc["kind"], doc["at"], [doc["at"], doc["id"]]
    if kind == "conversation":
        state |= {"opened": at, "test": bool(doc.get("test")), "tier": doc.get("tier")}
    elif kind == "escalation":
        state["escalated"] = True
        tier = doc.get("to_tier")
        if tier and (state["top_tier"] is None or _rank(tier) > _rank(state["top_tier"])):
            state["top_tier"] = tier
    elif kind in ENDINGS:
        state["ended"] = True
        if kind != "abandoned" and isinstance(doc.get("duration_s"), int | float):
            state[kind] = _later(state[kind], [*key, float(doc["duration_s"])])
    elif kind == "message" and isinstance(doc.get("sentiment_score"), int | float):
        scored = [*key, float(doc["sentiment_score"])]
        state["scored"] += 1
        if state["first"] is None or scored[:2] < state["first"][:2]:
            state["first"] = scored
        state["last"] = _later(state["last"], scored)


def contribution(state: dict[str, Any]) -> dict[str, float]:
    """What the session adds to its opening hour's `cohort` cell: counters, and the sums behind two means."""
    if state["opened"] is None or state["test"]:
        return {}
    tier = final_tier(state)
    out: dict[str, float] = {f"tier:{tier}": 1}
    if not state["ended"]:
        out["open"] = 1
        if tier == HUMAN_TIER:
            out["waiting"] = 1
    if state["escalated"]:
        out["escalated"] = 1
    ending = state["resolved"] or state["closed"]  # a resolution's length wins over the later closing's
    if ending is not None:
        out |= {"ended": 1, "length_s": ending[2]}
    if state["scored"] >= 2:
        out |= {"trend": 1, "trend_sum": state["last"][2] - state["first"][2]}
    return out


def difference(after: dict[str, float], before: dict[str, float]) -> dict[str, float]:
    """after - before, without the counters that did not move."""
    keys = set(after) | set(before)
    return {k: after.get(k, 0) - before.get(k, 0) for k in keys if after.get(k, 0) != before.get(k, 0)}
