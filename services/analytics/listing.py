"""analytics.ListConversations: the conversations behind one figure of the report, so a customer can check it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from libs.contracts.models.analytics import ConversationListV1, CountedConversation
from services.analytics.session_views import durable_resolutions
from services.analytics.store import FactStore, Scope

# metric -> (fact kind, extra filter); durable_resolved and the distinct-session metrics are handled below.
SIMPLE: dict[str, tuple[str, dict[str, Any]]] = {
    "conversations": ("conversation", {}),
    "resolved": ("resolved", {}),
    "ai_resolved": ("resolved", {"ai_resolved": True}),
    "abandoned": ("abandoned", {}),
}
# Counted once per session, at its first such event in the period.
DISTINCT = {"escalated": "escalation", "rated": "rating"}


async def counted_facts(
    facts: FactStore, scope: Scope, metric: str, *, window: timedelta, now: datetime
) -> list[dict[str, Any]]:
    """The facts a figure counts, one per conversation, oldest first."""
    if metric == "durable_resolved":
        return await durable_resolutions(facts, scope, window, now)
    if metric in SIMPLE:
        kind, extra = SIMPLE[metric]
        return await facts.find_all(scope.filter(kind, **extra))
    first: dict[str, dict[str, Any]] = {}
    for doc in await facts.find_all(scope.filter(DISTINCT[metric])):
        if doc.get("session_id"):
            first.setdefault(doc["session_id"], doc)
    return list(first.values())


def _item(doc: dict[str, Any]) -> CountedConversation:
    fields = ("customer_id", "channel", "tier", "reason", "rating")
    return CountedConversation.model_validate(
        {"session_id": doc["session_id"], "at": doc["at"]} | {k: doc[k] for k in fields if doc.get(k) is not None}
    )


async def list_conversations(
    facts: FactStore, scope: Scope, metric: str, *, limit: int, offset: int, window: timedelta, now: datetime
) -> ConversationListV1:
    found = await counted_facts(facts, scope, metric, window=window, now=now)
    page = found[offset : offset + limit]
    return ConversationListV1(metric=metric, total=len(found), items=[_item(d) for d in page])  # type: ignore[arg-type]
