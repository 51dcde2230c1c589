"""Seed 004, multi-agent chat + CRM: `/sessions/*`, `/chat`, `/crm/*`, `/upload_docs`, `/rag/*`."""

from __future__ import annotations

from typing import Any

from switchboard_sdk import models as m
from switchboard_sdk._resource import Body, Paginator, R, Resource, body_of, numbered_pages
from switchboard_sdk._transport import ApiRequest


class CrmChat(Resource[R]):
    def create_session(self, body: Body = None, **fields: Any) -> R:
        return self._call(ApiRequest("POST", "/sessions/create", json=body_of(m.CreateBody, body, fields)))

    def validate_session(self, session_token: str) -> R:
        return self._call(ApiRequest("GET", f"/sessions/validate/{session_token}", authenticated=False))

    def chat(self, body: Body = None, *, session_token: str | None = None, **fields: Any) -> R:
        headers = {"X-Session-Token": session_token} if session_token else {}
        return self._call(ApiRequest("POST", "/chat", json=body_of(m.ChatBody, body, fields), headers=headers))

    def create_user(self, body: Body = None, **fields: Any) -> R:
        return self._call(ApiRequest("POST", "/crm/create_user", json=body_of(m.UserBody, body, fields)))

    def get_user(self, user_id: str) -> R:
        return self._call(ApiRequest("GET", f"/crm/users/{user_id}"))

    def list_users(self, **params: Any) -> R:
        return self._call(ApiRequest("GET", "/crm/users", params=params))

    def iter_users(self, *, per_page: int = 50, **params: Any) -> Paginator:
        return self._pages("/crm/users", per_page, params)

    def user_conversations(self, user_id: str, **params: Any) -> R:
        return self._call(ApiRequest("GET", f"/crm/conversations/{user_id}", params=params))

    def iter_user_conversations(self, user_id: str, *, per_page: int = 50) -> Paginator:
        return self._pages(f"/crm/conversations/{user_id}", per_page, {})

    def upload_docs(self, files: list[tuple[str, bytes, str]]) -> R:
        """Upload (filename, content, content type) documents to the knowledge base."""
        parts = [("files", (name, content, kind)) for name, content, kind in files]
        return self._call(ApiRequest("POST", "/upload_docs", files=parts))

    def rag_stats(self) -> R:
        return self._call(ApiRequest("GET", "/rag/stats"))

    def list_documents(self, **params: Any) -> R:
        return self._call(ApiRequest("GET", "/rag/documents", params=params))

    def iter_documents(self, *, per_page: int = 50) -> Paginator:
        return self._pages("/rag/documents", per_page, {})

    def delete_document(self, filename: str) -> R:
        return self._call(ApiRequest("DELETE", f"/rag/documents/{filename}"))

    def _pages(self, path: str, per_page: int, params: dict[str, Any]) -> Paginator:
        def page(number: int) -> ApiRequest:
            return ApiRequest("GET", path, params={**params, "page": number, "per_page": per_page})

        return Paginator(self._transport, page, numbered_pages, 1)
