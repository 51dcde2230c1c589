"""Admin endpoints for the widget's publishable keys (`pk_…`), in seed 000's envelope beside /api/v1/api-keys."""

from __future__ import annotations

from typing import Any, Generic, Literal, TypeVar

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from libs.errors import Invalid
from services.gateway.deps import Caller, GatewayDep
from services.gateway.dialects.insights.envelope import DIALECT, ok
from services.gateway.publishable import PublishableKeys

router = APIRouter(prefix="/api/v1/publishable-keys", route_class=DIALECT.route_class(), tags=["insights: identity"])
T = TypeVar("T")


class CreatePublishableKeyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: str = Field(min_length=1, max_length=200)
    allowed_origins: list[str] = Field(min_length=1, max_length=20, description="scheme://host[:port] of each site")
    # Counted per visitor, not per key: "free" is 100 requests an hour for each visitor.
    rate_tier: Literal["free", "starter"] = "free"


class PublishableKey(BaseModel):
    id: str
    tenant_id: str
    name: str
    key_prefix: str
    allowed_origins: list[str]
    rate_tier: str
    created_at: str
    revoked: bool


class CreatedPublishableKey(PublishableKey):
    key: str = Field(description="Shown once: put it in the widget snippet's apiKey")


class PublishableKeyList(BaseModel):
    publishable_keys: list[PublishableKey]


class Envelope(BaseModel, Generic[T]):
    error: bool
    status_code: int
    data: T
    timestamp: str


def _keys(gw: Any) -> PublishableKeys:
    if gw.publishable is None:
        raise Invalid("Publishable keys are not enabled on this gateway", {})
    keys: PublishableKeys = gw.publishable
    return keys


@router.post("", status_code=201, response_model=Envelope[CreatedPublishableKey])
async def create_publishable_key(body: CreatePublishableKeyRequest, caller: Caller, gw: GatewayDep) -> dict[str, Any]:
    caller.require("admin")
    key, record = await _keys(gw).create(
        tenant_id=caller.tenant_id,
        name=body.name,
        allowed_origins=body.allowed_origins,
        rate_tier=body.rate_tier,
        created_by=caller.subject_id,
    )
    return ok({**record, "key": key}, status=201)


@router.get("", response_model=Envelope[PublishableKeyList])
async def list_publishable_keys(caller: Caller, gw: GatewayDep) -> dict[str, Any]:
    caller.require("admin")
    return ok({"publishable_keys": await _keys(gw).list(caller.tenant_id)})


@router.delete("/{key_id}", response_model=Envelope[PublishableKey])
async def revoke_publishable_key(key_id: str, caller: Caller, gw: GatewayDep) -> dict[str, Any]:
    caller.require("admin")
    return ok(await _keys(gw).revoke(caller.tenant_id, key_id))
