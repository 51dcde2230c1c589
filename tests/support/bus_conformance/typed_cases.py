"""Conformance: the typed calls (`ask`, `ask_part`, `ask_stream`, `emit`) that take the topic and the reply type
from the registry's topics.yaml instead of the caller."""

from __future__ import annotations

import asyncio
import re

import pytest
from pydantic import BaseModel

from libs.bus import Envelope, MessageContext, ReplyStream, build_topic_handler
from libs.bus.transport import TransportBus
from libs.contracts.models.conversation import GenerateResultV1, GenerateV1, GenerationDeltaV1
from libs.contracts.models.rag import KnowledgeChangedV1, UploadPartV1, UploadProgressV1, UploadResultV1
from libs.contracts.models.sentiment import AnalyzeSentimentV1, SentimentResultV1
from libs.contracts.registry import ContractViolation
from libs.errors import NotFound
from tests.support.bus_conformance.harness import BusHarness, wait_until
from tests.support.contracts import COMMAND, GENERATE, UPLOAD_PART
from tests.unit.bus.messages import analyze, analyzed, result_for


async def _sentiment(cmd: AnalyzeSentimentV1, *, ctx: MessageContext) -> SentimentResultV1:
    if cmd.texts[0].text == "missing":
        raise NotFound("no such text", {"field": "texts"})
    return result_for(cmd)


async def _upload(cmd: UploadPartV1, *, ctx: MessageContext) -> BaseModel:
    if cmd.index < cmd.total - 1:
        return UploadProgressV1(upload_id=cmd.upload_id, index=cmd.index, received=cmd.index + 1)
    return UploadResultV1(
        upload_id=cmd.upload_id, document_id="doc-1", filename=cmd.filename, size=cmd.size, type="txt",
        status="success", chunks_created=cmd.total, replaced=False,
    )  # fmt: skip


async def _generate(cmd: GenerateV1, *, ctx: MessageContext, reply_stream: ReplyStream) -> GenerateResultV1:
    words = cmd.prompt.split()
    for n, word in enumerate(words):
        await reply_stream(GenerationDeltaV1(index=n, text=word))
    if words[-1] == "fail":
        raise NotFound("stopped after the pieces", {"pieces": len(words)})
    return GenerateResultV1.model_validate(
        {
            "generated_text": " ".join(words), "model": "m", "model_id": "m-1", "provider": "local",
            "usage": {"prompt_tokens": 1, "completion_tokens": len(words), "total_tokens": len(words) + 1},
            "compliance_check": {"passed": True, "flags": []},
        }
    )  # fmt: skip


def _part(index: int, total: int) -> UploadPartV1:
    return UploadPartV1(
        upload_id="up-1", filename="a.txt", content_type="text/plain", index=index, total=total, size=3,
        data_b64="YWJj",
    )  # fmt: skip


