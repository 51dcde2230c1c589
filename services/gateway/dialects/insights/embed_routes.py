"""Seed 000 POST /api/v1/ai/embed: texts in, embeddings from the local sentence model (rag service) out."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from services.gateway.deps import Caller, GatewayDep
from services.gateway.dialects.insights.envelope import DIALECT, ok
from services.gateway.dialects.insights.responses import EmbedOut, Ok
from services.gateway.fields import NOT_BLANK

router = APIRouter(prefix="/api/v1/ai", route_class=DIALECT.route_class(), tags=["insights: ai"])

MAX_TEXTS = 256
MAX_TEXT_CHARS = 100_000


class EmbedRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    texts: list[Annotated[str, Field(min_length=1, max_length=MAX_TEXT_CHARS, strict=True), NOT_BLANK]] = Field(
        min_length=1, max_length=MAX_TEXTS
    )
    model: Annotated[str, Field(min_length=1, max_length=200, strict=True)] | None = None
    dimensions: Annotated[int, Field(gt=0, le=100_000, strict=True)] | None = None


@router.post("/embed", response_model=Ok[EmbedOut], response_model_exclude_unset=True)
async def embed(body: EmbedRequest, caller: Caller, gw: GatewayDep) -> dict[str, Any]:
    """The local model answers in its native 384 dimensions; any other `dimensions` is a 400 naming the field."""
    client = gw.clients.rag
    vectors, model, dims = await client.embed(caller, body.texts, dimensions=body.dimensions, model=body.model)
    return ok({"embeddings": vectors, "model": model, "dimensions": dims})
