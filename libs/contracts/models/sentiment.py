"""Models of the sentiment messages, generated from contracts/sentiment/ by libs.contracts.generate.

Never edit by hand: change the JSON Schema (a breaking change is a new .vN file) and run `make contracts`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


IrateKeyword = Annotated[str, Field(max_length=200, min_length=1)]


class CategoryScore(BaseModel):
    model_config = ConfigDict(
        extra='forbid',
    )
    category: Annotated[str, Field(max_length=200, min_length=1)]
    probability: Annotated[float, Field(ge=0.0, le=1.0)]


class ClassificationResultV1(BaseModel):
    """
    Reply to Classify.v1: every category with its probability (summing to 1), best first.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    classifications: Annotated[list[CategoryScore], Field(max_length=100, min_length=2)]
    top_category: Annotated[str, Field(max_length=200, min_length=1)]
    model: Annotated[str, Field(max_length=200, min_length=1)]
    """
    The model that answered (provider model name or local classifier id).
    """
    source: Annotated[str, Field(max_length=300, min_length=1)]
    """
    local, local_fallback: <reason> (a named cloud model was unusable), or the LLM registry id that answered.
    """


Category = Annotated[str, Field(max_length=200, min_length=1)]


class ClassifyV1(BaseModel):
    """
    Command: classify one text into caller-given categories (seed 000 ai/classify); answered with ClassificationResult.v1. Carries the customer text.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    text: Annotated[str, Field(max_length=100000, min_length=1)]
    categories: Annotated[list[Category], Field(max_length=100, min_length=2)]
    """
    Distinct labels; a duplicate is refused.
    """
    model: Annotated[str | None, Field(max_length=200, min_length=1)] = None
    """
    LLM registry id (libs/llm/providers.yaml) or a local classifier name; absent = the local classifier.
    """


class ExplainV1(BaseModel):
    """
    Command: explain a deployed model's prediction on one text (seed 000 ai/explain); answered with ExplanationResult.v1. Carries the customer text.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    model_name: Annotated[str, Field(max_length=200, min_length=1)]
    text: Annotated[str, Field(max_length=100000, min_length=1)]
    method: Annotated[str, Field(max_length=50, min_length=1)]
    """
    Explanation method; only shap is supported (others are refused by the service).
    """


class ExplanationViewV1(BaseModel):
    """
    Reply to GetExplanation.v1: the standalone HTML page (contains the explained text).
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    explanation_id: Annotated[str, Field(max_length=100, min_length=1)]
    html: Annotated[str, Field(max_length=500000, min_length=1)]
    model_name: Annotated[str, Field(max_length=200, min_length=1)]
    expires_at: AwareDatetime


class FeatureImportance(BaseModel):
    model_config = ConfigDict(
        extra='forbid',
    )
    feature: Annotated[str, Field(max_length=2000, min_length=1)]
    importance: float


class GetExplanationV1(BaseModel):
    """
    Command: fetch a stored explanation's HTML page in the envelope's tenant; answered with ExplanationView.v1 (NotFound when absent, expired, another tenant's, or the token does not match).
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    explanation_id: Annotated[str, Field(max_length=100, min_length=1)]
    access_token: Annotated[str | None, Field(max_length=600, min_length=1)] = None
    """
    Present when the caller opened the link without other credentials; must match the stored one.
    """


class Prediction(BaseModel):
    model_config = ConfigDict(
        extra='forbid',
    )
    kind: Literal['sentiment', 'label']
    """
    sentiment for the sentiment model, label otherwise.
    """
    label: Annotated[str, Field(max_length=200, min_length=1)]
    confidence: Annotated[float, Field(ge=0.0, le=1.0)]


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
    """
    A customer's mood on the customer-service scale (the sentiment service's cs_level).
    """
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
    analysis_source: Annotated[str | None, Field(max_length=300, min_length=1)] = None
    """
    This text's analysis source (same values as the top-level analysis_source); absent from older producers.
    """


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


class ExplanationResultV1(BaseModel):
    """
    Reply to Explain.v1: the prediction, Shapley token importances and the stored visualization's id and access token (a capability for the requester only; never put on an event).
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    explanation_id: Annotated[str, Field(max_length=100, min_length=1)]
    access_token: Annotated[str, Field(max_length=600, min_length=16)]
    """
    Opens the visualization without other credentials until expires_at.
    """
    expires_at: AwareDatetime
    model_name: Annotated[str, Field(max_length=200, min_length=1)]
    """
    The model that was explained (aliases resolved).
    """
    prediction: Prediction
    method: Literal['shap']
    feature_importance: Annotated[list[FeatureImportance], Field(max_length=100)]
    """
    Best first by absolute importance; positive pushes toward the predicted label.
    """
    base_value: float
    """
    The label's probability for an empty text (importances sum to confidence minus this).
    """
    exact: bool
    """
    false when the Shapley values were estimated by sampling (long texts).
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
    analysis_source: Annotated[str, Field(max_length=300, min_length=1)]
    """
    Who produced satisfaction_score and the key phrases: local, local_fallback: <reason> (use_ai asked but no cloud LLM answered usably), or the LLM registry id that answered; mixed when the texts differ (see each result's analysis_source).
    """
