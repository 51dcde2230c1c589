"""A scripted cloud provider for unit tests: stands in for the OpenAI SDK adapter (the network boundary) and
answers each generate call with the next scripted reply text, or raises ProviderError for `FAIL`."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

from libs.llm import LLMService, LLMSettings
from libs.llm.adapters.base import ProviderAdapter, ProviderError
from libs.llm.registry import ModelSpec
from libs.llm.types import Completion, GenerateRequest, Usage

FAIL = object()
SLOW = object()  # answers after SLOW_S: longer than any budget a test sets
SLOW_S = 5.0
REGISTRY = """
models:
  - {id: gpt4o_financial, provider: openai, model: gpt-4o, compliance_level: financial, is_default: true,
     capabilities: [text_generation, classification], tier: complex,
     price_per_1k_input: 0.0025, price_per_1k_output: 0.01}
  - {id: claude_sonnet, provider: anthropic, model: claude-3-5-sonnet-20240620,
     capabilities: [text_generation, classification]}
  - {id: local_extractive, provider: local, model: switchboard-extractive-minilm}
"""


class ScriptedProvider(ProviderAdapter):
    provider = "openai"

    def __init__(self, *replies: object) -> None:
        self.replies = list(replies)
        self.requests: list[GenerateRequest] = []

    def available(self) -> bool:
        return True

    async def generate(self, spec: ModelSpec, req: GenerateRequest, max_tokens: int) -> Completion:
        self.requests.append(req)
        reply = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        if reply is SLOW:
            await asyncio.sleep(SLOW_S)
        if reply is FAIL:
            raise ProviderError("openai", "scripted failure", status=500)
        text = str(reply)
        return Completion(text=text, usage=Usage(10, len(text.split())), model=spec.model)

    async def stream(self, spec: ModelSpec, req: GenerateRequest, max_tokens: int) -> AsyncIterator[str | Completion]:
        yield await self.generate(spec, req, max_tokens)


def cloud_settings(tmp_path: Path) -> LLMSettings:
    """OpenAI 'configured' (a key, a registry with gpt-4o first); the scripted provider replaces its adapter."""
    path = tmp_path / "providers.yaml"
    path.write_text(REGISTRY)
    return LLMSettings(
        openai_api_key="sk-unit",  # type: ignore[arg-type]  # pydantic turns it into a SecretStr
        openai_base_url="http://127.0.0.1:9/v1",
        anthropic_api_key=None,
        google_api_key=None,
        providers_file=path,
        breaker_failures=100,
    )


async def script(llm: LLMService, *replies: object) -> ScriptedProvider:
    scripted = ScriptedProvider(*replies)
    await llm.adapters["openai"].aclose()
    llm.adapters["openai"] = scripted
    return scripted
