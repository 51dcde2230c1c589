"""Seed 004 POST /sessions/create (end-customer session token) and the open GET /sessions/validate/{token}."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, ConfigDict, Field

from services.gateway.deps import Caller, GatewayDep
from services.gateway.dialects.crm_chat.envelope import DIALECT, ok
from services.gateway.dialects.crm_chat.responses import IssuedSession, Ok, ValidatedSession

router = APIRouter(prefix="/sessions", route_class=DIALECT.route_class(), tags=["crm chat: sessions"])


class CreateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user_id: Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_.:@-]+$", strict=True)]


@router.post("/create", response_model=Ok[IssuedSession], response_model_exclude_unset=True)
async def create_session(body: CreateBody, caller: Caller, gw: GatewayDep, request: Request) -> dict[str, Any]:
    issued = await gw.clients.conversation.issue_token(caller, body.user_id)
    keys = ("session_id", "session_token", "user_id", "expires_at", "created_at")
    return ok(request, {k: issued[k] for k in keys})


@router.get(
    "/validate/{session_token}",
    response_model=Ok[ValidatedSession],
    response_model_exclude_unset=True,
    responses=DIALECT.responses(401),  # an unknown or expired token
)
async def validate_session(
    session_token: Annotated[str, Path(min_length=1, max_length=512)], gw: GatewayDep, request: Request
) -> dict[str, Any]:
    """Open (no API key): the token is the credential; unknown or expired tokens are 401."""
    found = await gw.clients.conversation.validate_token(gw.settings.default_tenant, session_token)
    return ok(request, {k: found[k] for k in ("valid", "session_id", "user_id", "expires_at")})
