"""Seed 000 POST /api/v1/ai/explain (model name + {text} + method in; prediction, Shapley token importances and a
visualization link out) and GET /api/v1/visualizations/{explanation_id} (the rendered HTML page), both answered
by the sentiment service over the bus (sentiment.Explain.v1, sentiment.GetExplanation.v1).

The visualization page opens either with the API's own credentials (Authorization / X-API-Key; the caller's
tenant must own the explanation) or, so that it works as a plain link in a browser, with the `token` query
parameter that visualization_url carries: an unguessable per-explanation token (192 random bits) that expires
with the stored page (SWITCHBOARD_SENTIMENT_EXPLANATION_TTL_S, default 1 h). A missing, expired, wrong-token or
other-tenant page is the same 404.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from libs.contracts.models.training import ExplainV1 as DeployedExplainV1
from libs.errors import Invalid, NotFound, Unavailable
from services.gateway.auth import Principal
from services.gateway.clients.sentiment import token_tenant
from services.gateway.deps import Caller, Gateway, GatewayDep, authenticated
from services.gateway.dialects.insights.analyze_routes import Text
from services.gateway.dialects.insights.envelope import DIALECT, ok
from services.gateway.dialects.insights.responses import ExplainOut, Ok
from services.gateway.input_policy import contract_max_length

router = APIRouter(prefix="/api/v1", route_class=DIALECT.route_class(), tags=["insights: ai"])

VISUALIZATION_PATH = "/api/v1/visualizations/"
DEPLOYMENT_NAME = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")  # names the training service deploys under
# What training.Explain.v1 carries: a longer name is never a deployment, a longer text is refused by name (both were
# 500s past the contract's validation).
DEPLOYMENT_NAME_MAX = contract_max_length(DeployedExplainV1, "deployment_name") or 63
DEPLOYED_TEXT_MAX = contract_max_length(DeployedExplainV1, "text") or 20_000
# The page is inert HTML with inline styles only: nothing else may load, and the token never leaves in a Referer.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "private, no-store",
}


class ExplainData(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: Text


class ExplainBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    model_name: Annotated[str, Field(min_length=1, max_length=200, strict=True)]
    data: ExplainData
    # Checked by the sentiment service (only "shap"), whose 400 names explanation_method.
    explanation_method: Annotated[str, Field(min_length=1, max_length=50, strict=True)] = "shap"


@router.post("/ai/explain", description=__doc__, response_model=Ok[ExplainOut], response_model_exclude_unset=True)
async def explain(body: ExplainBody, caller: Caller, gw: GatewayDep, request: Request) -> dict[str, Any]:
    try:
        result = await gw.clients.sentiment.explain(caller, body.model_name, body.data.text, body.explanation_method)
    except NotFound as unknown:
        # Not a built-in model: a model the tenant trained and deployed under this name (training service).
        if len(body.model_name) > DEPLOYMENT_NAME_MAX or not DEPLOYMENT_NAME.fullmatch(body.model_name):
            raise
        try:  # a short probe first: a missing training service must not hold a 404 for the long deadline
            await gw.clients.training.get_deployment(caller, name=body.model_name)
        except (NotFound, Unavailable):
            raise unknown from None  # no such deployment either (or no training service): the built-in 404
        return await _explain_deployed(body, caller, gw)
    url = f"{str(request.base_url).rstrip('/')}{VISUALIZATION_PATH}{result.explanation_id}?token={result.access_token}"
    return ok(
        {
            "prediction": {result.prediction.kind: result.prediction.label, "confidence": result.prediction.confidence},
            "explanation": {
                "method": result.method,
                "feature_importance": [f.model_dump() for f in result.feature_importance],
                "visualization_url": url,
                "explanation_id": result.explanation_id,
                "visualization_expires_at": result.expires_at.isoformat(),
                "base_value": result.base_value,
                "exact": result.exact,
            },
            "model": result.model_name,
        }
    )


async def _explain_deployed(body: ExplainBody, caller: Principal, gw: Gateway) -> dict[str, Any]:
    if body.explanation_method != "shap":
        raise Invalid("deployed models are explained with shap", {"explanation_method": "use shap"})
    if len(body.data.text) > DEPLOYED_TEXT_MAX:
        raise Invalid("Text too long for a deployed model", {"data.text": f"at most {DEPLOYED_TEXT_MAX} characters"})
    client = gw.clients.training
    result = await client.explain(caller, body.model_name, body.data.text)
    return ok(
        {
            "prediction": {"label": result.label, "confidence": result.confidence},
            "explanation": {
                "method": result.method,
                "feature_importance": [f.model_dump() for f in result.feature_importance],
                "visualization_url": None,
                "base_value": result.base_value,
                "exact": result.exact,
            },
            "model": result.deployment_name,
            "model_uri": result.model_uri,
        }
    )


@router.get(
    "/visualizations/{explanation_id}",
    response_class=HTMLResponse,
    description=__doc__,
    responses=DIALECT.responses(401, 403),  # without a token it authenticates the caller itself
)
async def visualization(
    explanation_id: Annotated[str, Path(min_length=1, max_length=100)],
    gw: GatewayDep,
    request: Request,
    token: Annotated[str | None, Query(min_length=1, max_length=600)] = None,
) -> HTMLResponse:
    if token is not None:
        tenant = token_tenant(token)
        if tenant is None:
            raise NotFound("explanation not found or expired", {"explanation_id": explanation_id})
    else:
        caller = await authenticated(
            request, gw, request.headers.get("authorization"), request.headers.get("x-api-key")
        )
        tenant = caller.tenant_id
    page = await gw.clients.sentiment.explanation_page(tenant, explanation_id, token)
    return HTMLResponse(page.html, headers=PAGE_HEADERS)
