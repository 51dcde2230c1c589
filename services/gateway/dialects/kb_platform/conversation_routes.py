"""Seed 003 POST /api/v1/conversations (create or continue) and GET /api/v1/conversations/{id}."""

from __future__ import annotations

import functools
import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header
from pydantic import BaseModel, ConfigDict, Field

from libs.contracts.models.conversation import Message as StoredMessage
from libs.contracts.models.conversation import PostMessageV1
from services.gateway.auth import Principal
from services.gateway.deps import Caller, Gateway, GatewayDep
from services.gateway.dialects.kb_platform.envelope import DIALECT
from services.gateway.dialects.kb_platform.responses import ConversationOut, ConversationView
from services.gateway.fields import Id, Message, PathId
from services.gateway.input_policy import FreeForm
from services.gateway.publishable import ensure_visitor_may_post, ensure_visitor_owns

router = APIRouter(
    prefix="/api/v1/conversations", route_class=DIALECT.route_class(), tags=["kb platform: conversations"]
)

Channel = Literal["chat", "api", "email", "sms", "voice", "web", "widget", "mobile"]
_STATUS = {"RESOLVED": "resolved", "CLOSED": "closed", "ABANDONED": "closed", "ESCALATED": "escalated"}


class ConversationBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    message: Message
    user_id: Id
    channel: Channel = "chat"
    conversation_id: Id | None = None
    metadata: FreeForm = Field(default_factory=dict)


@router.post("", response_model=ConversationOut, response_model_exclude_unset=True)
async def converse(
    body: ConversationBody,
    caller: Caller,
    gw: GatewayDep,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> dict[str, Any]:
    # A widget visitor (publishable key) posts only as themselves, into their own conversation.
    owner = functools.partial(_owner, gw, caller)
    await ensure_visitor_may_post(caller, body.user_id, body.conversation_id, owner)
    conversation_id = body.conversation_id or f"conv_{uuid.uuid4().hex[:12]}"
    command = PostMessageV1(
        session_id=conversation_id,
        customer_id=body.user_id,
        text=body.message,
        channel=body.channel,
        dialect="kb_platform",
        create_if_missing=body.conversation_id is None,
        idempotency_key=idempotency_key,
    )
    data = await gw.clients.conversation.post_message(caller, command)
    turn, reply = data.turn, data.reply_message
    return {
        "conversation_id": conversation_id,
        "response": reply.content,
        "confidence": round(turn.confidence or 0.0, 4),
        "sources": turn.sources,
        "escalated": turn.escalated,
        "timestamp": reply.timestamp,
    }


async def _owner(gw: Gateway, caller: Principal, conversation_id: str) -> str:
    data = await gw.clients.conversation.get_session(caller, conversation_id)
    return data.session.customer_id


def _message(message: StoredMessage) -> dict[str, Any]:
    sender = "user" if message.role == "customer" else ("ai" if message.metadata.get("ai_generated") else "agent")
    view: dict[str, Any] = {"id": message.message_id, "sender": sender, "content": message.content}
    if sender == "ai":
        view["confidence"] = message.metadata.get("confidence")
    return view | {"timestamp": message.timestamp}


@router.get("/{conversation_id}", response_model=ConversationView, response_model_exclude_unset=True)
async def get_conversation(
    conversation_id: PathId,
    caller: Caller,
    gw: GatewayDep,
) -> dict[str, Any]:
    data = await gw.clients.conversation.get_session(caller, conversation_id)
    session = data.session
    ensure_visitor_owns(caller, session.customer_id)
    return {
        "conversation_id": session.session_id,
        "user_id": session.customer_id,
        "channel": session.channel,
        "messages": [_message(m) for m in data.messages],
        "status": _STATUS.get(session.status, "active"),
        "created_at": session.created_at,
    }
