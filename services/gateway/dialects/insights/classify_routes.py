"""Seed 000 POST /api/v1/ai/classify: text + 2..100 distinct categories (+ optional model) in, probabilities best
first, top category and model out; answered by the sentiment service over the bus (sentiment.Classify.v1).

`model` may name a model the tenant trained and deployed (POST /api/v1/ai/deploy): the training service answers
with its probabilities over the requested categories (each must be one of its labels). It may also name an LLM
registry id (GET /api/v1/ai/providers): when that provider is configured it answers, otherwise the local classifier
does and the additive `source` field says why ("local_fallback: ...").
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from libs.errors import Invalid, NotFound, Unavailable
from services.gateway.auth import Principal
from services.gateway.deps import Caller, Gateway, GatewayDep
from services.gateway.dialects.insights.analyze_routes import Text
from services.gateway.dialects.insights.envelope import DIALECT, ok
from services.gateway.dialects.insights.explain_routes import DEPLOYMENT_NAME
from services.gateway.dialects.insights.responses import ClassifyOut, Ok

router = APIRouter(prefix="/api/v1/ai", route_class=DIALECT.route_class(), tags=["insights: ai"])

MIN_CATEGORIES, MAX_CATEGORIES = 2, 100
MAX_CATEGORY_CHARS = 200


def _stripped(value: str) -> str:
    if not value.strip():
        raise ValueError("Category must not be empty")
    return value.strip()


Category = Annotated[str, Field(min_length=1, max_length=MAX_CATEGORY_CHARS, strict=True), AfterValidator(_stripped)]


class ClassifyBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: Text
    categories: Annotated[list[Category], Field(min_length=MIN_CATEGORIES, max_length=MAX_CATEGORIES)]
    model: Annotated[str, Field(min_length=1, max_length=200, strict=True)] | None = None

    @field_validator("categories")
    @classmethod
    def _distinct(cls, categories: list[str]) -> list[str]:
        duplicated = sorted({c for c in categories if categories.count(c) > 1})
        if duplicated:
            raise ValueError(f"Categories must be distinct; duplicated: {', '.join(duplicated)}")
        return categories


async def _classify_deployed(body: ClassifyBody, caller: Principal, gw: Gateway) -> dict[str, Any] | None:
    """The answer of the tenant's model deployed under `body.model`, or None when no deployment has that name."""
    if body.model is None or not DEPLOYMENT_NAME.fullmatch(body.model):
        return None
    try:
        result = await gw.clients.training.predict(caller, body.model, [body.text])
    except (NotFound, Unavailable):
        return None  # not a deployment (or no training service): the sentiment service answers as before
    probabilities = result.predictions[0].probabilities
    unknown = [c for c in body.categories if c not in probabilities]
    if unknown:
        raise Invalid(
            f"model {body.model} was not trained on: {', '.join(unknown)}",
            {"categories": f"known to this model: {', '.join(sorted(probabilities))}"},
        )
    # Renormalised over the requested categories, best first.
    total = sum(probabilities[c] for c in body.categories) or 1.0
    ranked = sorted(body.categories, key=lambda c: -probabilities[c])
    return ok(
        {
            "classifications": {c: round(probabilities[c] / total, 6) for c in ranked},
            "top_category": ranked[0],
            "model": body.model,
            "source": f"deployed:{result.model_uri}",
        }
    )


@router.post("/classify", description=__doc__, response_model=Ok[ClassifyOut], response_model_exclude_unset=True)
async def classify(body: ClassifyBody, caller: Caller, gw: GatewayDep) -> dict[str, Any]:
    deployed = await _classify_deployed(body, caller, gw)
    if deployed is not None:
        return deployed
    client = gw.clients.sentiment
    result = await client.classify(caller, body.text, body.categories, body.model)
    return ok(
        {
            # Insertion order is the ranking: best first, as in the seed.
            "classifications": {item.category: item.probability for item in result.classifications},
            "top_category": result.top_category,
            "model": result.model,
            "source": result.source,
        }
    )
