"""Seed 003 response bodies, with the seed's field names; the routes answer with `response_model_exclude_unset`."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

__all__ = ["ArticleOut", "ConversationOut", "ConversationView"]


class ConversationOut(BaseModel):
    conversation_id: str
    response: str
    confidence: float
    sources: list[str]  # knowledge-base article ids the answer cites
    escalated: bool
    timestamp: str


class ConversationMessage(BaseModel):
    id: str
    sender: Literal["user", "ai", "agent"]
    content: str
    confidence: float | None = None  # the AI's answers only
    timestamp: str


class ConversationView(BaseModel):
    conversation_id: str
    user_id: str
    channel: str
    messages: list[ConversationMessage]
    status: Literal["active", "resolved", "closed", "escalated"]
    created_at: str


class ArticleOut(BaseModel):
    article_id: str
    status: str
    indexed: bool
    created_at: str
