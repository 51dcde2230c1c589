"""Anthropic adapter on the official SDK (AsyncAnthropic): messages.create, plain and streamed."""

from __future__ import annotations

from collections.abc import AsyncIterator

import anthropic

from libs.llm.adapters.base import ProviderAdapter, ProviderError, system_text, user_text
from libs.llm.registry import ModelSpec
from libs.llm.types import Completion, GenerateRequest, Usage


class AnthropicAdapter(ProviderAdapter):
    provider = "anthropic"

    def __init__(self, api_key: str | None, base_url: str | None, timeout_s: float, max_retries: int) -> None:
        # Retries are the SDK's own: exponential backoff from 0.5 s with jitter, honouring retry-after(-ms).
        self._client = (
            anthropic.AsyncAnthropic(api_key=api_key, base_url=base_url, timeout=timeout_s, max_retries=max_retries)
            if api_key
            else None
        )

    def available(self) -> bool:
        return self._client is not None

    def _sdk(self) -> anthropic.AsyncAnthropic:
        if self._client is None:
            raise ProviderError(self.provider, "no API key configured")
        return self._client

    async def generate(self, spec: ModelSpec, req: GenerateRequest, max_tokens: int) -> Completion:
        try:
            msg = await self._sdk().messages.create(
                model=spec.model,
                system=system_text(req),
                messages=[{"role": "user", "content": user_text(req)}],
                max_tokens=max_tokens,
                # This SDK release has no temperature argument; the API still takes it (0–1) in the body.
                extra_body={"temperature": min(req.temperature, 1.0)},
            )
        except anthropic.AnthropicError as exc:
            raise ProviderError(self.provider, type(exc).__name__, status=getattr(exc, "status_code", None)) from exc
        text = "".join(getattr(block, "text", "") for block in msg.content)
        return Completion(
            text=text,
            usage=Usage(msg.usage.input_tokens, msg.usage.output_tokens),
            model=msg.model or spec.model,
        )

    async def stream(self, spec: ModelSpec, req: GenerateRequest, max_tokens: int) -> AsyncIterator[str | Completion]:
        parts: list[str] = []
        input_tokens = output_tokens = 0
        model = spec.model
        try:
            events = await self._sdk().messages.create(
                model=spec.model,
                system=system_text(req),
                messages=[{"role": "user", "content": user_text(req)}],
                max_tokens=max_tokens,
                extra_body={"temperature": min(req.temperature, 1.0)},
                stream=True,
            )
            async for event in events:
                if event.type == "message_start":
                    model = event.message.model or model
                    input_tokens = event.message.usage.input_tokens
                elif event.type == "content_block_delta" and event.delta.type == "text_delta":
                    parts.append(event.delta.text)
                    yield event.delta.text
                elif event.type == "message_delta":
                    output_tokens = event.usage.output_tokens
        except anthropic.AnthropicError as exc:
            raise ProviderError(self.provider, type(exc).__name__, status=getattr(exc, "status_code", None)) from exc
        yield Completion(text="".join(parts), usage=Usage(input_tokens, output_tokens), model=model)

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()
