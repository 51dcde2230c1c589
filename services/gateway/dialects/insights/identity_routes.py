"""Seed 000 login plus the admin endpoints that manage users and API keys (same envelope)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from libs.errors import Unauthorized
from services.gateway.auth import RATE_TIERS, Principal
from services.gateway.deps import Caller, Gateway, GatewayDep
from services.gateway.dialects.insights.envelope import DIALECT, ok
from services.gateway.dialects.insights.responses import (
    ApiKeyCreated,
    ApiKeyList,
    ApiKeyView,
    LoginOut,
    Ok,
    UserList,
    UserView,
)
from services.gateway.tenancy import audit, target_tenant

router = APIRouter(prefix="/api/v1", route_class=DIALECT.route_class(), tags=["insights: identity"])

Role = Literal["admin", "analyst", "agent", "reviewer"]
RateTier = Literal["free", "starter", "professional", "enterprise"]
assert set(RateTier.__args__) == set(RATE_TIERS)  # type: ignore[attr-defined]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class LoginRequest(Strict):
    username: str = Field(min_length=1, max_length=320)
    password: str = Field(min_length=1, max_length=1024)
    tenant_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=128,
        description="Optional: the tenant of the account, for an email registered in several tenants "
        "(without it the password is tried on each, and it must match exactly one).",
    )


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


@router.post(
    "/auth/login", response_model=Ok[LoginOut], response_model_exclude_unset=True, responses=DIALECT.responses(401)
)
async def login(body: LoginRequest, request: Request, gw: GatewayDep) -> dict[str, Any]:
    """429 with Retry-After while the login name or the client IP is locked out after repeated failures (per name,
    not per tenant, so naming tenants never buys extra guesses)."""
    ip = request.client.host if request.client else "unknown"
    await gw.login_guard.check(body.username, ip)
    try:
        token, user = await gw.identity.login(body.username, body.password, body.tenant_id)
    except Unauthorized:
        await gw.login_guard.failed(body.username, ip)
        raise
    await gw.login_guard.succeeded(body.username)
    return ok({"token": token, "user_id": user["id"], "roles": user["roles"]})


TenantQuery = Annotated[str | None, Query(min_length=1, max_length=128, description="operator only: another tenant")]


@router.post("/users", status_code=201, response_model=Ok[UserView], response_model_exclude_unset=True)
async def create_user(body: CreateUserRequest, caller: Caller, gw: GatewayDep) -> dict[str, Any]:
    """A user in the caller's tenant; only the platform operator may name another `tenant_id` (else 403)."""
    caller.require("admin")
    tenant = await _acting_tenant(caller, body.tenant_id, gw)
    user = await gw.identity.create_user(
        tenant_id=tenant, email=body.email, password=body.password, roles=list(body.roles)
    )
    await audit(gw.bus, caller, "user.created", tenant_id=tenant, target_id=user["id"], roles=user["roles"])
    return ok(user, 201)


@router.get("/users", response_model=Ok[UserList], response_model_exclude_unset=True)
async def list_users(caller: Caller, gw: GatewayDep, tenant_id: TenantQuery = None) -> dict[str, Any]:
    caller.require("admin")
    return ok({"users": await gw.identity.list_users(target_tenant(caller, tenant_id))})


@router.post("/api-keys", status_code=201, response_model=Ok[ApiKeyCreated], response_model_exclude_unset=True)
async def create_api_key(body: CreateApiKeyRequest, caller: Caller, gw: GatewayDep) -> dict[str, Any]:
    """A key in the caller's tenant; only the platform operator may issue one for another tenant (else 403)."""
    caller.require("admin")
    tenant = await _acting_tenant(caller, body.tenant_id, gw)
    key, record = await gw.identity.create_api_key(
        tenant_id=tenant,
        name=body.name,
        rate_tier=body.rate_tier,
        roles=list(body.roles),
        created_by=caller.subject_id,
    )
    await audit(
        gw.bus,
        caller,
        "api_key.created",
        tenant_id=tenant,
        target_id=record["id"],
        roles=record["roles"],
        key_prefix=record["key_prefix"],
    )
    return ok({**record, "api_key": key}, 201)


@router.get("/api-keys", response_model=Ok[ApiKeyList], response_model_exclude_unset=True)
async def list_api_keys(caller: Caller, gw: GatewayDep, tenant_id: TenantQuery = None) -> dict[str, Any]:
    caller.require("admin")
    return ok({"api_keys": await gw.identity.list_api_keys(target_tenant(caller, tenant_id))})


@router.delete("/api-keys/{key_id}", response_model=Ok[ApiKeyView], response_model_exclude_unset=True)
async def revoke_api_key(key_id: Annotated[str, Path(max_length=64)], caller: Caller, gw: GatewayDep) -> dict[str, Any]:
    """Revoke a key of the caller's tenant (the operator: of any tenant); another tenant's key is a 404."""
    caller.require("admin")
    record = await gw.identity.revoke_api_key(None if caller.is_operator else caller.tenant_id, key_id)
    await audit(gw.bus, caller, "api_key.revoked", tenant_id=record["tenant_id"], target_id=record["id"])
    return ok(record)


async def _acting_tenant(caller: Principal, requested: str | None, gw: Gateway) -> str:
    tenant = target_tenant(caller, requested)
    if tenant != caller.tenant_id and await gw.tenants.ensure(tenant, created_by=caller.subject_id):
        await audit(gw.bus, caller, "tenant.created", tenant_id=tenant, target_id=tenant)
    return tenant
