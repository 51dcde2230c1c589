"""POST /api/v1/conversations/{conversation_id}/feedback (seed 003 names the feedback.submitted event): the
customer's 1-5 rating of a conversation, stored by the conversation service, which emits FeedbackSubmitted."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from libs.contracts.models.conversation import SubmitFeedbackV1
from services.gateway.deps import Caller, GatewayDep
from services.gateway.dialects.kb_platform.envelope import DIALECT
from services.gateway.fields import PathId

router = APIRouter(
    prefix="/api/v1/conversations", route_class=DIALECT.route_class(), tags=["kb platform: conversations"]
)


class FeedbackBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rating: int = Field(ge=1, le=5, strict=True)
    comment: str | None = Field(default=None, max_length=4000, strict=True)


class FeedbackOut(BaseModel):
    conversation_id: str
    rating: int
    comment: str | None
    submitted_at: str


@router.post("/{conversation_id}/feedback", status_code=201, response_model=FeedbackOut)
async def submit_feedback(
    conversation_id: PathId,
    body: FeedbackBody,
    caller: Caller,
    gw: GatewayDep,
) -> FeedbackOut:
    """One rating per conversation: the same rating again answers the stored one, a different one is 409; a
    conversation of another tenant is 404."""
    # The body's unset fields stay unset in the command (a comment only when one was given).
    command = SubmitFeedbackV1(session_id=conversation_id, **body.model_dump(exclude_none=True))
    receipt = await gw.clients.conversation.submit_feedback(caller, command)
    return FeedbackOut(
        conversation_id=receipt.session_id,
        rating=receipt.rating,
        comment=receipt.comment,
        submitted_at=receipt.submitted_at,
    )
