"""Tenants and who may act in which: the platform operator creates tenants; a tenant admin stays in its own.

Every identity change (tenant, user, API key) is written as one `audit` log line naming the actor, its tenant,
the target tenant and the record, and published as gateway.IdentityChanged.v1, so an operator can reconstruct
who granted what.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from libs.bus.base import Bus
from libs.contracts.models.gateway import IdentityChangedV1
from libs.errors import Conflict, Forbidden, Unavailable
from libs.observability import get_logger
from libs.store import DocumentStore
from services.gateway.auth import Principal

audit_log = get_logger("audit")
Action = Literal["tenant.created", "user.created", "api_key.created", "api_key.revoked"]


def target_tenant(caller: Principal, requested: str | None) -> str:
    """The tenant an admin request acts in: its own unless it names another, which only the operator may.

    The refusal is the same whether or not the named tenant exists, so it reveals nothing about other tenants.
    """
    if requested is None or requested == caller.tenant_id:
        return caller.tenant_id
    if not caller.is_operator:
        raise Forbidden("A tenant admin manages only its own tenant", {"tenant_id": "must be your own tenant"})
    return requested


async def audit(
    bus: Bus,
    caller: Principal,
    action: Action,
    *,
    tenant_id: str,
    target_id: str,
    roles: list[str] | None = None,
    key_prefix: str | None = None,
) -> None:
    """One structured line per identity change, and the same as a gateway.IdentityChanged.v1 event for consumers
    (analytics, a SIEM). Never a secret: keys appear by id and prefix only."""
    extra = {k: v for k, v in (("roles", roles), ("key_prefix", key_prefix)) if v is not None}
    fields = {"action": action, "actor_id": caller.subject_id, "actor_kind": caller.kind,
              "actor_tenant": caller.tenant_id, "target_id": target_id, **extra}  # fmt: skip
    audit_log.info("audit", tenant_id=tenant_id, **fields)
    try:
        await bus.emit(IdentityChangedV1.model_validate(fields), key=tenant_id, tenant_id=tenant_id)
    except Unavailable:
        # The change is made and the log line written; a broker outage must not turn it into an error.
        audit_log.warning("audit.event_not_published", action=action, target_id=target_id)


@dataclass(frozen=True)
class Tenant:
    tenant_id: str
    name: str
    created_by: str
    created_at: str

    def public(self) -> dict[str, str]:
        return {
            "tenant_id": self.tenant_id,
            "name": self.name,
            "created_by": self.created_by,
            "created_at": self.created_at,
        }


class Tenants:
    """The registry of tenants (companies); records are written only on the operator's behalf."""

    def __init__(self, store: DocumentStore) -> None:
        self._tenants = store.collection("tenants")

    async def create(self, tenant_id: str, *, name: str, created_by: str) -> Tenant:
        record = {
            "id": tenant_id,
            "name": name,
            "created_by": created_by,
            "created_at": datetime.now(UTC).isoformat(),
        }
        try:
            await self._tenants.insert(record)
        except Conflict as exc:
            raise Conflict("Tenant exists", {"tenant_id": tenant_id}) from exc
        return _tenant(record)

    async def ensure(self, tenant_id: str, *, created_by: str) -> bool:
        """Register a tenant the operator names for the first time (True when new); existing ones are kept."""
        if await self._tenants.get(tenant_id) is not None:
            return False
        try:
            await self.create(tenant_id, name=tenant_id, created_by=created_by)
        except Conflict:
            return False  # registered concurrently
        return True

    async def list(self) -> list[Tenant]:
        return [_tenant(r) for r in await self._tenants.find({}, sort=[("created_at", 1)])]


def _tenant(record: dict[str, Any]) -> Tenant:
    return Tenant(
        tenant_id=record["id"], name=record["name"], created_by=record["created_by"], created_at=record["created_at"]
    )
