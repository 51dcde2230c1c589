"""analytics.ListConversations: the conversations behind one figure of the report, so a customer can check it.

The total is the report's own figure, from the rollups; the page is read through an index from its offset (the
facts of one kind in time order, or the state rows of the sessions opened in the period), so a listing costs
about its page, not the period."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from libs.contracts.models.analytics import ConversationListV1, CountedConversation
from services.analytics.domain import iso
from services.analytics.durable import durable_count
from services.analytics.rollup_view import RollupView
from services.analytics.store import FactStore, Scope

# metric -> (fact kind, category filter): one item per fact, as the report counts them.
SIMPLE: dict[str, tuple[str, dict[str, Any]]] = {
    "conversations": ("conversation", {}),
    "resolved": ("resolved", {}),
    "ai_resolved": ("resolved", {"ai_resolved": True}),
    "abandoned": ("abandoned", {}),
    "rated": ("rating", {}),  # each collected rating (satisfaction_count)
}
_CHUNK = 500
Page = tuple[int, list[dict[str, Any]]]  # the figure, and the facts of the page


async def _simple(facts: FactStore, scope: Scope, metric: str, limit: int, offset: int) -> Page:
    kind, extra = SIMPLE[metric]
    view = await RollupView.load(facts, scope, "month")
    page = await facts.facts.find(scope.filter(kind, **extra), sort=[("at", 1)], skip=offset, limit=limit)
    return view.count(kind, **extra), page


async def _escalated(facts: FactStore, scope: Scope, limit: int, offset: int) -> Page:
    """Sessions opened in the period that escalated (escalated_sessions), each at its first escalation."""
    view = await RollupView.load(facts, scope, "month")
    flt = {"tenant_id": scope.tenant_id, "opened": {"$gte": iso(scope.start), "$lt": iso(scope.end)},
           "escalated": True, "test": False}  # fmt: skip
    page: list[dict[str, Any]] = []
    for state in await facts.states.find(flt, sort=[("opened", 1)], skip=offset, limit=limit):
        # No ORDER BY in the query: with one, SQLite walks the (tenant, kind, at) index (store.find_all).
        found = await facts.find_all({"tenant_id": scope.tenant_id, "session_id": state["session_id"],
                                      "kind": "escalation"})  # fmt: skip
        page += found[:1]
    return round(view.cohort_sums().get("escalated", 0)), page


async def _durable(facts: FactStore, scope: Scope, limit: int, offset: int, window: timedelta, now: datetime) -> Page:
    """Resolutions whose window has passed, in time order, without the broken ones (durable.py)."""
    total = await durable_count(facts, scope, window, now)
    flt = scope.filter("resolved") | {"at": {"$gte": iso(scope.start), "$lt": iso(min(scope.end, now - window))}}
    held: list[dict[str, Any]] = []
    read = 0
    while len(held) < offset + limit:
        chunk = await facts.facts.find(flt, sort=[("at", 1)], skip=read, limit=_CHUNK)
        ids = [d["id"] for d in chunk]
        broken = {d["id"] for d in await facts.breaks.find({"id": {"$in": ids}}, limit=len(ids))} if ids else set()
        held += [d for d in chunk if d["id"] not in broken]
        read += len(chunk)
        if len(chunk) < _CHUNK:
            break
    return total, held[offset : offset + limit]


def _item(doc: dict[str, Any]) -> CountedConversation:
    fields = ("customer_id", "channel", "tier", "reason", "rating")
    return CountedConversation.model_validate(
        {"session_id": doc["session_id"], "at": doc["at"]} | {k: doc[k] for k in fields if doc.get(k) is not None}
    )


async def list_conversations(
    facts: FactStore, scope: Scope, metric: str, *, limit: int, offset: int, window: timedelta, now: datetime
) -> ConversationListV1:
    if metric == "durable_resolved":
        total, page = await _durable(facts, scope, limit, offset, window, now)
    elif metric == "escalated":
        total, page = await _escalated(facts, scope, limit, offset)
    else:
        total, page = await _simple(facts, scope, metric, limit, offset)
    return ConversationListV1(metric=metric, total=total, items=[_item(d) for d in page if d.get("session_id")])  # type: ignore[arg-type]
