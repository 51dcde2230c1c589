"""The local sandbox, off by default: a credential-less request from this machine acts as one sandbox tenant.

Why: the seeds' own client examples (001 and 004 Python, 001 JavaScript) send no credentials, while the seeds say
their APIs require them, so against the real gateway they get 401s. `switchboard up --sandbox` (or
`SWITCHBOARD_SANDBOX=1`) lets them run unchanged against a stack on this machine, and only there:

- the gateway must be bound to loopback and must believe no forwarded headers (no trusted proxies), else it
  refuses to start (`SandboxRefused`, checked by the launcher before anything starts and again by bootstrap);
- only a request whose TCP peer is loopback (the socket's address, never X-Forwarded-For) and that carries no
  credential at all (no `Authorization`, no `X-API-Key`) acts as the sandbox: tenant `sandbox`, role `agent` only
  (what the examples do: ask, escalate, create CRM users and sessions, chat, upload), with its own rate limit;
- a request carrying any credential is checked exactly as without the sandbox: a wrong key is still a 401.
Routes that authenticate on their own (the WebSocket feed, /metrics) never see the sandbox.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

from starlette.requests import HTTPConnection

from services.gateway.auth import Principal

if TYPE_CHECKING:
    from services.gateway.settings import GatewaySettings

SANDBOX_TENANT = "sandbox"
# The least role the seeds' examples need: agent (queries, escalations, CRM users and sessions, chat, uploads).
SANDBOX_PRINCIPAL = Principal(
    subject_id="sandbox", tenant_id=SANDBOX_TENANT, roles=frozenset({"agent"}), kind="api_key", rate_tier="starter"
)
WARNING = (
    "SANDBOX MODE: requests from this machine WITHOUT credentials act as tenant 'sandbox' (role agent). "
    "For trying the seeds' client examples locally only; never on a shared or exposed host."
)


class SandboxRefused(RuntimeError):
    """The sandbox was asked for where it would not be local: the gateway does not start."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def sandbox_for(settings: GatewaySettings) -> Sandbox | None:
    """The sandbox when the settings ask for it and keep it local; None when off; SandboxRefused otherwise."""
    if not settings.sandbox:
        return None
    if not is_loopback(settings.host):
        raise SandboxRefused(
            f"the sandbox (SWITCHBOARD_SANDBOX / --sandbox) serves this machine only, but the gateway would listen "
            f"on {settings.host!r}: bind it to 127.0.0.1 (SWITCHBOARD_GATEWAY_HOST) or turn the sandbox off"
        )
    if settings.trusted_proxy_list:
        raise SandboxRefused(
            "the sandbox (SWITCHBOARD_SANDBOX / --sandbox) cannot run behind trusted proxies "
            "(SWITCHBOARD_GATEWAY_TRUSTED_PROXIES): a forwarded request could pass for a local one"
        )
    return Sandbox()


class Sandbox:
    principal = SANDBOX_PRINCIPAL

    def admits(self, connection: HTTPConnection, authorization: str | None, x_api_key: str | None) -> bool:
        """No credential of any kind, from a loopback peer (the socket's own address: no proxy header is read)."""
        if authorization is not None or x_api_key is not None:
            return False
        peer = connection.scope.get("client")
        return peer is not None and is_loopback(str(peer[0]))
