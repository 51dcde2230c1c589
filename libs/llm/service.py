"""LLMService: GenerateRequests in; routed, fallen-back, costed and compliance-checked GenerateResults out."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

from libs.embeddings import get_encoder
from libs.errors import Invalid, Unavailable
from libs.llm.adapters.anthropic_adapter import AnthropicAdapter
from libs.llm.adapters.base import ProviderAdapter, ProviderError
from libs.llm.adapters.google_adapter import GoogleAdapter
from libs.llm.adapters.openai_adapter import OpenAIAdapter
from libs.llm.breaker import CircuitBreaker
from libs.llm.classify import classification_request, parse_probabilities
from libs.llm.compliance import check_compliance
from libs.llm.cost import CostLedger
from libs.llm.local.provider import LocalAdapter
from libs.llm.local.sentences import Encoder
from libs.llm.registry import ModelSpec, Registry
from libs.llm.router import Route, Router
from libs.llm.settings import LLMSettings
from libs.llm.types import ClassifyResult, Completion, EmbedResult, GenerateRequest, GenerateResult, Passage
from libs.llm.validation import validate_classify, validate_embed, validate_generate

log = logging.getLogger(__name__)


def _secret(value: Any) -> str | None:
    return value.get_secret_value() if value is not None else None


class LLMService:
    """Holds the registry, one adapter per provider, the router, circuit breakers and the cost ledger."""

    def __init__(self, settings: LLMSettings, *, encoder_factory: Callable[[], Encoder] = get_encoder) -> None:
        s = settings
        self.settings = s
        self.registry = Registry.from_file(s.providers_file)
        self.local = LocalAdapter(encoder_factory)
        self.adapters: dict[str, ProviderAdapter] = {
            "openai": OpenAIAdapter(_secret(s.openai_api_key), s.openai_base_url, s.timeout_s, s.max_retries),
            "anthropic": AnthropicAdapter(
                _secret(s.anthropic_api_key), s.anthropic_base_url, s.timeout_s, s.max_retries
            ),
            "google": GoogleAdapter(
                _secret(s.google_api_key),
                s.google_base_url,
                s.timeout_s,
                s.max_retries,
                s.retry_initial_delay_s,
            ),
            "local": self.local,
        }
        self.breaker = CircuitBreaker(s.breaker_failures, s.breaker_cooldown_s)
        self.router = Router(self.registry, self.is_available, s.complexity_threshold)
        self.ledger = CostLedger()

    def is_available(self, spec: ModelSpec) -> bool:
        return self.adapters[spec.provider].available()

    def providers(self) -> dict[str, Any]:
        """Seed-000 `GET /api/v1/ai/providers` data (plus an `available` flag per entry)."""
        return self.registry.listing(self.is_available)

    def default_model(self) -> ModelSpec:
        return self.registry.effective_default(self.is_available)

    def warm(self, passages: Sequence[Passage]) -> None:
        self.local.warm(passages)

    def route(self, req: GenerateRequest) -> Route:
        validate_generate(req, self.registry, self.default_model())
        return self.router.plan(req.prompt, req.model_id)

    async def generate(self, req: GenerateRequest) -> GenerateResult:
        started = time.perf_counter()
        route = self.route(req)
        tried: list[str] = []
        for spec in self._candidates(route, tried):
            try:
                async with asyncio.timeout(self.settings.timeout_s):
                    completion = await self._adapter(spec).generate(spec, req, min(req.max_tokens, spec.max_tokens))
            except (ProviderError, TimeoutError) as exc:
                self._failed(spec, exc)
                continue
            return self._finish(spec, req, completion, route, tried, started)
        raise self._all_down(tried)

    async def stream(self, req: GenerateRequest) -> AsyncIterator[str | GenerateResult]:
        """Text deltas, then one GenerateResult. Falls back only before the first delta has been sent."""
        started = time.perf_counter()
        route = self.route(req)
        tried: list[str] = []
        for spec in self._candidates(route, tried):
            deltas = self._adapter(spec).stream(spec, req, min(req.max_tokens, spec.max_tokens))
            sent = False
            try:
                while True:
                    # Before the first delta the whole attempt budget applies; after it, the same idle limit.
                    item = await asyncio.wait_for(anext(deltas), self.settings.timeout_s)
                    if isinstance(item, Completion):
                        yield self._finish(spec, req, item, route, tried, started)
                        return
                    sent = True
                    yield item
            except (ProviderError, TimeoutError, StopAsyncIteration) as exc:
                self._failed(spec, exc)
                if sent:
                    raise Unavailable(
                        "the provider failed mid-stream", {"model": spec.id, "fallback_chain_tried": tried}
                    ) from exc
            finally:
                await deltas.aclose()  # type: ignore[attr-defined]
        raise self._all_down(tried)

    async def embed(
        self, texts: Sequence[str], model_id: str | None = None, dimensions: int | None = None
    ) -> EmbedResult:
        """Vectors from the named model, else the default if it embeds, else local MiniLM (384 dims)."""
        validate_embed(texts, dimensions)
        spec = self._capable(model_id, "embeddings")
        try:
            async with asyncio.timeout(self.settings.timeout_s):
                vectors, usage, model = await self._adapter(spec).embed(spec, texts, dimensions)
        except (ProviderError, TimeoutError) as exc:
            raise Unavailable("embedding provider failed", {"model": spec.id, "reason": type(exc).__name__}) from exc
        self.ledger.record(model, usage.prompt_tokens, 0, spec.cost(usage.prompt_tokens, 0))
        dims = len(vectors[0]) if vectors else 0
        return EmbedResult(vectors, model=model, model_id=spec.id, dimensions=dims, usage=usage)

    async def classify(self, text: str, categories: Sequence[str], model_id: str | None = None) -> ClassifyResult:
        """Cloud models return JSON probabilities; a bad reply or an outage falls back to local similarity."""
        validate_classify(text, categories)
        spec = self._capable(model_id, "classification")
        if spec.provider != "local":
            try:
                result = await self.generate(classification_request(spec.id, text, categories))
            except Unavailable:
                result = None
            scores = parse_probabilities(result.text, categories) if result else None
            if result is not None and scores is not None and result.model_id == spec.id:
                return ClassifyResult(scores, next(iter(scores)), model=result.model, model_id=spec.id)
            spec = self.registry.local()
        scores = self.local.classify(text, categories)
        return ClassifyResult(scores, next(iter(scores)), model=spec.model, model_id=spec.id)

    async def aclose(self) -> None:
        for adapter in self.adapters.values():
            await adapter.aclose()

    def _adapter(self, spec: ModelSpec) -> ProviderAdapter:
        return self.adapters[spec.provider]

    def _capable(self, model_id: str | None, capability: Any) -> ModelSpec:
        default = self.default_model()
        spec = self.registry.get(model_id) if model_id else (default if default.can(capability) else None)
        spec = spec or self.registry.local()
        if not spec.can(capability):
            valid = [s.id for s in self.registry.specs if s.can(capability)]
            raise Invalid(f"{spec.id} has no {capability} capability", {"model": spec.id, "valid_models": valid})
        if not self.is_available(spec):
            raise Unavailable(f"{spec.id} is not configured (no API key)", {"model": spec.id})
        return spec

    def _candidates(self, route: Route, tried: list[str]) -> Any:
        for spec in route.chain:
            # The local model never trips: it is the last resort and has no remote side to fail.
            if spec.provider != "local" and not self.breaker.allow(spec.id):
                continue
            tried.append(spec.id)
            yield spec

    def _failed(self, spec: ModelSpec, exc: BaseException) -> None:
        if spec.provider != "local":
            self.breaker.failure(spec.id)
        log.warning("llm provider failed", extra={"model_id": spec.id, "error": type(exc).__name__})

    def _all_down(self, tried: list[str]) -> Unavailable:
        return Unavailable(
            "every provider in the chain failed", {"model": "unavailable", "fallback_chain_tried": tried}
        )

    def _finish(
        self,
        spec: ModelSpec,
        req: GenerateRequest,
        completion: Completion,
        route: Route,
        tried: list[str],
        started: float,
    ) -> GenerateResult:
        if spec.provider != "local":
            self.breaker.success(spec.id)
        usage = completion.usage
        cost = round(spec.cost(usage.prompt_tokens, usage.completion_tokens), 8)
        model = completion.model or spec.model
        self.ledger.record(model, usage.prompt_tokens, usage.completion_tokens, cost)
        compliance = check_compliance(completion.text, req.banned_phrases)
        low_confidence = completion.confidence is not None and completion.confidence < self.settings.review_confidence
        return GenerateResult(
            text=completion.text,
            usage=usage,
            model=model,
            model_id=spec.id,
            provider=spec.provider,
            cost_usd=cost,
            compliance_check=compliance,
            requires_human_review=not compliance.passed or low_confidence,
            fallback_chain_tried=tuple(tried),
            complexity_score=route.complexity,
            latency_ms=round((time.perf_counter() - started) * 1000, 3),
            confidence=completion.confidence,
            citations=completion.citations,
            answered=completion.answered,
        )
