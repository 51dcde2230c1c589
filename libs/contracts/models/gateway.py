"""Models of the gateway messages, generated from contracts/gateway/ by libs.contracts.generate.

Never edit by hand: change the JSON Schema (a breaking change is a new .vN file) and run `make contracts`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from pydantic import BaseModel, ConfigDict, Field


Role = Annotated[str, Field(max_length=32, min_length=1)]


class IdentityChangedV1(BaseModel):
    """
    Audit event: a tenant, user or API key was created or revoked, or the platform operator was created or updated. Names records by id (and an API key by its non-secret prefix); never a password, key or email.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    action: Literal['tenant.created', 'user.created', 'api_key.created', 'api_key.revoked', 'operator.created', 'operator.updated']
    actor_id: Annotated[str, Field(max_length=128, min_length=1)]
    """
    User or API key id that acted; `settings` for the start-up configuration.
    """
    actor_kind: Literal['user', 'api_key', 'settings']
    actor_tenant: Annotated[str, Field(max_length=128, min_length=1)]
    target_id: Annotated[str, Field(max_length=128, min_length=1)]
    """
    The tenant, user or API key changed.
    """
    roles: Annotated[list[Role] | None, Field(max_length=8)] = None
    key_prefix: Annotated[str | None, Field(max_length=16)] = None
    """
    First characters of a created API key (not enough to use it).
    """
