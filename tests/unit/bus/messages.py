"""Message builders shared by the bus unit tests (real contracts, MemoryBus)."""

from __future__ import annotations

from typing import Literal

from libs.contracts.models.sentiment import AnalyzeSentimentV1, SentimentAnalyzedV1, SentimentResultV1


def analyzed(n: int | str, *, label: Literal["positive", "negative", "neutral"] = "positive") -> SentimentAnalyzedV1:
    return SentimentAnalyzedV1(
        id=str(n),
        label=label,
        score=0.5,
        cs_level="HAPPY",
        irate=False,
        satisfaction_score=8.0,
        model="test-model",
        source_request_id="req-1",
    )


def analyze(*texts: str) -> AnalyzeSentimentV1:
    return AnalyzeSentimentV1.model_validate(
        {"texts": [{"id": str(i), "text": t} for i, t in enumerate(texts)], "use_ai": False}
    )


def result_for(cmd: AnalyzeSentimentV1) -> SentimentResultV1:
    return SentimentResultV1.model_validate(
        {
            "results": [
                {
                    "id": item.id,
                    "label": "neutral",
                    "positive": 0.2,
                    "negative": 0.2,
                    "neutral": 0.6,
                    "score": 0.0,
                    "cs_level": "NEUTRAL",
                    "satisfaction_score": 5.0,
                    "key_positives": [],
                    "key_negatives": [],
                    "irate": False,
                }
                for item in cmd.texts
            ],
            "model": "test-model",
            "analysis_source": "lexicon",
        }
    )
