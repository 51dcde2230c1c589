"""Tenants (companies) and their first admin key: the platform operator's endpoints, in seed 000's envelope."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from services.gateway.deps import Caller, GatewayDep
from services.gateway.dialects.insights.envelope import DIALECT, ok
from services.gateway.tenancy import audit

router = APIRouter(prefix="/api/v1", route_class=DIALECT.route_class(), tags=["insights: identity"])

TENANT_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"


class CreateTenantRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    tenant_id: str = Field(pattern=TENANT_ID_PATTERN)
    name: str = Field(min_length=1, max_length=200)
    admin_key_name: str = Field(default="first admin key", min_length=1, max_length=200)
    rate_tier: Literal["free", "starter", "professional", "enterprise"] = "starter"


class TenantOut(BaseModel):
    tenant_id: str
    name: str
    created_by: str
    created_at: str


class CreatedTenant(TenantOut):
    admin_key_id: str
    api_key: str = Field(description="the tenant's first admin key; shown once, stored only as a hash")


class TenantEnvelope(BaseModel):
    error: Literal[False]
    status_code: int
    data: CreatedTenant
    timestamp: str


class TenantList(BaseModel):
    tenants: list[TenantOut]


class TenantListEnvelope(BaseModel):
    error: Literal[False]
    status_code: int
    data: TenantList
    timestamp: str


@router.post("/tenants", status_code=201, response_model=TenantEnvelope)
async def create_tenant(body: CreateTenantRequest, caller: Caller, gw: GatewayDep) -> dict[str, object]:
    """Onboard a company: the tenant and its first admin key (operator only; 409 if the tenant exists)."""
    caller.require_operator()
    tenant = await gw.tenants.create(body.tenant_id, name=body.name, created_by=caller.subject_id)
    await audit(gw.bus, caller, "tenant.created", tenant_id=tenant.tenant_id, target_id=tenant.tenant_id)
    key, record = await gw.identity.create_api_key(
        tenant_id=tenant.tenant_id,
        name=body.admin_key_name,
        rate_tier=body.rate_tier,
        roles=["admin"],
        created_by=caller.subject_id,
    )
    await audit(
        gw.bus, caller, "api_key.created", tenant_id=tenant.tenant_id, target_id=record["id"], roles=record["roles"]
    )
    return ok({**tenant.public(), "admin_key_id": record["id"], "api_key": key}, 201)


@router.get("/tenants", response_model=TenantListEnvelope)
async def list_tenants(caller: Caller, gw: GatewayDep) -> dict[str, object]:
    caller.require_operator()
    return ok({"tenants": [t.public() for t in await gw.tenants.list()]})
