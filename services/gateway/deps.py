"""FastAPI dependencies: the gateway's wired parts, the authenticated caller, and its rate-limit quota."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request

from libs.bus.base import Bus
from libs.errors import RateLimited
from services.gateway.auth import Identity, Principal
from services.gateway.clients.bundle import Clients
from services.gateway.login_guard import LoginGuard
from services.gateway.publishable import PK_PREFIX, PublishableKeys, bearer
from services.gateway.ratelimit import Quota, RateLimiter, keep_tightest
from services.gateway.sandbox import Sandbox
from services.gateway.settings import GatewaySettings
from services.gateway.tenancy import Tenants


@dataclass
class Gateway:
    """Everything a route needs, built once by bootstrap and kept on app.state.gateway."""

    settings: GatewaySettings
    bus: Bus
    identity: Identity
    limiter: RateLimiter
    tenants: Tenants
    login_guard: LoginGuard
    clients: Clients  # one typed client per service, on this bus (services/gateway/clients/)
    publishable: PublishableKeys | None = None  # the widget's pk_ keys (services/gateway/publishable.py)
    sandbox: Sandbox | None = None  # off unless SWITCHBOARD_SANDBOX (services/gateway/sandbox.py)


async def gateway(request: Request) -> Gateway:
    # async: FastAPI runs a plain `def` dependency in a worker thread, a thread hop on every request.
    gw: Gateway = request.app.state.gateway
    return gw


GatewayDep = Annotated[Gateway, Depends(gateway)]


async def authenticated(
    request: Request,
    gw: GatewayDep,
    authorization: Annotated[str | None, Header()] = None,
    x_api_key: Annotated[str | None, Header()] = None,
) -> Principal:
    token = bearer(authorization, x_api_key)
    if gw.sandbox is not None and gw.sandbox.admits(request, authorization, x_api_key):
        principal = gw.sandbox.principal
    elif gw.publishable is not None and token and token.startswith(PK_PREFIX):
        principal = await gw.publishable.authenticate(request, token)
    else:
        principal = await gw.identity.authenticate(authorization, x_api_key)
    try:
        keep_tightest(request, await gw.limiter.hit(principal.subject_id, principal.rate_tier))
    except RateLimited as exc:
        keep_tightest(request, Quota(limit=exc.details["limit"], remaining=0, reset_epoch=exc.details["reset"]))
        raise
    return principal


Caller = Annotated[Principal, Depends(authenticated)]
