"""Adapter port: a ModelSpec and a GenerateRequest in, a Completion (or text deltas then a Completion) out."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Sequence

from libs.llm.registry import ModelSpec
from libs.llm.types import Completion, GenerateRequest, Usage

DEFAULT_SYSTEM_PROMPT = (
    "You are a customer-service assistant. Answer from the numbered sources when they are given and cite "
    "them as [n]; if they do not answer the question, say so and ask a clarifying question."
)


class ProviderError(Exception):
    """A provider-side failure (HTTP error, timeout, lost connection, bad reply): the router falls back."""

    def __init__(self, provider: str, message: str, *, status: int | None = None) -> None:
        super().__init__(f"{provider}: {message}")
        self.provider = provider
        self.status = status


class ProviderAdapter(ABC):
    """One per provider, holding its SDK client; `available()` is false without a key (never called then)."""

    provider: str

    @abstractmethod
    def available(self) -> bool: ...

    @abstractmethod
    async def generate(self, spec: ModelSpec, req: GenerateRequest, max_tokens: int) -> Completion: ...

    @abstractmethod
    def stream(self, spec: ModelSpec, req: GenerateRequest, max_tokens: int) -> AsyncIterator[str | Completion]:
        """Text deltas as they arrive, then exactly one Completion with the full text and token counts."""

    async def embed(
        self, spec: ModelSpec, texts: Sequence[str], dimensions: int | None
    ) -> tuple[list[list[float]], Usage, str]:
        raise ProviderError(self.provider, f"{spec.id} does not provide embeddings")

    async def aclose(self) -> None:
        return None


def system_text(req: GenerateRequest) -> str:
    return req.system_prompt or DEFAULT_SYSTEM_PROMPT


def user_text(req: GenerateRequest) -> str:
    """The prompt, numbered sources and caller context, so cloud models cite like the local one does."""
    parts = [req.prompt]
    if req.passages:
        sources = "\n".join(f"[{i}] ({p.source}) {p.content}" for i, p in enumerate(req.passages, 1))
        parts.append(f"Sources:\n{sources}")
    if req.context:
        parts.append("Context:\n" + "\n".join(f"- {k}: {v}" for k, v in req.context.items()))
    return "\n\n".join(parts)
