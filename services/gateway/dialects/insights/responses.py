"""Seed 000 response bodies (the `data` of its success envelope), as the routes build them and the seed names them.

Where a route passes a reply of the message contract through unchanged, the contract model is the schema; the
routes answer with `response_model_exclude_unset`, so a field a body leaves out stays out (bodies unchanged).
"""

from __future__ import annotations

from pydantic import BaseModel

from libs.contracts.models.conversation import GenerateResultV1, ProviderListV1
from libs.contracts.models.escalation import ReviewListV1, ReviewReceiptV1, ReviewVerdictV1
from libs.contracts.models.privacy import DeanonymizeResultV1, FairnessReportV1
from libs.contracts.models.sentiment import FeatureImportance
from services.gateway.dialects.insights.envelope import Ok

__all__ = [
    "AnonymizeOut",
    "ApiKeyCreated",
    "ApiKeyList",
    "ApiKeyView",
    "BatchOut",
    "ClassifyOut",
    "DeanonymizeResultV1",
    "EmbedOut",
    "ExplainOut",
    "FairnessReportV1",
    "GenerateResultV1",
    "GeneratedResponse",
    "LoginOut",
    "Ok",
    "ProviderListV1",
    "ReviewListV1",
    "ReviewReceiptV1",
    "ReviewVerdictV1",
    "SentimentOut",
    "UserList",
    "UserView",
]


class Probabilities(BaseModel):
    sentiment: str
    positive: float
    negative: float
    neutral: float


class SentimentAnalysis(BaseModel):
    satisfaction_score: int
    key_positives: list[str]
    key_negatives: list[str]
    score: float
    cs_level: str
    source: str  # "local", "local_fallback: <reason>" or the LLM registry id that wrote the score and phrases
    model: str


class SentimentOut(Probabilities):
    analysis: SentimentAnalysis


class BatchResult(Probabilities):
    id: str


class BatchSummary(BaseModel):
    positive_count: int
    negative_count: int
    neutral_count: int


class BatchOut(BaseModel):
    results: list[BatchResult]
    summary: BatchSummary


class ClassifyOut(BaseModel):
    classifications: dict[str, float]  # best first
    top_category: str
    model: str
    source: str


class EmbedOut(BaseModel):
    embeddings: list[list[float]]
    model: str
    dimensions: int


class Explanation(BaseModel):
    method: str
    feature_importance: list[FeatureImportance]
    visualization_url: str | None
    explanation_id: str | None = None  # built-in models only, as the visualization's expiry
    visualization_expires_at: str | None = None
    base_value: float
    exact: bool


class ExplainOut(BaseModel):
    prediction: dict[str, str | float]  # {"sentiment" | "label" | ...: label, "confidence": p}
    explanation: Explanation
    model: str
    model_uri: str | None = None  # a deployed model's trained artifact


class GeneratedResponse(BaseModel):
    response: str
    category: str
    requires_human_review: bool
    confidence: float
    alternative_responses: list[str]


class LoginOut(BaseModel):
    token: str
    user_id: str
    roles: list[str]


class UserView(BaseModel):
    id: str
    tenant_id: str
    email: str
    roles: list[str]
    created_at: str


class UserList(BaseModel):
    users: list[UserView]


class ApiKeyView(BaseModel):
    id: str
    tenant_id: str
    name: str
    key_prefix: str
    rate_tier: str
    roles: list[str]
    created_at: str
    revoked: bool


class ApiKeyCreated(ApiKeyView):
    api_key: str  # shown once


class ApiKeyList(BaseModel):
    api_keys: list[ApiKeyView]


class AnonymizeOut(BaseModel):
    anonymized_text: str
    mapping: dict[str, str] | None = None  # keep_mapping only
    pii_detected: list[str]
    token: str | None = None  # store_originals only, when PII was found
