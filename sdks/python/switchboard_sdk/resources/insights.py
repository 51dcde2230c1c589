"""Seed 000, CustomerAI Insights: `/api/v1/...` (answers in the `{"error": false, "data": ...}` envelope)."""

from __future__ import annotations

from typing import Any

from switchboard_sdk import models as m
from switchboard_sdk._resource import Body, PageSpec, body_of, offset_pages, operation
from switchboard_sdk._transport import ApiRequest


def _post(path: str, body: dict[str, Any]) -> ApiRequest:
    return ApiRequest("POST", path, json=body)


class InsightsRequests:
    @operation("POST", "/api/v1/auth/login")
    def login(self, username: str, password: str, tenant_id: str | None = None) -> ApiRequest:
        """`tenant_id` only for an email registered in several tenants (else the password must match just one)."""
        fields = {"username": username, "password": password, **({"tenant_id": tenant_id} if tenant_id else {})}
        body = body_of(m.LoginRequest, None, fields)
        return ApiRequest("POST", "/api/v1/auth/login", json=body, authenticated=False)

    @operation("POST", "/api/v1/analyze/sentiment")
    def analyze_sentiment(self, body: Body = None, **fields: Any) -> ApiRequest:
        return _post("/api/v1/analyze/sentiment", body_of(m.SentimentRequest, body, fields))

    @operation("POST", "/api/v1/analyze/batch")
    def analyze_batch(self, body: Body = None, **fields: Any) -> ApiRequest:
        return _post("/api/v1/analyze/batch", body_of(m.BatchRequest, body, fields))

    @operation("POST", "/api/v1/generate/response")
    def generate_response(self, body: Body = None, **fields: Any) -> ApiRequest:
        return _post("/api/v1/generate/response", body_of(m.GenerateGenerateBody, body, fields))

    @operation("POST", "/api/v1/privacy/anonymize")
    def anonymize(self, body: Body = None, **fields: Any) -> ApiRequest:
        return _post("/api/v1/privacy/anonymize", body_of(m.AnonymizeRequest, body, fields))

    @operation("POST", "/api/v1/privacy/deanonymize")
    def deanonymize(self, body: Body = None, **fields: Any) -> ApiRequest:
        return _post("/api/v1/privacy/deanonymize", body_of(m.DeanonymizeRequest, body, fields))

    @operation("POST", "/api/v1/fairness/analyze")
    def analyze_fairness(self, body: Body = None, **fields: Any) -> ApiRequest:
        return _post("/api/v1/fairness/analyze", body_of(m.FairnessRequest, body, fields))

    @operation("POST", "/api/v1/review/queue")
    def queue_for_review(self, body: Body = None, **fields: Any) -> ApiRequest:
        return _post("/api/v1/review/queue", body_of(m.QueueRequest, body, fields))

    @operation("POST", "/api/v1/review/decision")
    def record_decision(self, body: Body = None, **fields: Any) -> ApiRequest:
        return _post("/api/v1/review/decision", body_of(m.DecisionRequest, body, fields))

    @operation("GET", "/api/v1/review/queue")
    def list_review_queue(self, **params: Any) -> ApiRequest:
        return ApiRequest("GET", "/api/v1/review/queue", params=params)

    @operation("GET", "/api/v1/review/queue", items=("data", "items"))
    def iter_review_queue(self, *, limit: int = 50, **params: Any) -> PageSpec:
        """Every queued item across pages (`limit` per request)."""

        def page(offset: int) -> ApiRequest:
            return ApiRequest("GET", "/api/v1/review/queue", params={**params, "limit": limit, "offset": offset})

        return PageSpec(page, offset_pages("items", limit, envelope="data"), 0)

    @operation("POST", "/api/v1/ai/generate")
    def ai_generate(self, body: Body = None, **fields: Any) -> ApiRequest:
        return _post("/api/v1/ai/generate", body_of(m.AiGenerateBody, body, fields))

    @operation("GET", "/api/v1/ai/providers")
    def ai_providers(self) -> ApiRequest:
        return ApiRequest("GET", "/api/v1/ai/providers")

    @operation("POST", "/api/v1/ai/embed")
    def ai_embed(self, body: Body = None, **fields: Any) -> ApiRequest:
        return _post("/api/v1/ai/embed", body_of(m.EmbedRequest, body, fields))

    @operation("POST", "/api/v1/ai/classify")
    def ai_classify(self, body: Body = None, **fields: Any) -> ApiRequest:
        return _post("/api/v1/ai/classify", body_of(m.ClassifyBody, body, fields))

    @operation("POST", "/api/v1/ai/explain")
    def ai_explain(self, body: Body = None, **fields: Any) -> ApiRequest:
        return _post("/api/v1/ai/explain", body_of(m.ExplainBody, body, fields))

    @operation("POST", "/api/v1/users")
    def create_user(self, body: Body = None, **fields: Any) -> ApiRequest:
        return _post("/api/v1/users", body_of(m.CreateUserRequest, body, fields))

    @operation("GET", "/api/v1/users")
    def list_users(self) -> ApiRequest:
        return ApiRequest("GET", "/api/v1/users")

    @operation("POST", "/api/v1/api-keys")
    def create_api_key(self, body: Body = None, **fields: Any) -> ApiRequest:
        return _post("/api/v1/api-keys", body_of(m.CreateApiKeyRequest, body, fields))

    @operation("GET", "/api/v1/api-keys")
    def list_api_keys(self) -> ApiRequest:
        return ApiRequest("GET", "/api/v1/api-keys")

    @operation("DELETE", "/api/v1/api-keys/{key_id}")
    def revoke_api_key(self, key_id: str) -> ApiRequest:
        return ApiRequest("DELETE", f"/api/v1/api-keys/{key_id}")

    @operation("POST", "/api/v1/publishable-keys")
    def create_publishable_key(self, body: Body = None, **fields: Any) -> ApiRequest:
        """A `pk_…` key for the chat widget, locked to `allowed_origins` (the plaintext is in the answer, once)."""
        return _post("/api/v1/publishable-keys", body_of(m.CreatePublishableKeyRequest, body, fields))

    @operation("GET", "/api/v1/publishable-keys")
    def list_publishable_keys(self) -> ApiRequest:
        return ApiRequest("GET", "/api/v1/publishable-keys")

    @operation("DELETE", "/api/v1/publishable-keys/{key_id}")
    def revoke_publishable_key(self, key_id: str) -> ApiRequest:
        return ApiRequest("DELETE", f"/api/v1/publishable-keys/{key_id}")
