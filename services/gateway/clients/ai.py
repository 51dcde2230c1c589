"""Gateway → conversation service's LLM: ListProviders and Generate requests, the latter optionally streamed
(GenerationDelta replies, then the GenerateResult)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from libs.contracts.models.conversation import (
    GenerateResultV1,
    GenerateV1,
    GenerationDeltaV1,
    ListProvidersV1,
    ProviderListV1,
)
from services.gateway.auth import Principal
from services.gateway.clients.base import BusClient


class AiClient(BusClient):
    """A generation may try several providers in turn: it gets the long deadline, and a stream each wait for its next
    piece the short one, so a stalled stream ends with a Timeout instead of hanging."""

    async def providers(self, caller: Principal) -> dict[str, Any]:
        providers = await self.ask(caller, ListProvidersV1(), ProviderListV1, key=caller.tenant_id)
        return providers.model_dump(mode="json")

    async def generate(self, caller: Principal, fields: dict[str, Any]) -> dict[str, Any]:
        result = await self.ask(
            caller, GenerateV1.model_validate({**fields, "stream": False}), GenerateResultV1, long=True
        )
        return result_data(result)

    def generate_stream(
        self, caller: Principal, fields: dict[str, Any]
    ) -> AsyncGenerator[GenerationDeltaV1 | GenerateResultV1, None]:
        """Deltas in order, then the result; raises the typed error the service answered with, even mid-stream."""
        command = GenerateV1.model_validate({**fields, "stream": True})
        return self.ask_stream(caller, command, GenerationDeltaV1, GenerateResultV1)


def result_data(result: GenerateResultV1) -> dict[str, Any]:
    """Seed 000 ai/generate `data`: the documented fields first, then the routing/cost extras."""
    return result.model_dump(mode="json", exclude_none=True)
