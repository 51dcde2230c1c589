"""Seed 000 login plus the admin endpoints that manage users and API keys (same envelope)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from services.gateway.auth import RATE_TIERS
from services.gateway.deps import Caller, GatewayDep
from services.gateway.dialects.insights.envelope import DIALECT, ok

router = APIRouter(prefix="/api/v1", route_class=DIALECT.route_class(), tags=["insights: identity"])

Role = Literal["admin", "analyst", "agent", "reviewer"]
RateTier = Literal["free", "starter", "professional", "enterprise"]
assert set(RateTier.__args__) == set(RATE_TIERS)  # type: ignore[attr-defined]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class LoginRequest(Strict):
    username: str = Field(min_length=1, max_length=320)
    password: str = Field(min_length=1, max_length=1024)


class CreateUserRequest(Strict):
    email: str = Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    password: str = Field(min_length=8, max_length=1024)
    roles: list[Role] = Field(min_length=1)
    tenant_id: str | None = Field(default=None, min_length=1, max_length=128)


class CreateApiKeyRequest(Strict):
    name: str = Field(min_length=1, max_length=200)
    rate_tier: RateTier = "starter"
    roles: list[Role] = Field(default=["agent", "analyst"], min_length=1)
    tenant_id: str | None = Field(default=None, min_length=1, max_length=128)


@router.post("/auth/login")
async def login(body: LoginRequest, gw: GatewayDep) -> dict[str, Any]:
    token, user = await gw.identity.login(body.username, body.password)
    return ok({"token": token, "user_id": user["id"], "roles": user["roles"]})


@router.post("/users", status_code=201)
async def create_user(body: CreateUserRequest, caller: Caller, gw: GatewayDep) -> dict[str, Any]:
    caller.require("admin")
    user = await gw.identity.create_user(
        tenant_id=body.tenant_id or caller.tenant_id, email=body.email, password=body.password, roles=list(body.roles)
    )
    return ok(user, 201)


@router.get("/users")
async def list_users(caller: Caller, gw: GatewayDep) -> dict[str, Any]:
    caller.require("admin")
    return ok({"users": await gw.identity.list_users(caller.tenant_id)})


@router.post("/api-keys", status_code=201)
async def create_api_key(body: CreateApiKeyRequest, caller: Caller, gw: GatewayDep) -> dict[str, Any]:
    """An admin may issue a key for another tenant (that is how a new company is onboarded)."""
    caller.require("admin")
    key, record = await gw.identity.create_api_key(
        tenant_id=body.tenant_id or caller.tenant_id,
        name=body.name,
        rate_tier=body.rate_tier,
        roles=list(body.roles),
        created_by=caller.subject_id,
    )
    return ok({**record, "api_key": key}, 201)


@router.get("/api-keys")
async def list_api_keys(caller: Caller, gw: GatewayDep) -> dict[str, Any]:
    caller.require("admin")
    return ok({"api_keys": await gw.identity.list_api_keys(caller.tenant_id)})


@router.delete("/api-keys/{key_id}")
async def revoke_api_key(key_id: str, caller: Caller, gw: GatewayDep) -> dict[str, Any]:
    caller.require("admin")
    return ok(await gw.identity.revoke_api_key(caller.tenant_id, key_id))
