"""Gateway → conversation service's LLM: ListProviders and Generate requests, the latter optionally streamed
(GenerationDelta replies, then the GenerateResult)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from libs.bus.base import Bus
from libs.contracts.models.conversation import (
    GenerateResultV1,
    GenerateV1,
    GenerationDeltaV1,
    ListProvidersV1,
    ProviderListV1,
)
from services.gateway.auth import Principal


class AiClient:
    """`timeout_s` bounds a whole generation (fallback across providers included); `idle_timeout_s` bounds each
    wait for the next streamed piece, so a stalled stream ends with a Timeout instead of hanging."""

    def __init__(self, bus: Bus, *, timeout_s: float, idle_timeout_s: float, correlation_id: str) -> None:
        self._bus = bus
        self._timeout = timeout_s
        self._idle_timeout = idle_timeout_s
        self._correlation_id = correlation_id

    async def providers(self, caller: Principal) -> dict[str, Any]:
        providers = await self._bus.ask(
            ListProvidersV1(),
            ProviderListV1,
            key=caller.tenant_id,
            tenant_id=caller.tenant_id,
            timeout=self._idle_timeout,
            correlation_id=self._correlation_id,
        )
        return providers.model_dump(mode="json")

    async def generate(self, caller: Principal, fields: dict[str, Any]) -> dict[str, Any]:
        result = await self._bus.ask(
            GenerateV1.model_validate({**fields, "stream": False}),
            GenerateResultV1,
            key=self._correlation_id,
            tenant_id=caller.tenant_id,
            timeout=self._timeout,
            correlation_id=self._correlation_id,
        )
        return result_data(result)

    def generate_stream(
        self, caller: Principal, fields: dict[str, Any]
    ) -> AsyncGenerator[GenerationDeltaV1 | GenerateResultV1, None]:
        """Deltas in order, then the result; raises the typed error the service answered with, even mid-stream."""
        return self._bus.ask_stream(
            GenerateV1.model_validate({**fields, "stream": True}),
            GenerationDeltaV1,
            GenerateResultV1,
            key=self._correlation_id,
            tenant_id=caller.tenant_id,
            timeout=self._timeout,
            idle_timeout=self._idle_timeout,
            correlation_id=self._correlation_id,
        )


def result_data(result: GenerateResultV1) -> dict[str, Any]:
    """Seed 000 ai/generate `data`: the documented fields first, then the routing/cost extras."""
    return result.model_dump(mode="json", exclude_none=True)
