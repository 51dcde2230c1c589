"""Seed 000, CustomerAI Insights: `/api/v1/...` (answers in the `{"error": false, "data": ...}` envelope)."""

from __future__ import annotations

from typing import Any

from switchboard_sdk import models as m
from switchboard_sdk._resource import Body, Paginator, R, Resource, body_of, offset_pages
from switchboard_sdk._transport import ApiRequest


class Insights(Resource[R]):
    def login(self, username: str, password: str, tenant_id: str | None = None) -> R:
        """`tenant_id` only for an email registered in several tenants (else the password must match just one)."""
        fields = {"username": username, "password": password, **({"tenant_id": tenant_id} if tenant_id else {})}
        body = body_of(m.LoginRequest, None, fields)
        return self._call(ApiRequest("POST", "/api/v1/auth/login", json=body, authenticated=False))

    def analyze_sentiment(self, body: Body = None, **fields: Any) -> R:
        return self._post("/api/v1/analyze/sentiment", body_of(m.SentimentRequest, body, fields))

    def analyze_batch(self, body: Body = None, **fields: Any) -> R:
        return self._post("/api/v1/analyze/batch", body_of(m.BatchRequest, body, fields))

    def generate_response(self, body: Body = None, **fields: Any) -> R:
        return self._post("/api/v1/generate/response", body_of(m.GenerateGenerateBody, body, fields))

    def anonymize(self, body: Body = None, **fields: Any) -> R:
        return self._post("/api/v1/privacy/anonymize", body_of(m.AnonymizeRequest, body, fields))

    def deanonymize(self, body: Body = None, **fields: Any) -> R:
        return self._post("/api/v1/privacy/deanonymize", body_of(m.DeanonymizeRequest, body, fields))

    def analyze_fairness(self, body: Body = None, **fields: Any) -> R:
        return self._post("/api/v1/fairness/analyze", body_of(m.FairnessRequest, body, fields))

    def queue_for_review(self, body: Body = None, **fields: Any) -> R:
        return self._post("/api/v1/review/queue", body_of(m.QueueRequest, body, fields))

    def record_decision(self, body: Body = None, **fields: Any) -> R:
        return self._post("/api/v1/review/decision", body_of(m.DecisionRequest, body, fields))

    def list_review_queue(self, **params: Any) -> R:
        return self._call(ApiRequest("GET", "/api/v1/review/queue", params=params))

    def iter_review_queue(self, *, limit: int = 50, **params: Any) -> Paginator:
        """Every queued item across pages (`limit` per request)."""

        def page(offset: int) -> ApiRequest:
            return ApiRequest("GET", "/api/v1/review/queue", params={**params, "limit": limit, "offset": offset})

        return Paginator(self._transport, page, offset_pages("items", limit, envelope="data"), 0)

    def ai_generate(self, body: Body = None, **fields: Any) -> R:
        return self._post("/api/v1/ai/generate", body_of(m.AiGenerateBody, body, fields))

    def ai_providers(self) -> R:
        return self._call(ApiRequest("GET", "/api/v1/ai/providers"))

    def ai_embed(self, body: Body = None, **fields: Any) -> R:
        return self._post("/api/v1/ai/embed", body_of(m.EmbedRequest, body, fields))

    def ai_classify(self, body: Body = None, **fields: Any) -> R:
        return self._post("/api/v1/ai/classify", body_of(m.ClassifyBody, body, fields))

    def ai_explain(self, body: Body = None, **fields: Any) -> R:
        return self._post("/api/v1/ai/explain", body_of(m.ExplainBody, body, fields))

    def create_user(self, body: Body = None, **fields: Any) -> R:
        return self._post("/api/v1/users", body_of(m.CreateUserRequest, body, fields))

    def list_users(self) -> R:
        return self._call(ApiRequest("GET", "/api/v1/users"))

    def create_api_key(self, body: Body = None, **fields: Any) -> R:
        return self._post("/api/v1/api-keys", body_of(m.CreateApiKeyRequest, body, fields))

    def list_api_keys(self) -> R:
        return self._call(ApiRequest("GET", "/api/v1/api-keys"))

    def revoke_api_key(self, key_id: str) -> R:
        return self._call(ApiRequest("DELETE", f"/api/v1/api-keys/{key_id}"))

    def create_publishable_key(self, body: Body = None, **fields: Any) -> R:
        """A `pk_…` key for the chat widget, locked to `allowed_origins` (the plaintext is in the answer, once)."""
        return self._post("/api/v1/publishable-keys", body_of(m.CreatePublishableKeyRequest, body, fields))

    def list_publishable_keys(self) -> R:
        return self._call(ApiRequest("GET", "/api/v1/publishable-keys"))

    def revoke_publishable_key(self, key_id: str) -> R:
        return self._call(ApiRequest("DELETE", f"/api/v1/publishable-keys/{key_id}"))

    def _post(self, path: str, body: dict[str, Any]) -> R:
        return self._call(ApiRequest("POST", path, json=body))
