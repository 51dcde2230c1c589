"""Seed 002 GET /config?companyId= and PUT /config (mounted under the /cs prefix): the company's CS config, answered
by the escalation service over the bus; errors in the tiered-cs envelope (CS_005 missing companyId, CS_009 another
company, CS_008 a bad config value)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query

from libs.errors import Forbidden, Invalid
from services.gateway.auth import Principal
from services.gateway.deps import Caller, GatewayDep
from services.gateway.dialects.tiered_cs.config_view import config_view, seed_error, typed_patch
from services.gateway.dialects.tiered_cs.envelope import DIALECT
from services.gateway.dialects.tiered_cs.responses import CsConfig
from services.gateway.input_policy import FreeForm

router = APIRouter(route_class=DIALECT.route_class(), tags=["tiered cs: config"])


def _check_company(caller: Principal, company_id: Any) -> None:
    """The company is the caller's tenant: another company's config is refused with 403 CS_009, the code the
    seed gives for a company whose CS the caller may not use (no caller sees another tenant's data)."""
    if company_id is None or (isinstance(company_id, str) and not company_id.strip()):
        raise Invalid("Missing company ID", {"cs_code": "CS_005", "field": "companyId"})
    if not isinstance(company_id, str):
        raise Invalid("companyId must be a string", {"field": "companyId"})
    if company_id != caller.tenant_id:
        raise Forbidden("Company CS not enabled for this caller", {"cs_code": "CS_009", "companyId": company_id})


@router.get("/config", response_model=CsConfig, response_model_exclude_unset=True)
async def get_config(
    caller: Caller,
    gw: GatewayDep,
    company_id: Annotated[str | None, Query(alias="companyId", max_length=200)] = None,
) -> dict[str, Any]:
    _check_company(caller, company_id)
    return config_view(await gw.clients.escalation.get_config(caller))


@router.put("/config", response_model=CsConfig, response_model_exclude_unset=True)
async def update_config(body: Annotated[FreeForm, Body()], caller: Caller, gw: GatewayDep) -> dict[str, Any]:
    """A partial config, deep-merged (objects by key, lists replace); answers the whole resulting config."""
    caller.require("admin")
    _check_company(caller, body.get("companyId"))
    patch = typed_patch({key: value for key, value in body.items() if key != "companyId"})
    try:
        reply = await gw.clients.escalation.update_config(caller, patch)
    except Invalid as exc:  # a cross-field rule the service checks: named as the caller sent it
        raise seed_error(exc) from None
    return config_view(reply)
