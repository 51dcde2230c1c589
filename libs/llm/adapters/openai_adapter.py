"""OpenAI adapter on the official SDK (AsyncOpenAI): chat.completions (plain and streamed) and embeddings."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

import openai
from openai.types.chat import ChatCompletionMessageParam

from libs.llm.adapters.base import ProviderAdapter, ProviderError, system_text, user_text
from libs.llm.registry import ModelSpec
from libs.llm.types import Completion, GenerateRequest, Usage


class OpenAIAdapter(ProviderAdapter):
    provider = "openai"

    def __init__(self, api_key: str | None, base_url: str | None, timeout_s: float, max_retries: int) -> None:
        # Retries are the SDK's own: exponential backoff from 0.5 s with jitter, honouring retry-after(-ms).
        self._client = (
            openai.AsyncOpenAI(api_key=api_key, base_url=base_url, timeout=timeout_s, max_retries=max_retries)
            if api_key
            else None
        )

    def available(self) -> bool:
        return self._client is not None

    def _sdk(self) -> openai.AsyncOpenAI:
        if self._client is None:
            raise ProviderError(self.provider, "no API key configured")
        return self._client

    @staticmethod
    def _messages(req: GenerateRequest) -> list[ChatCompletionMessageParam]:
        return [{"role": "system", "content": system_text(req)}, {"role": "user", "content": user_text(req)}]

    async def generate(self, spec: ModelSpec, req: GenerateRequest, max_tokens: int) -> Completion:
        try:
            resp = await self._sdk().chat.completions.create(
                model=spec.model,
                messages=self._messages(req),
                max_tokens=max_tokens,
                temperature=req.temperature,
            )
        except openai.OpenAIError as exc:
            raise ProviderError(self.provider, type(exc).__name__, status=getattr(exc, "status_code", None)) from exc
        if not resp.choices:
            raise ProviderError(self.provider, "reply without choices")
        usage = resp.usage
        return Completion(
            text=resp.choices[0].message.content or "",
            usage=Usage(usage.prompt_tokens if usage else 0, usage.completion_tokens if usage else 0),
            model=resp.model or spec.model,
        )

    async def stream(self, spec: ModelSpec, req: GenerateRequest, max_tokens: int) -> AsyncIterator[str | Completion]:
        parts: list[str] = []
        usage = Usage(0, 0)
        model = spec.model
        try:
            chunks = await self._sdk().chat.completions.create(
                model=spec.model,
                messages=self._messages(req),
                max_tokens=max_tokens,
                temperature=req.temperature,
                stream=True,
                stream_options={"include_usage": True},
            )
            async for chunk in chunks:
                model = chunk.model or model
                if chunk.usage is not None:
                    usage = Usage(chunk.usage.prompt_tokens, chunk.usage.completion_tokens)
                for choice in chunk.choices:
                    if choice.delta.content:
                        parts.append(choice.delta.content)
                        yield choice.delta.content
        except openai.OpenAIError as exc:
            raise ProviderError(self.provider, type(exc).__name__, status=getattr(exc, "status_code", None)) from exc
        yield Completion(text="".join(parts), usage=usage, model=model)

    async def embed(
        self, spec: ModelSpec, texts: Sequence[str], dimensions: int | None
    ) -> tuple[list[list[float]], Usage, str]:
        model = spec.embedding_model or spec.model
        try:
            resp = await self._sdk().embeddings.create(
                model=model,
                input=list(texts),
                encoding_format="float",
                dimensions=dimensions if dimensions else openai.omit,
            )
        except openai.OpenAIError as exc:
            raise ProviderError(self.provider, type(exc).__name__, status=getattr(exc, "status_code", None)) from exc
        vectors = [list(d.embedding) for d in sorted(resp.data, key=lambda d: d.index)]
        return vectors, Usage(resp.usage.prompt_tokens, 0), resp.model or model

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()
