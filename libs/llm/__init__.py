"""LLM layer: requests in; routed, costed, checked answers from OpenAI, Anthropic, Google or local out."""

from libs.llm.complexity import complexity_score, explain_complexity
from libs.llm.compliance import check_compliance
from libs.llm.cost import CostLedger
from libs.llm.registry import ModelSpec, Registry
from libs.llm.service import LLMService
from libs.llm.settings import LLMSettings
from libs.llm.types import (
    Citation,
    ClassifyResult,
    ComplianceCheck,
    EmbedResult,
    GenerateRequest,
    GenerateResult,
    Passage,
    Usage,
)

__all__ = [
    "Citation",
    "ClassifyResult",
    "ComplianceCheck",
    "CostLedger",
    "EmbedResult",
    "GenerateRequest",
    "GenerateResult",
    "LLMService",
    "LLMSettings",
    "ModelSpec",
    "Passage",
    "Registry",
    "Usage",
    "check_compliance",
    "complexity_score",
    "explain_complexity",
]
