"""Models of the sentiment messages, generated from contracts/sentiment/ by libs.contracts.generate.

Never edit by hand: change the JSON Schema (a breaking change is a new .vN file) and run `make contracts`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from pydantic import BaseModel, ConfigDict, Field


IrateKeyword = Annotated[str, Field(max_length=200, min_length=1)]


class SentimentAnalyzedV1(BaseModel):
    """
    Event: one text was analysed (one event per text of an AnalyzeSentiment command); never carries the text.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    id: Annotated[str, Field(max_length=200, min_length=1)]
    """
    The text id from the command.
    """
    label: Literal['positive', 'negative', 'neutral']
    score: Annotated[float, Field(ge=-1.0, le=1.0)]
    cs_level: Literal['HAPPY', 'SATISFIED', 'NEUTRAL', 'FRUSTRATED', 'ANGRY', 'IRATE']
    irate: bool
    satisfaction_score: Annotated[float, Field(ge=1.0, le=10.0)]
    model: Annotated[str, Field(max_length=200, min_length=1)]
    source_request_id: Annotated[str, Field(max_length=200, min_length=1)]
    """
    Event id of the AnalyzeSentiment command.
    """


class SentimentText(BaseModel):
    model_config = ConfigDict(
        extra='forbid',
    )
    id: Annotated[str, Field(max_length=200, min_length=1)]
    """
    Caller-chosen id echoed in the result.
    """
    text: Annotated[str, Field(max_length=100000)]


KeyPositive = Annotated[str, Field(max_length=500)]


KeyNegative = Annotated[str, Field(max_length=500)]


class TextSentiment(BaseModel):
    model_config = ConfigDict(
        extra='forbid',
    )
    id: Annotated[str, Field(max_length=200, min_length=1)]
    label: Literal['positive', 'negative', 'neutral']
    positive: Annotated[float, Field(ge=0.0, le=1.0)]
    negative: Annotated[float, Field(ge=0.0, le=1.0)]
    neutral: Annotated[float, Field(ge=0.0, le=1.0)]
    score: Annotated[float, Field(ge=-1.0, le=1.0)]
    """
    positive minus negative.
    """
    cs_level: Literal['HAPPY', 'SATISFIED', 'NEUTRAL', 'FRUSTRATED', 'ANGRY', 'IRATE']
    """
    Six-level customer-service sentiment scale (seed 002 Customer Sentiment).
    """
    satisfaction_score: Annotated[float, Field(ge=1.0, le=10.0)]
    key_positives: Annotated[list[KeyPositive], Field(max_length=50)]
    key_negatives: Annotated[list[KeyNegative], Field(max_length=50)]
    irate: bool


class AnalyzeSentimentV1(BaseModel):
    """
    Command: analyse the sentiment of one or more texts; answered with SentimentResult.v1.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    texts: Annotated[list[SentimentText], Field(max_length=10000, min_length=1)]
    use_ai: bool
    """
    Use the AI model (true) or the fast lexicon analyser (false).
    """
    company_id: Annotated[str | None, Field(max_length=200, min_length=1)] = None
    """
    Tenant company whose CS config applies.
    """
    irate_threshold: Annotated[float | None, Field(ge=0.0, le=1.0)] = None
    """
    Negative probability at or above which a text counts as irate (irate protocol detectionThreshold).
    """
    irate_keywords: Annotated[list[IrateKeyword] | None, Field(max_length=500)] = None
    """
    Trigger keywords of the irate protocol.
    """


class SentimentResultV1(BaseModel):
    """
    Reply to AnalyzeSentiment.v1: one result per input text, in input order.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    results: Annotated[list[TextSentiment], Field(max_length=10000)]
    model: Annotated[str, Field(max_length=200, min_length=1)]
    """
    Model id and version that produced the results.
    """
    analysis_source: Annotated[str, Field(max_length=64, min_length=1)]
    """
    Which analyser answered, e.g. ai or lexicon.
    """
