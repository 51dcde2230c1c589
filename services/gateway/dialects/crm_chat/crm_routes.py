"""Seed 004 CRM: POST /crm/create_user, GET /crm/users/{id} (with stats), GET /crm/users, GET /crm/conversations."""

from __future__ import annotations

import math
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from libs.contracts.models.conversation import (
    CreateCrmUserV1,
    CrmPageV1,
    CrmUserRecord,
    ListCrmUsersV1,
    ListUserConversationsV1,
)
from services.gateway.deps import Caller, GatewayDep
from services.gateway.dialects.crm_chat.envelope import DIALECT, ok
from services.gateway.dialects.crm_chat.responses import (
    ConversationSummary,
    Ok,
    Paged,
    UserListItem,
    UserRecord,
    UserWithStats,
)
from services.gateway.input_policy import FreeForm

router = APIRouter(prefix="/crm", route_class=DIALECT.route_class(), tags=["crm chat: crm"])
UserId = Annotated[str, Path(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_.:@-]+$")]
Page = Annotated[int, Query(ge=1, le=1_000_000)]
PerPage = Annotated[int, Query(ge=1, le=100)]
Text = Annotated[str, Field(max_length=200)]


class UserBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, Field(min_length=1, max_length=200, strict=True)]
    email: Annotated[str, Field(min_length=3, max_length=320, strict=True)]
    phone: Annotated[str, Field(max_length=64)] | None = None
    company: Text | None = None
    role: Text | None = None
    preferences: FreeForm = Field(default_factory=dict)


def _user(user: CrmUserRecord) -> dict[str, Any]:
    """Seed 004's user: every field, null when unset; `stats` only on a read of one user."""
    return user.model_dump(mode="json", exclude=None if user.stats else {"stats"})


def _paged(request: Request, page: CrmPageV1) -> dict[str, Any]:
    body = ok(request, [item.model_dump(mode="json") for item in page.items])
    pages = math.ceil(page.total / page.per_page) if page.total else 0
    pagination = {"page": page.page, "per_page": page.per_page, "total": page.total, "pages": pages}
    return {"success": True, "data": body["data"], "pagination": pagination, "metadata": body["metadata"]}


@router.post("/create_user", response_model=Ok[UserRecord], response_model_exclude_unset=True)
async def create_user(body: UserBody, caller: Caller, gw: GatewayDep, request: Request) -> dict[str, Any]:
    created = await gw.clients.conversation.create_user(caller, CreateCrmUserV1(**body.model_dump()))
    return ok(request, _user(created.user))


@router.get("/users/{user_id}", response_model=Ok[UserWithStats], response_model_exclude_unset=True)
async def get_user(user_id: UserId, caller: Caller, gw: GatewayDep, request: Request) -> dict[str, Any]:
    found = await gw.clients.conversation.get_user(caller, user_id)
    return ok(request, _user(found.user))


@router.get("/users", response_model=Paged[UserListItem], response_model_exclude_unset=True)
async def list_users(
    caller: Caller, gw: GatewayDep, request: Request, page: Page = 1, per_page: PerPage = 10, active_only: bool = True
) -> dict[str, Any]:
    query = ListCrmUsersV1(page=page, per_page=per_page, active_only=active_only)
    found = await gw.clients.conversation.list_users(caller, query)
    return _paged(request, found)


@router.get("/conversations/{user_id}", response_model=Paged[ConversationSummary], response_model_exclude_unset=True)
async def user_conversations(
    user_id: UserId, caller: Caller, gw: GatewayDep, request: Request, page: Page = 1, per_page: PerPage = 10
) -> dict[str, Any]:
    query = ListUserConversationsV1(user_id=user_id, page=page, per_page=per_page)
    found = await gw.clients.conversation.user_conversations(caller, query)
    return _paged(request, found)
