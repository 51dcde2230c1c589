"""ai/explain: model name + text + method in; the Shapley explanation, its rendered HTML page (stored per tenant,
expiring) and the page's access token out."""

from __future__ import annotations

import asyncio
import base64
import secrets
from collections.abc import Mapping

from libs.errors import Invalid, NotFound
from services.sentiment.explain import ALIASES, METHOD, SENTIMENT_MODEL, Explainer, Explanation, render_html
from services.sentiment.store import ExplanationRepository, StoredExplanation, expiry

SUPPORTED_METHODS = (METHOD,)
IMPORTANCE_DIGITS = 4


def issue_token(tenant_id: str) -> str:
    """`<base64url(tenant)>.<192 random bits>`: the tenant part lets the gateway address the request to the right
    tenant without other credentials; the random part is the secret (checked against the stored record)."""
    tenant = base64.urlsafe_b64encode(tenant_id.encode()).decode().rstrip("=")
    return f"{tenant}.{secrets.token_urlsafe(24)}"


class ExplanationService:
    def __init__(
        self,
        explainer: Explainer,
        pages: ExplanationRepository,
        *,
        deployments: Mapping[str, str],
        ttl_s: int,
    ) -> None:
        self._explainer = explainer
        self._pages = pages
        self._deployments = dict(deployments)
        self._ttl = ttl_s

    def resolve(self, model_name: str) -> str:
        """The explainable model behind a name, alias or deployment; NotFound naming model_name otherwise."""
        name = self._deployments.get(model_name, model_name)
        name = ALIASES.get(name, name)
        known = self._explainer.names()
        if name not in known:
            listed = sorted({*known, *ALIASES, *self._deployments})
            raise NotFound(f"unknown model {model_name!r}", {"model_name": model_name, "known_models": listed})
        return name

    async def explain(
        self, explanation_id: str, tenant_id: str, model_name: str, text: str, method: str
    ) -> tuple[Explanation, StoredExplanation]:
        if method not in SUPPORTED_METHODS:
            raise Invalid(
                f"unsupported explanation method {method!r}",
                {"explanation_method": f"{method!r} is not supported; use one of: {', '.join(SUPPORTED_METHODS)}"},
            )
        if not text.strip():
            raise Invalid("text must not be empty", {"text": "must not be empty"})
        name = self.resolve(model_name)
        # Up to a few hundred model calls: off the event loop.
        explanation = await asyncio.to_thread(self._explainer.explain, name, text)
        page = StoredExplanation(
            explanation_id=explanation_id,
            tenant_id=tenant_id,
            model_name=explanation.model_name,
            html=render_html(text, explanation),
            access_token=issue_token(tenant_id),
            expires_at=expiry(self._ttl),
        )
        return explanation, await self._pages.save(page)

    async def page(self, explanation_id: str, tenant_id: str, access_token: str | None) -> StoredExplanation:
        page = await self._pages.open(explanation_id, tenant_id, access_token)
        if page is None:
            # One answer for absent, expired, another tenant's and a wrong token: nothing to probe with.
            raise NotFound("explanation not found or expired", {"explanation_id": explanation_id})
        return page


def result_fields(explanation: Explanation, page: StoredExplanation) -> dict[str, object]:
    """ExplanationResult.v1 fields."""
    kind = "sentiment" if explanation.model_name == SENTIMENT_MODEL else "label"
    confidence = min(1.0, max(0.0, explanation.confidence))  # float32 softmax may land a hair above 1
    return {
        "explanation_id": page.explanation_id,
        "access_token": page.access_token,
        "expires_at": page.expires_at.isoformat(),
        "model_name": explanation.model_name,
        "prediction": {"kind": kind, "label": explanation.prediction_label, "confidence": confidence},
        "method": explanation.method,
        "feature_importance": [
            {"feature": f, "importance": round(i, IMPORTANCE_DIGITS)} for f, i in explanation.feature_importance
        ],
        "base_value": explanation.base_value,
        "exact": explanation.exact,
    }
