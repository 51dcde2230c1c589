"""Seed 003, knowledge-base platform: `/api/v1/conversations` and `/api/v1/knowledge-base`."""

from __future__ import annotations

from typing import Any

from switchboard_sdk import models as m
from switchboard_sdk._resource import Body, body_of, operation
from switchboard_sdk._transport import ApiRequest


class KbPlatformRequests:
    @operation("POST", "/api/v1/conversations")
    def converse(self, body: Body = None, **fields: Any) -> ApiRequest:
        """Start a conversation, or continue one when `conversation_id` is given."""
        return ApiRequest("POST", "/api/v1/conversations", json=body_of(m.ConversationBody, body, fields))

    @operation("GET", "/api/v1/conversations/{conversation_id}")
    def get_conversation(self, conversation_id: str) -> ApiRequest:
        return ApiRequest("GET", f"/api/v1/conversations/{conversation_id}")

    @operation("POST", "/api/v1/knowledge-base")
    def upsert_article(self, body: Body = None, **fields: Any) -> ApiRequest:
        return ApiRequest("POST", "/api/v1/knowledge-base", json=body_of(m.ArticleRequest, body, fields))