class TypedCases:
    async def _serve(self, harness: BusHarness) -> TransportBus:
        """A started service answering the three commands, and the started caller it returns."""
        service, caller = harness.bus("svc"), harness.bus("gateway")
        handlers = {COMMAND: _sentiment, UPLOAD_PART: _upload, GENERATE: _generate}
        handler = build_topic_handler(service, handlers, registry=service.registry)  # type: ignore[arg-type]
        service.subscribe(harness.topics.commands, group="svc", handler=handler)
        await asyncio.gather(service.start(), caller.start())
        return caller

    async def test_ask_sends_on_the_declared_topic_and_returns_the_declared_reply_model(
        self, harness: BusHarness
    ) -> None:
        caller = await self._serve(harness)
        result = await caller.ask(analyze("a", "b"), SentimentResultV1, key="k", tenant_id="t", timeout=10)
        assert isinstance(result, SentimentResultV1) and [r.id for r in result.results] == ["0", "1"]
        with pytest.raises(NotFound) as caught:  # an error reply raises the typed error, as `request` does
            await caller.ask(analyze("missing"), SentimentResultV1, key="k", tenant_id="t", timeout=10)
        assert caught.value.details == {"field": "texts"}
        # The reply type names the static type; one that is not the declared reply fails before anything is sent.
        with pytest.raises(ContractViolation, match=re.escape("is answered with sentiment.SentimentResult.v1")):
            await caller.ask(analyze("a"), UploadResultV1, key="k", tenant_id="t", timeout=10)
        with pytest.raises(ContractViolation, match="declares no reply"):
            await caller.ask(analyzed(1), SentimentResultV1, key="k", tenant_id="t", timeout=10)

    async def test_ask_refuses_a_reply_of_another_type_than_declared(self, harness: BusHarness) -> None:
        async def wrong(env: Envelope) -> BaseModel:
            return UploadProgressV1(upload_id="u", index=0, received=1)  # a reply type, but not this command's

        service, caller = harness.bus("svc"), harness.bus("gateway")
        service.subscribe(harness.topics.commands, group="svc", handler=wrong)
        await asyncio.gather(service.start(), caller.start())
        expected = re.escape("expected sentiment.SentimentResult.v1, got rag.UploadProgress.v1")
        with pytest.raises(ContractViolation, match=expected):
            await caller.ask(analyze("a"), SentimentResultV1, key="k", tenant_id="t", timeout=10)

    async def test_ask_part_answers_none_for_interim_acknowledgements_then_the_result(
        self, harness: BusHarness
    ) -> None:
        caller = await self._serve(harness)
        answers = [
            await caller.ask_part(_part(i, 3), UploadResultV1, key="up-1", tenant_id="t", timeout=10) for i in range(3)
        ]
        assert answers[:2] == [None, None]
        assert isinstance(answers[2], UploadResultV1) and answers[2].chunks_created == 3
        with pytest.raises(ContractViolation, match="interim"):  # `ask` wants the final reply
            await caller.ask(_part(0, 2), UploadResultV1, key="up-1", tenant_id="t", timeout=10)

    async def test_ask_stream_yields_typed_deltas_in_order_then_the_typed_reply_or_the_error(
        self, harness: BusHarness
    ) -> None:
        caller = await self._serve(harness)
        command = GenerateV1(prompt="one two three", stream=True)
        stream = caller.ask_stream(
            command, GenerationDeltaV1, GenerateResultV1, key="g", tenant_id="t", timeout=10, idle_timeout=5
        )
        items = [item async for item in stream]
        assert [(d.index, d.text) for d in items[:-1] if isinstance(d, GenerationDeltaV1)] == [
            (0, "one"), (1, "two"), (2, "three"),
        ]  # fmt: skip
        assert isinstance(items[-1], GenerateResultV1) and items[-1].generated_text == "one two three"
        seen: list[object] = []
        with pytest.raises(NotFound):
            async for item in caller.ask_stream(
                GenerateV1(prompt="a fail", stream=True), GenerationDeltaV1, GenerateResultV1, key="g",
                tenant_id="t", timeout=10,
            ):  # fmt: skip
                seen.append(item)
        assert len(seen) == 2 and all(isinstance(d, GenerationDeltaV1) for d in seen)
        with pytest.raises(ContractViolation, match="does not stream"):  # a command declared without a stream
            async for _ in caller.ask_stream(
                analyze("a"), GenerationDeltaV1, SentimentResultV1, key="k", tenant_id="t", timeout=10
            ):
                pass

    async def test_emit_publishes_on_the_one_topic_declared_for_the_type(self, harness: BusHarness) -> None:
        seen: list[tuple[str, int]] = []

        async def record(env: Envelope) -> None:
            seen.append((env.type, env.data.get("knowledge_version", -1)))

        consumer, producer = harness.bus("reader"), harness.bus("writer")
        consumer.subscribe(harness.topics.events, group="readers", handler=record)
        await asyncio.gather(consumer.start(), producer.start())
        env = await producer.emit(
            KnowledgeChangedV1(knowledge_version=7, reason="article_upserted"), key="acme", tenant_id="acme"
        )
        assert env.tenantid == "acme" and env.subject == "acme"
        await wait_until(lambda: len(seen) == 1)
        assert seen == [("rag.KnowledgeChanged.v1", 7)]
        # SentimentAnalyzed is declared on two topics here: the caller must name one (`publish`).
        with pytest.raises(ContractViolation, match="declared on 2 topics"):
            await producer.emit(analyzed(1), key="k", tenant_id="t")
