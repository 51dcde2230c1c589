"""LLMService with no keys: local extractive answers, citations, ask-back, validation, streaming, embed/classify."""

from __future__ import annotations

import pytest

from libs.embeddings import get_encoder
from libs.errors import Invalid
from libs.llm import GenerateRequest, GenerateResult, LLMService, LLMSettings, Passage
from libs.llm.local.extractive import CLARIFY

PASSAGES = [
    Passage(
        "To reset your password, open the login page and click 'Forgot password'. We email you a reset link "
        "that expires after 30 minutes. If the link has expired, request a new one.",
        "kb/password-reset",
        0.8,
    ),
    Passage(
        "Our opening hours are 9am to 5pm, Monday to Friday. Phone lines are closed on public holidays.",
        "kb/opening-hours",
        0.5,
    ),
    Passage("Refunds go back to the original payment method within 5 to 7 business days.", "kb/refunds", 0.3),
]


@pytest.fixture(scope="module")
def service() -> LLMService:
    return LLMService(LLMSettings(openai_api_key=None, anthropic_api_key=None, google_api_key=None))


def test_without_keys_only_local_is_available(service: LLMService) -> None:
    data = service.providers()
    assert data["default_provider"] == "local_extractive"
    assert [p["id"] for p in data["providers"] if p["available"]] == ["local_extractive"]


async def test_answer_is_extracted_and_cited(service: LLMService) -> None:
    result = await service.generate(GenerateRequest("How can I reset my password?", passages=PASSAGES))
    assert result.provider == "local" and result.model == "switchboard-extractive-minilm"
    assert result.answered and result.citations
    assert {c.source for c in result.citations} == {"kb/password-reset"}
    for citation in result.citations:  # every answer sentence is verbatim from the passage it cites
        passage = next(p for p in PASSAGES if p.source == citation.source)
        assert citation.sentence in passage.content and citation.sentence in result.text
    assert "[1] kb/password-reset" in result.text
    assert result.confidence is not None and result.confidence > 0.5 and not result.requires_human_review
    assert result.usage.total_tokens == result.usage.prompt_tokens + result.usage.completion_tokens > 0
    assert result.cost_usd == 0.0 and result.fallback_chain_tried == ("local_extractive",)


async def test_unanswerable_question_gets_a_clarifying_question(service: LLMService) -> None:
    result = await service.generate(GenerateRequest("Can I bring my dog to the stadium concert?", passages=PASSAGES))
    assert not result.answered and CLARIFY in result.text and not result.citations
    assert result.confidence is not None and result.confidence < 0.2
    assert result.requires_human_review


async def test_no_passages_means_no_answer(service: LLMService) -> None:
    result = await service.generate(GenerateRequest("How can I reset my password?"))
    assert not result.answered and "?" in result.text


async def test_opening_follows_customer_sentiment(service: LLMService) -> None:
    angry = await service.generate(GenerateRequest("How do I reset my password?", passages=PASSAGES, sentiment=-0.8))
    calm = await service.generate(GenerateRequest("How do I reset my password?", passages=PASSAGES, sentiment=0.0))
    assert angry.text.startswith("I'm really sorry")
    assert not calm.text.startswith("I'm really sorry") and calm.text.startswith("To reset your password")


async def test_confidence_grows_with_relevance(service: LLMService) -> None:
    close = await service.generate(GenerateRequest("How do I reset my password?", passages=PASSAGES))
    vague = await service.generate(GenerateRequest("Something about my login", passages=PASSAGES))
    assert close.confidence is not None and vague.confidence is not None
    assert close.confidence > vague.confidence


async def test_precomputed_query_vector_gives_the_same_answer(service: LLMService) -> None:
    query = "How do I reset my password?"
    vector = get_encoder().encode([query])[0].tolist()
    plain = await service.generate(GenerateRequest(query, passages=PASSAGES))
    given = await service.generate(GenerateRequest(query, passages=PASSAGES, query_vector=vector))
    assert given.text == plain.text


async def test_stream_yields_deltas_then_the_result(service: LLMService) -> None:
    items = [i async for i in service.stream(GenerateRequest("What are your opening hours?", passages=PASSAGES))]
    deltas, final = items[:-1], items[-1]
    assert isinstance(final, GenerateResult) and all(isinstance(d, str) for d in deltas)
    assert "".join(deltas) == final.text and len(deltas) >= 2


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (GenerateRequest("hi", model_id="gpt-17"), "model"),
        (GenerateRequest("hi", max_tokens=0), "max_tokens"),
        (GenerateRequest("hi", max_tokens=10_000), "max_tokens"),
        (GenerateRequest("hi", temperature=2.5), "temperature"),
        (GenerateRequest("hi", temperature=-0.1), "temperature"),
        (GenerateRequest("   "), "prompt"),
        (GenerateRequest("hi", model_id="embeddings"), "model"),
    ],
)
async def test_invalid_requests_name_the_field(service: LLMService, request_: GenerateRequest, field: str) -> None:
    with pytest.raises(Invalid) as err:
        await service.generate(request_)
    assert field in err.value.details
    if request_.model_id == "gpt-17":
        assert "gpt4o_financial" in err.value.details["valid_models"]


async def test_named_model_without_key_falls_back_to_local(service: LLMService) -> None:
    result = await service.generate(GenerateRequest("How do I reset my password?", model_id="claude_sonnet"))
    assert result.provider == "local" and result.fallback_chain_tried == ("local_extractive",)


async def test_local_embeddings_are_384_dimensional(service: LLMService) -> None:
    result = await service.embed(["premium card benefits", "dispute a charge"])
    assert result.dimensions == 384 and len(result.embeddings) == 2 and result.model_id == "local_extractive"
    with pytest.raises(Invalid):
        await service.embed(["x"], dimensions=1536)
    with pytest.raises(Invalid):
        await service.embed([])


async def test_classification_by_similarity(service: LLMService) -> None:
    categories = ["account_access", "transaction_issue", "balance_inquiry", "fee_dispute", "technical_support"]
    result = await service.classify("I can't log in to my account after several attempts.", categories)
    assert result.top_category == "account_access"
    assert sum(result.classifications.values()) == pytest.approx(1.0, abs=1e-3)
    with pytest.raises(Invalid):
        await service.classify("x", ["only_one"])


async def test_every_call_lands_in_the_ledger(service: LLMService) -> None:
    before = service.ledger.model_usage().get("switchboard-extractive-minilm", 0)
    await service.generate(GenerateRequest("How do I reset my password?", passages=PASSAGES))
    assert service.ledger.model_usage()["switchboard-extractive-minilm"] == before + 1
    assert set(service.ledger.snapshot()) == {"total_cost", "cost_per_query", "cost_by_model"}
