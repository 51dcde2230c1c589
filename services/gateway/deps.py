"""FastAPI dependencies: the gateway's wired parts, the authenticated caller, and its rate-limit quota."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request

from libs.bus.base import Bus
from libs.errors import RateLimited
from services.gateway.auth import Identity, Principal
from services.gateway.ratelimit import Quota, RateLimiter
from services.gateway.settings import GatewaySettings


@dataclass
class Gateway:
    """Everything a route needs, built once by bootstrap and kept on app.state.gateway."""

    settings: GatewaySettings
    bus: Bus
    identity: Identity
    limiter: RateLimiter


def gateway(request: Request) -> Gateway:
    gw: Gateway = request.app.state.gateway
    return gw


GatewayDep = Annotated[Gateway, Depends(gateway)]


async def authenticated(
    request: Request,
    gw: GatewayDep,
    authorization: Annotated[str | None, Header()] = None,
    x_api_key: Annotated[str | None, Header()] = None,
) -> Principal:
    principal = await gw.identity.authenticate(authorization, x_api_key)
    try:
        request.state.rate_limit = await gw.limiter.hit(principal.subject_id, principal.rate_tier)
    except RateLimited as exc:
        request.state.rate_limit = Quota(limit=exc.details["limit"], remaining=0, reset_epoch=exc.details["reset"])
        raise
    return principal


Caller = Annotated[Principal, Depends(authenticated)]
