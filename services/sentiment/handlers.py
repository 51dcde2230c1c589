"""Consumes sentiment.commands: AnalyzeSentiment (replies SentimentResult, emits SentimentAnalyzed events), Classify
(ClassificationResult), Explain (ExplanationResult, page stored) and GetExplanation (ExplanationView)."""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from typing import Any

from libs.batching import MicroBatcher
from libs.bus import Publisher
from libs.bus.base import MessageContext
from libs.bus.dispatch import HandlerFn
from libs.bus.envelope import derived_id
from libs.contracts.models.sentiment import (
    AnalyzeSentimentV1,
    ClassificationResultV1,
    ClassifyV1,
    ExplainV1,
    ExplanationResultV1,
    ExplanationViewV1,
    GetExplanationV1,
    SentimentAnalyzedV1,
    SentimentResultV1,
)
from services.sentiment.ai_analysis import AiAnalyst, AiReading
from services.sentiment.classification import CategoryClassifier
from services.sentiment.domain import IrateRule, SentimentAnalysis
from services.sentiment.explanations import ExplanationService, result_fields
from services.sentiment.model import SentimentModel
from services.sentiment.store import AnalysisRepository

LOCAL_SOURCE = "local"


AnalysisBatcher = MicroBatcher[tuple[list[str], IrateRule], list[SentimentAnalysis]]


def analysis_batcher(model: SentimentModel, *, max_texts: int = 256) -> AnalysisBatcher:
    """Commands in flight together (each its texts and irate rule) analysed in one model call."""

    def run(commands: list[tuple[list[str], IrateRule]]) -> list[list[SentimentAnalysis]]:
        texts = [t for texts, _ in commands for t in texts]
        rules = [rule for texts, rule in commands for _ in texts]
        analyses = iter(model.analyze_each(texts, rules))
        return [[next(analyses) for _ in texts] for texts, _ in commands]

    return MicroBatcher(run, max_batch=max_texts, max_cost=max_texts, cost=lambda command: len(command[0]))


def _rule(cmd: AnalyzeSentimentV1) -> IrateRule:
    defaults = IrateRule()
    return IrateRule(
        threshold=cmd.irate_threshold if cmd.irate_threshold is not None else defaults.threshold,
        keywords=tuple(cmd.irate_keywords) if cmd.irate_keywords is not None else defaults.keywords,
    )


def _with_ai(result: dict[str, Any], reading: AiReading) -> dict[str, Any]:
    """The LLM's reading replaces the local satisfaction score and phrases; label and probabilities stay local."""
    if not reading.answered:
        return {**result, "analysis_source": reading.source}
    return {
        **result,
        "satisfaction_score": reading.satisfaction_score,
        "key_positives": reading.key_positives,
        "key_negatives": reading.key_negatives,
        "analysis_source": reading.source,
    }


async def handle_analyze_sentiment(
    cmd: AnalyzeSentimentV1,
    *,
    ctx: MessageContext,
    model: SentimentModel,
    analyzer: AnalysisBatcher,
    repo: AnalysisRepository,
    analyst: AiAnalyst,
    publish: Publisher,
) -> SentimentResultV1:
    texts = [item.text for item in cmd.texts]
    # Off the event loop, batched with the other commands in flight (one forward pass for all of them).
    analyses = await analyzer.submit((texts, _rule(cmd)))
    results: list[dict[str, Any]] = [
        {"id": item.id, **asdict(a), "analysis_source": LOCAL_SOURCE}
        for item, a in zip(cmd.texts, analyses, strict=True)
    ]
    if cmd.use_ai:
        readings = await analyst.analyze(texts)
        results = [_with_ai(r, reading) for r, reading in zip(results, readings, strict=True)]
    for result in results:
        await repo.record(derived_id(ctx.event_id, result["id"]), ctx.tenant_id, result, ctx.event_id)
    # Events are re-published on redelivery with the same derived ids, so consumers see each one once.
    await asyncio.gather(*(publish(_event(r, model.model_id, ctx.event_id), key=r["id"]) for r in results))
    sources = {r["analysis_source"] for r in results}
    source = sources.pop() if len(sources) == 1 else ("mixed" if sources else LOCAL_SOURCE)
    return SentimentResultV1.model_validate({"results": results, "model": model.model_id, "analysis_source": source})


def _event(result: dict[str, Any], model_id: str, request_id: str) -> SentimentAnalyzedV1:
    return SentimentAnalyzedV1.model_validate(
        {
            "id": result["id"],
            "label": result["label"],
            "score": result["score"],
            "cs_level": result["cs_level"],
            "irate": result["irate"],
            "satisfaction_score": result["satisfaction_score"],
            "model": model_id,
            "source_request_id": request_id,
        }
    )


async def handle_classify(
    cmd: ClassifyV1, *, ctx: MessageContext, classifier: CategoryClassifier
) -> ClassificationResultV1:
    result = await classifier.classify(cmd.text, cmd.categories, cmd.model)
    return ClassificationResultV1.model_validate(
        {
            "classifications": [{"category": c, "probability": p} for c, p in result.scores],
            "top_category": result.scores[0][0],
            "model": result.model,
            "source": result.source,
        }
    )


async def handle_explain(
    cmd: ExplainV1, *, ctx: MessageContext, explanations: ExplanationService
) -> ExplanationResultV1:
    # Derived from the command's id: a redelivered Explain finds the page already stored and answers with it.
    explanation_id = "exp-" + derived_id(ctx.event_id, "explanation")
    explanation, page = await explanations.explain(explanation_id, ctx.tenant_id, cmd.model_name, cmd.text, cmd.method)
    return ExplanationResultV1.model_validate(result_fields(explanation, page))


async def handle_get_explanation(
    cmd: GetExplanationV1, *, ctx: MessageContext, explanations: ExplanationService
) -> ExplanationViewV1:
    page = await explanations.page(cmd.explanation_id, ctx.tenant_id, cmd.access_token)
    return ExplanationViewV1.model_validate(
        {
            "explanation_id": page.explanation_id,
            "html": page.html,
            "model_name": page.model_name,
            "expires_at": page.expires_at.isoformat(),
        }
    )


HANDLERS: dict[str, HandlerFn] = {
    "sentiment.AnalyzeSentiment.v1": handle_analyze_sentiment,
    "sentiment.Classify.v1": handle_classify,
    "sentiment.Explain.v1": handle_explain,
    "sentiment.GetExplanation.v1": handle_get_explanation,
}
