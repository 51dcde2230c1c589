"""Value objects of the LLM layer: generation requests in; results, usage, citations and compliance out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Passage:
    """One retrieved knowledge-base passage the answer may draw on; `source` is what gets cited."""

    content: str
    source: str
    score: float = 0.0


@dataclass(frozen=True, slots=True)
class GenerateRequest:
    """What a caller asks for; validated by `LLMService` (bad values raise `libs.errors.Invalid`)."""

    prompt: str
    model_id: str | None = None
    max_tokens: int = 512
    temperature: float = 0.7
    system_prompt: str | None = None
    context: Mapping[str, Any] = field(default_factory=dict)
    passages: Sequence[Passage] = ()
    # Customer sentiment in -1..1 (from the sentiment service); shapes the local provider's opening line.
    sentiment: float | None = None
    # Per-company phrases the output must never contain (compliance flag `banned_phrase`).
    banned_phrases: Sequence[str] = ()
    # The query's MiniLM vector when the caller already has it (rag embeds the query for retrieval).
    query_vector: Sequence[float] | None = None


@dataclass(frozen=True, slots=True)
class Usage:
    prompt_tokens: int
    completion_tokens: int

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def to_dict(self) -> dict[str, int]:
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.total_tokens,
        }


@dataclass(frozen=True, slots=True)
class ComplianceCheck:
    passed: bool
    flags: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"passed": self.passed, "flags": list(self.flags)}


@dataclass(frozen=True, slots=True)
class Citation:
    """One answer sentence and the passage source it was taken from (local provider only)."""

    sentence: str
    source: str
    similarity: float


@dataclass(frozen=True, slots=True)
class Completion:
    """What an adapter returns: raw text, token counts and the model name the provider reported."""

    text: str
    usage: Usage
    model: str
    confidence: float | None = None
    citations: tuple[Citation, ...] = ()
    answered: bool = True


@dataclass(frozen=True, slots=True)
class GenerateResult:
    text: str
    usage: Usage
    model: str
    model_id: str
    provider: str
    cost_usd: float
    compliance_check: ComplianceCheck
    requires_human_review: bool
    fallback_chain_tried: tuple[str, ...]
    complexity_score: float
    latency_ms: float
    confidence: float | None = None
    citations: tuple[Citation, ...] = ()
    # False when the local provider found no passage that answers and asked a clarifying question instead.
    answered: bool = True

    def to_dict(self) -> dict[str, Any]:
        """The seed-000 `ai/generate` data shape plus the extra routing/cost fields."""
        return {
            "generated_text": self.text,
            "usage": self.usage.to_dict(),
            "model": self.model,
            "compliance_check": self.compliance_check.to_dict(),
            "model_id": self.model_id,
            "provider": self.provider,
            "cost_usd": self.cost_usd,
            "requires_human_review": self.requires_human_review,
            "confidence": self.confidence,
            "complexity_score": self.complexity_score,
            "fallback_chain_tried": list(self.fallback_chain_tried),
            "sources": sorted({c.source for c in self.citations}),
        }


@dataclass(frozen=True, slots=True)
class EmbedResult:
    embeddings: list[list[float]]
    model: str
    model_id: str
    dimensions: int
    usage: Usage


@dataclass(frozen=True, slots=True)
class ClassifyResult:
    classifications: dict[str, float]
    top_category: str
    model: str
    model_id: str
