"""Seed 004, multi-agent chat + CRM: `/sessions/*`, `/chat`, `/crm/*`, `/upload_docs`, `/rag/*`."""

from __future__ import annotations

from typing import Any

from switchboard_sdk import models as m
from switchboard_sdk._resource import Body, PageSpec, body_of, numbered_pages, operation
from switchboard_sdk._transport import ApiRequest


def _pages(path: str, per_page: int, params: dict[str, Any]) -> PageSpec:
    def page(number: int) -> ApiRequest:
        return ApiRequest("GET", path, params={**params, "page": number, "per_page": per_page})

    return PageSpec(page, numbered_pages, 1)


class CrmChatRequests:
    @operation("POST", "/sessions/create")
    def create_session(self, body: Body = None, **fields: Any) -> ApiRequest:
        return ApiRequest("POST", "/sessions/create", json=body_of(m.CreateBody, body, fields))

    @operation("GET", "/sessions/validate/{session_token}")
    def validate_session(self, session_token: str) -> ApiRequest:
        return ApiRequest("GET", f"/sessions/validate/{session_token}", authenticated=False)

    @operation("POST", "/chat")
    def chat(self, body: Body = None, *, session_token: str | None = None, **fields: Any) -> ApiRequest:
        headers = {"X-Session-Token": session_token} if session_token else {}
        return ApiRequest("POST", "/chat", json=body_of(m.ChatBody, body, fields), headers=headers)

    @operation("POST", "/crm/create_user")
    def create_user(self, body: Body = None, **fields: Any) -> ApiRequest:
        return ApiRequest("POST", "/crm/create_user", json=body_of(m.UserBody, body, fields))

    @operation("GET", "/crm/users/{user_id}")
    def get_user(self, user_id: str) -> ApiRequest:
        return ApiRequest("GET", f"/crm/users/{user_id}")

    @operation("GET", "/crm/users")
    def list_users(self, **params: Any) -> ApiRequest:
        return ApiRequest("GET", "/crm/users", params=params)

    @operation("GET", "/crm/users", items=("data",))
    def iter_users(self, *, per_page: int = 50, **params: Any) -> PageSpec:
        return _pages("/crm/users", per_page, params)

    @operation("GET", "/crm/conversations/{user_id}")
    def user_conversations(self, user_id: str, **params: Any) -> ApiRequest:
        return ApiRequest("GET", f"/crm/conversations/{user_id}", params=params)

    @operation("GET", "/crm/conversations/{user_id}", items=("data",))
    def iter_user_conversations(self, user_id: str, *, per_page: int = 50) -> PageSpec:
        return _pages(f"/crm/conversations/{user_id}", per_page, {})

    @operation("POST", "/upload_docs")
    def upload_docs(self, files: list[tuple[str, bytes, str]]) -> ApiRequest:
        """Upload (filename, content, content type) documents to the knowledge base."""
        parts = [("files", (name, content, kind)) for name, content, kind in files]
        return ApiRequest("POST", "/upload_docs", files=parts)

    @operation("GET", "/rag/stats")
    def rag_stats(self) -> ApiRequest:
        return ApiRequest("GET", "/rag/stats")

    @operation("GET", "/rag/documents")
    def list_documents(self, **params: Any) -> ApiRequest:
        return ApiRequest("GET", "/rag/documents", params=params)

    @operation("GET", "/rag/documents", items=("data",))
    def iter_documents(self, *, per_page: int = 50) -> PageSpec:
        return _pages("/rag/documents", per_page, {})

    @operation("DELETE", "/rag/documents/{filename}")
    def delete_document(self, filename: str) -> ApiRequest:
        return ApiRequest("DELETE", f"/rag/documents/{filename}")
