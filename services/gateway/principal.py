"""Who is calling: the authenticated Principal every route serves inside its tenant, and the roles and rate tiers it
may hold (services/gateway/auth.py authenticates a credential into one)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from libs.errors import Forbidden

ROLES = frozenset({"admin", "analyst", "agent", "reviewer"})
# The platform operator's role: granted only from settings (`switchboard up`), never through the API, so no tenant
# can mint it. It alone acts across tenants (creates tenants, their first admin key, other tenants' users/keys).
OPERATOR_ROLE = "operator"
RATE_TIERS = ("free", "starter", "professional", "enterprise")


@dataclass(frozen=True)
class Principal:
    """The authenticated caller: every request is served inside its tenant."""

    subject_id: str
    tenant_id: str
    roles: frozenset[str]
    kind: Literal["user", "api_key"]
    rate_tier: str

    @property
    def is_operator(self) -> bool:
        return OPERATOR_ROLE in self.roles

    def require(self, *roles: str) -> None:
        if not self.roles.intersection(roles) and "admin" not in self.roles:
            raise Forbidden("Insufficient permissions", {"required_roles": sorted(roles)})

    def require_operator(self) -> None:
        if not self.is_operator:
            raise Forbidden("Only the platform operator may do this", {"required_roles": [OPERATOR_ROLE]})
