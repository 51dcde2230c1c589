"""Seed 001 POST /api/query: one customer turn through the conversation pipeline, in the support-agent shape."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header
from pydantic import BaseModel, ConfigDict

from libs.contracts.models.conversation import PostMessageV1, TurnFacts
from services.gateway.deps import Caller, GatewayDep
from services.gateway.dialects.support_agent.envelope import DIALECT
from services.gateway.dialects.support_agent.responses import QueryOut
from services.gateway.fields import Id, Message

router = APIRouter(route_class=DIALECT.route_class(), tags=["support agent: query"])


class QueryBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    query: Message
    session_id: Id
    customer_id: Id


def model_used(turn: TurnFacts) -> str:
    if turn.model:
        return str(turn.model)
    return "human_agent" if turn.handoff else "unavailable"


@router.post("/api/query", response_model=QueryOut, response_model_exclude_unset=True)
async def query(
    body: QueryBody,
    caller: Caller,
    gw: GatewayDep,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> dict[str, Any]:
    command = PostMessageV1(
        session_id=body.session_id,
        customer_id=body.customer_id,
        text=body.query,
        channel="api",
        dialect="support_agent",
        escalate_on_negative_sentiment=True,  # seed 001: a strongly negative customer escalates at once
        create_if_missing=True,
        idempotency_key=idempotency_key,
    )
    data = await gw.clients.conversation.post_message(caller, command)
    turn = data.turn
    return {
        "response": data.reply_message.content,
        "model_used": model_used(turn),
        "sentiment_score": turn.sentiment.score,
        "complexity_score": turn.complexity_score,
        "response_time_ms": turn.response_time_ms,
        "escalated": turn.escalated,
        "escalation_reason": turn.escalation_reason,
        "ticket_id": turn.ticket_id,
        "cached": turn.cached,
    }
