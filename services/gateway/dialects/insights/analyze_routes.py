"""Seed 000 POST /api/v1/analyze/sentiment and /analyze/batch, answered by the sentiment service over the bus."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, model_validator

from libs.errors import Invalid
from services.gateway.deps import Caller, GatewayDep
from services.gateway.dialects.insights.envelope import DIALECT, ok
from services.gateway.dialects.insights.responses import BatchOut, Ok, SentimentOut
from services.gateway.fields import Message

router = APIRouter(prefix="/api/v1/analyze", route_class=DIALECT.route_class(), tags=["insights: sentiment"])

MAX_BATCH = 10_000


Text = Message


class SentimentRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: Text
    use_ai: bool = False


class Conversation(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1, max_length=200, strict=True)
    text: Text


class BatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    conversations: list[Conversation] = Field(min_length=1, max_length=MAX_BATCH)

    @model_validator(mode="after")
    def _unique_ids(self) -> BatchRequest:
        seen: set[str] = set()
        for conv in self.conversations:
            if conv.id in seen:
                raise Invalid("Duplicate conversation id", {"conversations": f"id {conv.id!r} appears more than once"})
            seen.add(conv.id)
        return self


def _probabilities(result: dict[str, Any]) -> dict[str, Any]:
    return {
        "sentiment": result["label"],
        "positive": round(result["positive"], 4),
        "negative": round(result["negative"], 4),
        "neutral": round(result["neutral"], 4),
    }


@router.post("/sentiment", response_model=Ok[SentimentOut], response_model_exclude_unset=True)
async def analyze_sentiment(body: SentimentRequest, caller: Caller, gw: GatewayDep) -> dict[str, Any]:
    batch = await gw.clients.sentiment.analyze_sentiment(caller, [("text", body.text)], use_ai=body.use_ai)
    result = batch.results[0]
    analysis = {
        "satisfaction_score": int(result["satisfaction_score"]),  # a 1..10 integer (the contract's number)
        "key_positives": result["key_positives"],
        "key_negatives": result["key_negatives"],
        "score": result["score"],
        "cs_level": result["cs_level"],
        # use_ai: "local", "local_fallback: <reason>" or the LLM registry id that wrote the satisfaction score and
        # phrases (the probabilities and label always come from the local model named by "model").
        "source": result.get("analysis_source", batch.analysis_source),
        "model": batch.model,
    }
    return ok({**_probabilities(result), "analysis": analysis})


@router.post("/batch", response_model=Ok[BatchOut], response_model_exclude_unset=True)
async def analyze_batch(body: BatchRequest, caller: Caller, gw: GatewayDep) -> dict[str, Any]:
    items = [(conv.id, conv.text) for conv in body.conversations]
    batch = await gw.clients.sentiment.analyze_sentiment(caller, items, use_ai=False)
    results = [{"id": r["id"], **_probabilities(r)} for r in batch.results]
    summary = {
        f"{label}_count": sum(r["sentiment"] == label for r in results) for label in ("positive", "negative", "neutral")
    }
    return ok({"results": results, "summary": summary})
