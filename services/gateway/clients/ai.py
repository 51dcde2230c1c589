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

TOPIC = "conversation.commands"
DELTA_TYPE = "conversation.GenerationDelta.v1"


class AiClient:
    """`timeout_s` bounds a whole generation (fallback across providers included); `idle_timeout_s` bounds each
    wait for the next streamed piece, so a stalled stream ends with a Timeout instead of hanging."""

    def __init__(self, bus: Bus, *, timeout_s: float, idle_timeout_s: float, correlation_id: str) -> None:
        self._bus = bus
        self._timeout = timeout_s
        self._idle_timeout = idle_timeout_s
        self._correlation_id = correlation_id

    async def providers(self, caller: Principal) -> dict[str, Any]:
        reply = await self._bus.request(
            TOPIC,
            ListProvidersV1(),
            key=caller.tenant_id,
            tenant_id=caller.tenant_id,
            timeout=self._idle_timeout,
            correlation_id=self._correlation_id,
        )
        return ProviderListV1.model_validate(reply.data).model_dump(mode="json")

    async def generate(self, caller: Principal, fields: dict[str, Any]) -> dict[str, Any]:
        reply = await self._bus.request(
            TOPIC,
            GenerateV1.model_validate({**fields, "stream": False}),
            key=self._correlation_id,
            tenant_id=caller.tenant_id,
            timeout=self._timeout,
            correlation_id=self._correlation_id,
        )
        return result_data(GenerateResultV1.model_validate(reply.data))

    async def generate_stream(
        self, caller: Principal, fields: dict[str, Any]
    ) -> AsyncGenerator[GenerationDeltaV1 | GenerateResultV1, None]:
        """Deltas in order, then the result; raises the typed error the service answered with, even mid-stream."""
        replies = self._bus.request_stream(
            TOPIC,
            GenerateV1.model_validate({**fields, "stream": True}),
            key=self._correlation_id,
            tenant_id=caller.tenant_id,
            timeout=self._timeout,
            idle_timeout=self._idle_timeout,
            correlation_id=self._correlation_id,
        )
        try:
            async for env in replies:
                if env.type == DELTA_TYPE:
                    yield GenerationDeltaV1.model_validate(env.data)
                else:
                    yield GenerateResultV1.model_validate(env.data)
        finally:
            await replies.aclose()  # stop waiting on the bus at once


def result_data(result: GenerateResultV1) -> dict[str, Any]:
    """Seed 000 ai/generate `data`: the documented fields first, then the routing/cost extras."""
    return result.model_dump(mode="json", exclude_none=True)
