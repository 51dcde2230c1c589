"""Seed 001 POST/GET/DELETE /api/session: open, read (with history and escalations) and close a session."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict

from libs.contracts.models.conversation import Message, StartSessionV1, TicketRef
from libs.contracts.models.escalation import TicketView
from libs.errors import Timeout, Unavailable
from services.gateway.auth import Principal
from services.gateway.deps import Caller, Gateway, GatewayDep
from services.gateway.dialects.support_agent.envelope import DIALECT
from services.gateway.dialects.support_agent.responses import ClosedSession, SessionOut, SessionView
from services.gateway.fields import Id, PathId

router = APIRouter(route_class=DIALECT.route_class(), tags=["support agent: sessions"])

MAX_TICKETS = 500  # a session's escalations shown (ListTickets' page limit)
SessionId = PathId


class SessionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    customer_id: Id
    session_id: Id | None = None


def status_word(status: str) -> str:
    return "closed" if status in ("CLOSED", "RESOLVED", "ABANDONED") else "active"


def _message(message: Message) -> dict[str, Any]:
    meta = message.metadata
    customer = message.role == "customer"
    return {
        "id": message.message_id,
        "timestamp": message.timestamp,
        "role": "user" if customer else "assistant",
        "content": message.content,
        "metadata": {
            "model_used": None if customer else meta.get("model"),
            "sentiment_score": meta.get("sentiment_score"),
            "complexity_score": None if customer else meta.get("complexity_score"),
        },
    }


@router.post("/api/session", response_model=SessionOut, response_model_exclude_unset=True)
async def create_session(body: SessionBody, caller: Caller, gw: GatewayDep) -> dict[str, Any]:
    command = StartSessionV1(
        session_id=body.session_id, customer_id=body.customer_id, channel="api", dialect="support_agent"
    )
    data = await gw.clients.conversation.start_session(caller, command)
    session = data.session
    return {
        "session_id": session.session_id,
        "customer_id": session.customer_id,
        "created_at": session.created_at,
        "status": status_word(session.status),
    }


async def _tickets(gw: Gateway, caller: Principal, session_id: str) -> list[TicketView] | None:
    """The session's escalation tickets as the escalation service has them now (policy-opened and POST
    /api/escalation ones, with their current status); None when that service cannot answer."""
    client = gw.clients.escalation
    try:
        page = await client.list_tickets(caller, session_id=session_id, limit=MAX_TICKETS, offset=0)
    except (Unavailable, Timeout):
        return None
    return page.tickets


@router.get("/api/session/{session_id}", response_model=SessionView, response_model_exclude_unset=True)
async def get_session(session_id: SessionId, caller: Caller, gw: GatewayDep) -> dict[str, Any]:
    data, tickets = await asyncio.gather(
        gw.clients.conversation.get_session(caller, session_id), _tickets(gw, caller, session_id)
    )
    session = data.session
    # Without the escalation service, the tickets the conversation recorded itself (status as first seen).
    escalations: Sequence[TicketView | TicketRef] = tickets if tickets is not None else session.escalations
    return {
        "session_id": session.session_id,
        "customer_id": session.customer_id,
        "created_at": session.created_at,
        "updated_at": session.updated_at,
        "status": status_word(session.status),
        "messages": [_message(m) for m in data.messages],
        "escalations": [
            {"ticket_id": e.ticket_id, "reason": e.reason, "created_at": e.created_at, "status": e.status}
            for e in escalations
        ],
    }


@router.delete("/api/session/{session_id}", response_model=ClosedSession, response_model_exclude_unset=True)
async def close_session(session_id: SessionId, caller: Caller, gw: GatewayDep) -> dict[str, Any]:
    session = (await gw.clients.conversation.close(caller, session_id)).session
    return {
        "message": "Session closed successfully",
        "session_id": session.session_id,
        "archived_at": session.closed_at,
    }
