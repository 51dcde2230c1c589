"""Seed 003, knowledge-base platform: `/api/v1/conversations` and `/api/v1/knowledge-base`."""

from __future__ import annotations

from typing import Any

from switchboard_sdk import models as m
from switchboard_sdk._resource import Body, R, Resource, body_of
from switchboard_sdk._transport import ApiRequest


class KbPlatform(Resource[R]):
    def converse(self, body: Body = None, **fields: Any) -> R:
        """Start a conversation, or continue one when `conversation_id` is given."""
        return self._call(ApiRequest("POST", "/api/v1/conversations", json=body_of(m.ConversationBody, body, fields)))

    def get_conversation(self, conversation_id: str) -> R:
        return self._call(ApiRequest("GET", f"/api/v1/conversations/{conversation_id}"))

    def upsert_article(self, body: Body = None, **fields: Any) -> R:
        return self._call(ApiRequest("POST", "/api/v1/knowledge-base", json=body_of(m.ArticleRequest, body, fields)))
