"""Seed 003 POST /api/v1/knowledge-base: add or update an article, indexed by the rag service over the bus."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from services.gateway.deps import Caller, GatewayDep
from services.gateway.dialects.kb_platform.envelope import DIALECT
from services.gateway.dialects.kb_platform.responses import ArticleOut
from services.gateway.fields import NOT_BLANK
from services.gateway.input_policy import FreeForm

router = APIRouter(prefix="/api/v1", route_class=DIALECT.route_class(), tags=["kb_platform: knowledge base"])

MAX_CONTENT_CHARS = 200_000
# One bus message must stay under 1 MB: UTF-8 text can take up to 4 bytes a character.
MAX_CONTENT_BYTES = 600_000


def _fits_a_message(value: str) -> str:
    if len(value.encode("utf-8")) > MAX_CONTENT_BYTES:
        raise ValueError(f"must be at most {MAX_CONTENT_BYTES} bytes of UTF-8")
    return value


class ArticleRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    title: Annotated[str, Field(min_length=1, max_length=500, strict=True), NOT_BLANK]
    content: Annotated[
        str,
        Field(min_length=1, max_length=MAX_CONTENT_CHARS, strict=True),
        NOT_BLANK,
        AfterValidator(_fits_a_message),
    ]
    category: Annotated[str, Field(min_length=1, max_length=200, strict=True)] = "general"
    tags: list[Annotated[str, Field(min_length=1, max_length=100, strict=True)]] = Field(
        default_factory=list, max_length=100
    )
    metadata: FreeForm = Field(default_factory=dict)


def _zulu(value: str) -> str:
    return datetime.fromisoformat(value).isoformat(timespec="seconds").replace("+00:00", "Z")


@router.post("/knowledge-base", response_model=ArticleOut, response_model_exclude_unset=True)
async def upsert_article(body: ArticleRequest, caller: Caller, gw: GatewayDep) -> dict[str, Any]:
    """Same title and category (case and spacing aside) updates the article in place, keeping its id."""
    caller.require("agent")
    client = gw.clients.rag
    result = await client.upsert_article(caller, body.model_dump())
    return {
        "article_id": result.article_id,
        "status": result.status,
        "indexed": result.indexed,
        "created_at": _zulu(result.created_at),
    }
