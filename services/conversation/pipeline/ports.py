"""The pipeline's ports (one Protocol per outside step) and the values they return; no implementation here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from libs.llm import ClassifyResult, GenerateRequest, GenerateResult


@dataclass(frozen=True)
class Redaction:
    """The text a provider may see; `available` is False when the privacy service did not answer."""

    text: str
    pii_detected: tuple[str, ...] = ()
    token: str | None = None
    available: bool = True


@dataclass(frozen=True)
class SentimentReading:
    label: str = "neutral"
    score: float = 0.0
    cs_level: str = "NEUTRAL"
    irate: bool = False
    available: bool = True


@dataclass(frozen=True)
class RetrievedPassage:
    content: str
    source: str
    score: float
    filename: str | None = None
    chunk_id: str | None = None
    article_id: str | None = None


@dataclass(frozen=True)
class Retrieval:
    passages: tuple[RetrievedPassage, ...] = ()
    knowledge_version: str | None = None
    query_vector: tuple[float, ...] | None = None
    available: bool = True


@dataclass(frozen=True)
class EscalationVerdict:
    escalate: bool = False
    target_tier: str = "AI_REP"
    reasons: tuple[str, ...] = ()
    priority: str = "low"
    explanation: str = ""
    support_reason: str | None = None
    irate: bool = False
    ticket_id: str | None = None
    available: bool = True


@dataclass(frozen=True)
class EscalationQuery:
    tenant_id: str
    session_id: str
    customer_id: str
    current_tier: str
    text: str  # redacted
    facts: Mapping[str, Any] = field(default_factory=dict)
    create_ticket: bool = True
    negative_sentiment: bool = False  # seed 001's rule: strongly negative mood escalates at once


class Redactor(Protocol):
    async def redact(self, text: str, *, tenant_id: str, key: str, deadline_s: float) -> Redaction: ...


class SentimentPort(Protocol):
    async def analyze(self, text: str, *, tenant_id: str, key: str, deadline_s: float) -> SentimentReading: ...


class RetrievalPort(Protocol):
    async def retrieve(self, query: str, *, tenant_id: str, key: str, top_k: int, deadline_s: float) -> Retrieval: ...


class EscalationPort(Protocol):
    async def evaluate(self, query: EscalationQuery, *, deadline_s: float) -> EscalationVerdict: ...


class LLMPort(Protocol):
    """The slice of libs.llm.LLMService the pipeline uses (tests wrap the real service to see every request)."""

    async def generate(self, req: GenerateRequest) -> GenerateResult: ...

    async def classify(self, text: str, categories: Sequence[str], model_id: str | None = None) -> ClassifyResult: ...
