"""Seed 000 POST /api/v1/generate/response: one turn with category, review flag, confidence and alternatives."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Header
from pydantic import BaseModel, ConfigDict, Field

from libs.contracts.models.conversation import PostMessageV1
from services.gateway.deps import Caller, GatewayDep
from services.gateway.dialects.insights.envelope import DIALECT, ok
from services.gateway.dialects.insights.responses import GeneratedResponse, Ok
from services.gateway.fields import Message
from services.gateway.input_policy import FreeForm

router = APIRouter(prefix="/api/v1/generate", route_class=DIALECT.route_class(), tags=["insights: generate"])


class GenerateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    query: Message
    customer_id: Annotated[str, Field(min_length=1, max_length=200, strict=True)]
    context: FreeForm = Field(default_factory=dict)


@router.post("/response", response_model=Ok[GeneratedResponse], response_model_exclude_unset=True)
async def generate_response(
    body: GenerateBody,
    caller: Caller,
    gw: GatewayDep,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> dict[str, Any]:
    command = PostMessageV1(
        session_id=f"gen_{uuid.uuid4().hex[:16]}",
        customer_id=body.customer_id,
        text=body.query,
        channel="api",
        dialect="insights",
        create_if_missing=True,
        idempotency_key=idempotency_key,
        context=body.context,
        want_category=True,
        want_alternatives=True,
    )
    data = await gw.clients.conversation.post_message(caller, command)
    turn = data.turn
    return ok(
        {
            "response": data.reply_message.content,
            "category": turn.category or "general_inquiry",
            "requires_human_review": turn.requires_human_review,
            "confidence": round(turn.confidence or 0.0, 4),
            "alternative_responses": turn.alternatives,
        }
    )
