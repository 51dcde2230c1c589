"""A redelivered UpsertArticle (after a restart: a fresh KnowledgeBase on the same SQLite file and Qdrant folder)
answers what it answered the first time and indexes nothing twice."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from libs.bus.base import MessageContext
from libs.contracts.models.rag import UpsertArticleV1
from libs.store import open_store
from services.rag.handlers import handle_upsert_article
from services.rag.store import CommandInbox
from tests.integration.rag.test_knowledge_base import open_env

pytestmark = pytest.mark.integration

ARTICLE = UpsertArticleV1(
    title="Password Reset Guide",
    content="Click Forgot Password on the login page; the e-mailed link expires after 30 minutes.",
    category="account",
)


async def _nothing(message: BaseModel, *, key: str | None = None) -> None:
    return None


async def _deliver(root: Path, ctx: MessageContext) -> tuple[Any, int, int]:
    env = await open_env(root)
    try:
        inbox = CommandInbox(open_store(database="rag", sqlite_dir=root))
        reply = await handle_upsert_article(ARTICLE, ctx=ctx, kb=env.kb, inbox=inbox, publish=_nothing)
        articles, _ = await env.repo.article_totals("acme")
        return reply, articles, env.index.count("acme")
    finally:
        env.index.close()


async def test_a_redelivered_upsert_article_is_answered_from_the_inbox(tmp_path: Path) -> None:
    ctx = MessageContext(uuid.uuid4().hex, "acme", "corr", "acme", "rag.UpsertArticle.v1")
    first, articles, points = await _deliver(tmp_path, ctx)
    again, articles_again, points_again = await _deliver(tmp_path, ctx)
    assert again == first and first.updated is False  # not reported as an update of itself
    assert (articles_again, points_again) == (articles, points) == (1, first.chunks)
