"""Seed 004 GET /admin/analytics/system and /admin/analytics/user/{user_id} (admin only): CRM users from the
conversation service, conversation figures from the analytics service, documents from the rag service."""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel

from libs.contracts.models.analytics import ReportV1
from libs.contracts.models.conversation import ListCrmUsersV1, ListUserConversationsV1
from services.gateway.auth import Principal
from services.gateway.clients.analytics import Period
from services.gateway.clients.conversation import ConversationClient
from services.gateway.deps import Caller, Gateway, GatewayDep
from services.gateway.dialects.crm_chat.envelope import DIALECT, ok

router = APIRouter(prefix="/admin/analytics", route_class=DIALECT.route_class(), tags=["crm chat: admin"])

UserId = Annotated[str, Path(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_.:@-]+$")]
USAGE_DAYS = 30  # the per-day usage figures are means over the last 30 days
ALL_TIME = timedelta(days=730)  # the longest period the analytics service answers
MAX_USER_PAGES = 20  # new users are counted from the newest pages of the CRM list (100 a page)


class Envelope(BaseModel):
    success: bool
    data: dict[str, Any]
    metadata: dict[str, Any]


def _seconds(ms: float | None) -> float:
    return 0.0 if ms is None else round(ms / 1000, 3)


def _zulu(iso: str | None) -> str | None:
    if iso is None:
        return None
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


async def _reports(gw: Gateway, caller: Principal, customer: str | None = None) -> tuple[ReportV1, ...]:
    analytics = gw.clients.analytics
    now = datetime.now(UTC)
    found = []
    for span in (ALL_TIME, timedelta(days=USAGE_DAYS)):
        period = Period(now - span, now + timedelta(minutes=1))
        found.append(await analytics.report(caller, period, "month", customer_id=customer))
    return tuple(found)


async def _new_users(crm: ConversationClient, caller: Principal, since: datetime) -> tuple[int, int, int]:
    """(total, active, created since `since`): the CRM list is oldest first, so new users are on the last pages."""
    every = await crm.list_users(caller, ListCrmUsersV1(page=1, per_page=100, active_only=False))
    active = await crm.list_users(caller, ListCrmUsersV1(page=1, per_page=1, active_only=True))
    total, new = every.total, 0
    last = math.ceil(total / 100)
    for page in range(last, max(last - MAX_USER_PAGES, 0), -1):
        items = (await crm.list_users(caller, ListCrmUsersV1(page=page, per_page=100, active_only=False))).items
        recent = [u for u in items if datetime.fromisoformat(u.created_at) >= since]
        new += len(recent)
        if len(recent) < len(items):
            break
    return total, active.total, new


@router.get("/system", response_model=Envelope)
async def system_analytics(caller: Caller, gw: GatewayDep, request: Request) -> dict[str, Any]:
    caller.require("admin")
    since = datetime.now(UTC) - timedelta(days=USAGE_DAYS)
    total_users, active_users, new_users = await _new_users(gw.clients.conversation, caller, since)
    everything, recent = await _reports(gw, caller)
    rag = gw.clients.rag
    stats = await rag.stats(caller)
    t, r = everything.totals, recent.totals
    uptime_s = time.monotonic() - float(request.app.state.started_at)
    data = {
        "overview": {
            "total_users": total_users,
            "active_users": active_users,
            "total_conversations": t.conversations,
            "total_messages": t.messages + t.replies,
            "avg_response_time": _seconds(t.response_time_ms_avg),
        },
        "usage_metrics": {
            "messages_per_day": round((r.messages + r.replies) / USAGE_DAYS, 2),
            "conversations_per_day": round(r.conversations / USAGE_DAYS, 2),
            "new_users_per_day": round(new_users / USAGE_DAYS, 2),
            "avg_session_length": round((t.session_length_s_avg or 0.0) / 60, 2),  # minutes
        },
        "performance_metrics": {
            "avg_api_response_time": _seconds(r.response_time_ms_avg),
            "avg_openai_response_time": _seconds(r.generation_ms_avg),
            "error_rate": round(r.degraded_replies / r.replies, 4) if r.replies else 0.0,
            # The share of the last 24 hours this gateway process has been serving.
            "uptime_percentage": round(min(uptime_s / 86_400, 1.0) * 100, 2),
        },
        "document_metrics": {
            "total_documents": stats.total_documents,
            "total_chunks": stats.total_chunks,
            "avg_retrieval_time": _seconds(r.retrieval_ms_avg),
        },
    }
    return ok(request, data)


@router.get("/user/{user_id}", response_model=Envelope)
async def user_analytics(user_id: UserId, caller: Caller, gw: GatewayDep, request: Request) -> dict[str, Any]:
    """Another tenant's user is unknown here (404), and so are their numbers."""
    caller.require("admin")
    crm = gw.clients.conversation
    user = (await crm.get_user(caller, user_id)).user
    history = await crm.user_conversations(caller, ListUserConversationsV1(user_id=user_id, page=1, per_page=20))
    report, _ = await _reports(gw, caller, customer=user_id)
    t = report.totals
    busiest = max(report.weekdays.items(), key=lambda item: item[1], default=(None, 0))[0]
    agent = max(report.agents.items(), key=lambda item: item[1], default=(None, 0))[0]
    ended = t.resolved + t.closed
    data = {
        "user_info": {"id": user.id, "name": user.name, "email": user.email, "created_at": _zulu(user.created_at)},
        "conversation_stats": {
            "total_conversations": t.conversations,
            "avg_messages_per_conversation": round(t.messages_per_session_avg or 0.0, 2),
            "most_active_day": busiest,  # UTC weekday with the most messages; null before the first
            "preferred_agent": agent,  # the agent that answered most; null before the first reply
        },
        "engagement_metrics": {
            "total_time_spent": round(t.session_time_s_total, 1),
            "avg_session_length": round(t.session_length_s_avg or 0.0, 1) if ended else 0.0,
            "response_satisfaction": t.satisfaction_avg,
            "last_active": _zulu(t.last_activity_at),
        },
        "conversation_history": [
            {k: c.get(k) for k in ("id", "title", "message_count", "category")} | {"created_at": _zulu(c["created_at"])}
            for c in (item.model_dump(mode="json") for item in history.items)
        ],
    }
    return ok(request, data)
