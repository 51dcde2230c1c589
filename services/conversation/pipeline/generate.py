"""Route + generate step: redacted prompt, passages and sentiment in; one costed, cited Answer out (libs.llm)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from libs.llm import GenerateRequest, Passage
from services.conversation.pipeline.ports import LLMPort, RetrievedPassage

MAX_TOKENS = 400
# The local provider's registry id (libs/llm/providers.yaml): test turns name it so it leads the route.
LOCAL_MODEL_ID = "local_extractive"
_TIER_PROMPTS = {
    "AI_REP": "You are a friendly first-line customer service representative. Answer briefly from the sources.",
    "AI_MANAGER": (
        "You are a customer service manager handling an escalated case: acknowledge the trouble, take ownership "
        "and give a concrete next step. Answer from the sources."
    ),
}
_AGENT_PROMPTS = {
    "sales_agent": "Focus on product capabilities, plans and pricing.",
    "support_agent": "Focus on diagnosing and fixing the customer's problem step by step.",
    "general_agent": "Answer general questions helpfully.",
}


@dataclass(frozen=True)
class Answer:
    """What a turn's reply is made of; also the response-cache value (`to_dict`/`from_dict`)."""

    text: str
    model: str
    model_id: str
    provider: str
    input_tokens: int
    output_tokens: int
    cost_usd: float
    latency_ms: float
    confidence: float | None
    answered: bool
    sources: tuple[str, ...]
    complexity_score: float
    requires_human_review: bool
    cached: bool = False

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["sources"] = list(self.sources)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, cached: bool) -> Answer:
        return cls(**{**data, "sources": tuple(data.get("sources", ())), "cached": cached})


def system_prompt(tier: str, agent: str | None) -> str:
    base = _TIER_PROMPTS.get(tier, _TIER_PROMPTS["AI_REP"])
    return f"{base} {_AGENT_PROMPTS[agent]}" if agent in _AGENT_PROMPTS else base


def to_passages(passages: Sequence[RetrievedPassage]) -> list[Passage]:
    # The cited source is the article id when there is one (seed 003 `sources`), else the file/source name.
    return [Passage(p.content, p.article_id or p.source, p.score) for p in passages]


async def generate_answer(
    llm: LLMPort,
    *,
    prompt: str,
    passages: Sequence[RetrievedPassage],
    sentiment: float | None,
    query_vector: Sequence[float] | None,
    tier: str,
    agent: str | None,
    model_id: str | None = None,
) -> Answer:
    """`prompt` must already be redacted: this is the only text of the customer's that leaves for a provider."""
    result = await llm.generate(
        GenerateRequest(
            prompt=prompt,
            max_tokens=MAX_TOKENS,
            system_prompt=system_prompt(tier, agent),
            passages=to_passages(passages),
            sentiment=None if sentiment is None else max(-1.0, min(1.0, sentiment)),
            query_vector=query_vector,
            model_id=model_id,
        )
    )
    cited = [c.source for c in result.citations] or [p.article_id or p.source for p in passages]
    return Answer(
        text=result.text,
        model=result.model,
        model_id=result.model_id,
        provider=result.provider,
        input_tokens=result.usage.prompt_tokens,
        output_tokens=result.usage.completion_tokens,
        cost_usd=result.cost_usd,
        latency_ms=round(result.latency_ms, 2),
        confidence=result.confidence,
        answered=result.answered,
        sources=tuple(dict.fromkeys(cited)),
        complexity_score=result.complexity_score,
        requires_human_review=result.requires_human_review,
    )
