"""The one shape of every gateway client: a typed ask on the bus (topic and reply type from contracts/topics.yaml)
inside a tenant, bounded by the short or the long deadline. The correlation id is not a parameter: the request's
context carries it (libs/observability/context.py), and it is the default partition key of a keyless command."""

from __future__ import annotations

import uuid
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import TypeVar

from pydantic import BaseModel

from libs.bus.base import Bus
from libs.observability.context import current_correlation_id
from services.gateway.auth import Principal

R = TypeVar("R", bound=BaseModel)
D = TypeVar("D", bound=BaseModel)


@dataclass(frozen=True)
class Deadlines:
    """How long a client waits: `short_s` for a question with one answer, `long_s` for work that may take longer
    (batches, uploads, generation that may fall back across providers, explanations)."""

    short_s: float
    long_s: float


def tenant_of(caller: Principal | str) -> str:
    """The caller's tenant, or a tenant named outright (an open endpoint whose token names its own)."""
    return caller if isinstance(caller, str) else caller.tenant_id


def request_key() -> str:
    """The partition key of a command with no natural one: the request's correlation id, so one request's commands
    share a partition and different requests spread out."""
    return current_correlation_id() or uuid.uuid4().hex


class BusClient:
    """Base of the per-service clients, built once by bootstrap; they add only their commands and replies."""

    def __init__(self, bus: Bus, deadlines: Deadlines) -> None:
        self._bus = bus
        self._deadlines = deadlines

    def _timeout(self, long: bool) -> float:
        return self._deadlines.long_s if long else self._deadlines.short_s

    async def ask(
        self,
        caller: Principal | str,
        command: BaseModel,
        reply: type[R],
        *,
        key: str | None = None,
        long: bool = False,
        event_id: str | None = None,
    ) -> R:
        """`event_id`: one id for every retry of one operation (from an Idempotency-Key), so it happens once."""
        return await self._bus.ask(
            command, reply, key=key or request_key(), tenant_id=tenant_of(caller), timeout=self._timeout(long),
            event_id=event_id,
        )  # fmt: skip

    async def ask_part(
        self, caller: Principal | str, part: BaseModel, reply: type[R], *, key: str, long: bool = True
    ) -> R | None:
        """One part of an ordered upload: None while the service acknowledges parts, then the final reply."""
        return await self._bus.ask_part(part, reply, key=key, tenant_id=tenant_of(caller), timeout=self._timeout(long))

    def ask_stream(
        self, caller: Principal | str, command: BaseModel, delta: type[D], reply: type[R], *, key: str | None = None
    ) -> AsyncGenerator[D | R, None]:
        """Streamed replies: the whole exchange gets the long deadline, each wait for the next piece the short."""
        return self._bus.ask_stream(
            command, delta, reply, key=key or request_key(), tenant_id=tenant_of(caller),
            timeout=self._deadlines.long_s, idle_timeout=self._deadlines.short_s,
        )  # fmt: skip
