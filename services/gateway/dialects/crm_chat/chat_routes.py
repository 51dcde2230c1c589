"""Seed 004 POST /chat: a turn routed to the general, sales or support agent, with user info and RAG context."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from pydantic import BaseModel, ConfigDict, Field

from libs.contracts.models.conversation import PostMessageV1, RagPassage
from libs.errors import Forbidden, NotFound
from services.gateway.deps import Caller, GatewayDep
from services.gateway.dialects.base import request_id, zulu_timestamp
from services.gateway.dialects.crm_chat.envelope import DIALECT
from services.gateway.dialects.crm_chat.responses import ChatOut
from services.gateway.fields import Message
from services.gateway.input_policy import FreeForm

router = APIRouter(route_class=DIALECT.route_class(), tags=["crm chat: chat"])
Id = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_.:@-]+$", strict=True)]


class ChatBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    message: Message
    user_id: Id
    conversation_id: Id | None = None
    session_token: Annotated[str, Field(min_length=1, max_length=512)] | None = None
    context: FreeForm = Field(default_factory=dict)


def _rag(passage: RagPassage) -> dict[str, Any]:
    metadata = {"filename": passage.filename or passage.source, "chunk_id": passage.chunk_id}
    return {"content": passage.content, "source": passage.source, "score": passage.score, "metadata": metadata}


@router.post("/chat", response_model=ChatOut, response_model_exclude_unset=True)
async def chat(
    body: ChatBody,
    caller: Caller,
    gw: GatewayDep,
    request: Request,
    x_session_token: Annotated[str | None, Header(min_length=1, max_length=512)] = None,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> dict[str, Any]:
    conv = gw.clients.conversation
    token = body.session_token or x_session_token
    if token is not None:
        found = await conv.validate_token(caller.tenant_id, token)
        if found.tenant_id != caller.tenant_id or found.user_id != body.user_id:
            raise Forbidden("Session token belongs to another user", {"session_token": "not this user's"})
    conversation_id = body.conversation_id or f"conv_{uuid.uuid4().hex[:12]}"
    command = PostMessageV1(
        session_id=conversation_id,
        customer_id=body.user_id,
        text=body.message,
        channel="chat",
        dialect="crm_chat",
        create_if_missing=True,
        idempotency_key=idempotency_key,
        context=body.context,
        want_agent=True,
    )
    data = await conv.post_message(caller, command)
    user_info: dict[str, Any] = {"id": body.user_id, "name": None, "email": None, "company": None}
    try:
        user = (await conv.get_user(caller, body.user_id)).user
        user_info = {"id": user.id, "name": user.name, "email": user.email, "company": user.company}
    except NotFound:
        pass
    turn = data.turn
    return {
        "response": data.reply_message.content,
        "conversation_id": conversation_id,
        "user_info": user_info,
        "rag_context": [_rag(p) for p in turn.rag_context],
        "metadata": {
            "response_time": round(turn.response_time_ms / 1000, 3),
            "tokens_used": turn.tokens.input + turn.tokens.output,
            "agent_used": turn.agent_used or "general_agent",
            "rag_documents_retrieved": len(turn.rag_context),
            "openai_model": turn.model or "none",
            "conversation_length": data.session.message_count,
            "timestamp": zulu_timestamp(),
            "request_id": request_id(request),
        },
    }
