"""Google adapter on the official google-genai SDK (Client.aio): generate_content(+stream), embed_content."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

import httpx
import httpx2
from google import genai
from google.genai import errors as genai_errors
from google.genai import types as genai_types

from libs.llm.adapters.base import ProviderAdapter, ProviderError, system_text, user_text
from libs.llm.registry import ModelSpec
from libs.llm.types import Completion, GenerateRequest, Usage

# google-genai lets transport errors through unwrapped (it runs on httpx2), unlike the OpenAI/Anthropic SDKs.
_SDK_ERRORS = (genai_errors.APIError, httpx2.HTTPError, httpx.HTTPError, OSError, ValueError)


class GoogleAdapter(ProviderAdapter):
    provider = "google"

    def __init__(
        self,
        api_key: str | None,
        base_url: str | None,
        timeout_s: float,
        max_retries: int,
        retry_delay_s: float,
    ) -> None:
        # Retries are the SDK's own (tenacity: exponential backoff, jitter; 408/429/5xx and transport errors).
        options = genai_types.HttpOptions(
            base_url=base_url,
            timeout=int(timeout_s * 1000),
            retry_options=genai_types.HttpRetryOptions(
                attempts=max_retries + 1, initial_delay=retry_delay_s, max_delay=8.0
            ),
        )
        self._client = genai.Client(api_key=api_key, http_options=options) if api_key else None

    def available(self) -> bool:
        return self._client is not None

    def _sdk(self) -> genai.Client:
        if self._client is None:
            raise ProviderError(self.provider, "no API key configured")
        return self._client

    @staticmethod
    def _config(req: GenerateRequest, max_tokens: int) -> genai_types.GenerateContentConfig:
        return genai_types.GenerateContentConfig(
            system_instruction=system_text(req), max_output_tokens=max_tokens, temperature=req.temperature
        )

    @staticmethod
    def _usage(meta: genai_types.GenerateContentResponseUsageMetadata | None) -> Usage:
        if meta is None:
            return Usage(0, 0)
        return Usage(meta.prompt_token_count or 0, meta.candidates_token_count or 0)

    async def generate(self, spec: ModelSpec, req: GenerateRequest, max_tokens: int) -> Completion:
        try:
            resp = await self._sdk().aio.models.generate_content(
                model=spec.model, contents=user_text(req), config=self._config(req, max_tokens)
            )
            text = resp.text or ""
        except _SDK_ERRORS as exc:
            raise ProviderError(self.provider, type(exc).__name__, status=getattr(exc, "code", None)) from exc
        return Completion(text=text, usage=self._usage(resp.usage_metadata), model=resp.model_version or spec.model)

    async def stream(self, spec: ModelSpec, req: GenerateRequest, max_tokens: int) -> AsyncIterator[str | Completion]:
        parts: list[str] = []
        usage = Usage(0, 0)
        model = spec.model
        try:
            chunks = await self._sdk().aio.models.generate_content_stream(
                model=spec.model, contents=user_text(req), config=self._config(req, max_tokens)
            )
            async for chunk in chunks:
                model = chunk.model_version or model
                if chunk.usage_metadata is not None:
                    usage = self._usage(chunk.usage_metadata)
                delta = chunk.text
                if delta:
                    parts.append(delta)
                    yield delta
        except _SDK_ERRORS as exc:
            raise ProviderError(self.provider, type(exc).__name__, status=getattr(exc, "code", None)) from exc
        yield Completion(text="".join(parts), usage=usage, model=model)

    async def embed(
        self, spec: ModelSpec, texts: Sequence[str], dimensions: int | None
    ) -> tuple[list[list[float]], Usage, str]:
        model = spec.embedding_model or spec.model
        try:
            resp = await self._sdk().aio.models.embed_content(
                model=model,
                contents=list(texts),
                config=genai_types.EmbedContentConfig(output_dimensionality=dimensions) if dimensions else None,
            )
        except _SDK_ERRORS as exc:
            raise ProviderError(self.provider, type(exc).__name__, status=getattr(exc, "code", None)) from exc
        vectors = [list(e.values or []) for e in resp.embeddings or []]
        # The Gemini embedding API reports no token usage; count words so the ledger still sees the call.
        return vectors, Usage(sum(len(t.split()) for t in texts), 0), model

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aio.aclose()
