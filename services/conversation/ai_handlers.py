"""Consumes conversation.ListProviders.v1 and conversation.Generate.v1 (seed 000 ai/providers, ai/generate);
replies ProviderList.v1 and GenerateResult.v1, the latter preceded by ordered GenerationDelta.v1 replies when the
command asks to stream."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from libs.bus import ReplyStream
from libs.bus.base import Bus, MessageContext
from libs.bus.dispatch import HandlerFn
from libs.contracts.models.conversation import (
    GenerateResultV1,
    GenerateV1,
    GenerationDeltaV1,
    ListProvidersV1,
    ProviderListV1,
)
from libs.contracts.models.privacy import AnonymizeResultV1, AnonymizeV1
from libs.errors import Unavailable
from libs.llm import GenerateRequest, GenerateResult, LLMService, Passage
from services.conversation.pipeline.generate import MAX_TOKENS
from services.conversation.pipeline.ports import Redaction, Redactor, Retrieval, RetrievalPort
from services.conversation.pipeline.redact import fallback_redaction
from services.conversation.pipeline.steps import StepLog
from services.conversation.settings import StepDeadlines

UNRETRIEVED = Retrieval(available=False)


class TransientRedactor:
    """privacy.Anonymize.v1 without sealing the originals in the vault: nothing restores a one-off generation's
    PII later, so keeping it would only add PII at rest (the turn pipeline's BusRedactor does keep it)."""

    def __init__(self, bus: Bus) -> None:
        self._bus = bus

    async def redact(self, text: str, *, tenant_id: str, key: str, deadline_s: float) -> Redaction:
        command = AnonymizeV1(text=text, keep_mapping=False, store_originals=False)
        result = await self._bus.ask(command, AnonymizeResultV1, key=key, tenant_id=tenant_id, timeout=deadline_s)
        return Redaction(text=result.anonymized_text, pii_detected=tuple(str(t) for t in result.pii_detected))


@dataclass(frozen=True)
class AiGeneration:
    """Direct generation for the ai/* API: the same LLMService, redactor and knowledge base as the turn pipeline.

    The prompt is redacted before any provider sees it (the pattern scrubber when the privacy service does not
    answer in time) and grounded in the tenant's knowledge base, which the local provider answers from.
    """

    llm: LLMService
    redactor: Redactor
    retrieval: RetrievalPort
    deadlines: StepDeadlines
    top_k: int = 5

    async def prepare(self, cmd: GenerateV1, *, tenant_id: str, key: str) -> GenerateRequest:
        """Validate first (a bad field costs no redaction or retrieval), redact, then retrieve with the redacted
        text; each outside step runs under its deadline and falls back rather than failing the call, except the
        redaction: without it the call is refused (Unavailable) before any provider or rag sees the prompt."""
        raw = self._request(cmd, cmd.prompt)
        self.llm.route(raw)  # raises Invalid naming the field; checks model id, max_tokens, temperature, prompt
        steps = StepLog()
        redaction = await steps.run(
            "redact",
            self.redactor.redact(cmd.prompt, tenant_id=tenant_id, key=key, deadline_s=self.deadlines.privacy_s),
            fallback_redaction(cmd.prompt),
            self.deadlines.privacy_s,
        )
        if not redaction.available:
            # Fails closed: the local scrubber misses names, so an unredacted prompt never reaches a provider.
            raise Unavailable(
                "the privacy service could not redact the prompt; nothing was sent to a model",
                {"redaction": "unavailable"},
            )
        retrieval = await steps.run(
            "retrieve",
            self.retrieval.retrieve(
                redaction.text, tenant_id=tenant_id, key=key, top_k=self.top_k, deadline_s=self.deadlines.retrieval_s
            ),
            UNRETRIEVED,
            self.deadlines.retrieval_s,
        )
        passages = tuple(Passage(p.content, p.source, p.score) for p in retrieval.passages)
        return self._request(cmd, redaction.text, passages, retrieval.query_vector)

    @staticmethod
    def _request(
        cmd: GenerateV1,
        prompt: str,
        passages: tuple[Passage, ...] = (),
        query_vector: tuple[float, ...] | None = None,
    ) -> GenerateRequest:
        return GenerateRequest(
            prompt=prompt,
            model_id=cmd.model,
            max_tokens=cmd.max_tokens if cmd.max_tokens is not None else 512,
            temperature=cmd.temperature if cmd.temperature is not None else 0.7,
            system_prompt=cmd.system_prompt,
            context=dict(cmd.context or {}),
            passages=passages,
            query_vector=query_vector,
        )


def result_reply(result: GenerateResult) -> GenerateResultV1:
    data: dict[str, Any] = {k: v for k, v in result.to_dict().items() if v is not None}
    data["latency_ms"] = result.latency_ms
    return GenerateResultV1.model_validate(data)


async def handle_list_providers(cmd: ListProvidersV1, *, ctx: MessageContext, ai: AiGeneration) -> ProviderListV1:
    turn = {
        "temperature": GenerateRequest(prompt="").temperature,
        "max_tokens": MAX_TOKENS,
        "retrieval_top_k": ai.top_k,
    }
    return ProviderListV1.model_validate(ai.llm.providers() | {"turn_settings": turn})


async def handle_generate(
    cmd: GenerateV1, *, ctx: MessageContext, ai: AiGeneration, reply_stream: ReplyStream
) -> GenerateResultV1:
    """Non-streaming: one reply. Streaming: a GenerationDelta per provider delta, then the full result; a failure
    after the first delta (no fallback is possible then) is the final reply, as an error."""
    req = await ai.prepare(cmd, tenant_id=ctx.tenant_id, key=ctx.key or ctx.event_id)
    if not cmd.stream:
        return result_reply(await ai.llm.generate(req))
    final: GenerateResult | None = None
    async for item in ai.llm.stream(req):
        if isinstance(item, GenerateResult):
            final = item
        elif item:
            await reply_stream(GenerationDeltaV1(index=reply_stream.sent, text=item))
    if final is None:  # LLMService.stream always ends with a result or raises; this guards a broken adapter
        raise Unavailable("the generation stream ended without a result", {"model": req.model_id or "default"})
    return result_reply(final)


AI_HANDLERS: dict[str, HandlerFn] = {
    "conversation.ListProviders.v1": handle_list_providers,
    "conversation.Generate.v1": handle_generate,
}
