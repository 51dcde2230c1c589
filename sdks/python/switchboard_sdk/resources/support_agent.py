"""Seed 001, Customer Support Agent: `/api/query`, `/api/session`, `/api/escalation`, `/health`."""

from __future__ import annotations

from typing import Any

from switchboard_sdk import models as m
from switchboard_sdk._resource import Body, body_of, operation
from switchboard_sdk._transport import ApiRequest


class SupportAgentRequests:
    @operation("POST", "/api/query")
    def query(self, body: Body = None, **fields: Any) -> ApiRequest:
        return ApiRequest("POST", "/api/query", json=body_of(m.QueryBody, body, fields))

    @operation("POST", "/api/session")
    def create_session(self, body: Body = None, **fields: Any) -> ApiRequest:
        return ApiRequest("POST", "/api/session", json=body_of(m.SessionBody, body, fields))

    @operation("GET", "/api/session/{session_id}")
    def get_session(self, session_id: str) -> ApiRequest:
        return ApiRequest("GET", f"/api/session/{session_id}")

    @operation("DELETE", "/api/session/{session_id}")
    def close_session(self, session_id: str) -> ApiRequest:
        return ApiRequest("DELETE", f"/api/session/{session_id}")

    @operation("POST", "/api/escalation")
    def create_escalation(self, body: Body = None, **fields: Any) -> ApiRequest:
        return ApiRequest("POST", "/api/escalation", json=body_of(m.CreateEscalationRequest, body, fields))

    @operation("GET", "/api/escalation/{ticket_id}")
    def get_escalation(self, ticket_id: str) -> ApiRequest:
        return ApiRequest("GET", f"/api/escalation/{ticket_id}")

    @operation("PUT", "/api/escalation/{ticket_id}")
    def update_escalation(self, ticket_id: str, body: Body = None, **fields: Any) -> ApiRequest:
        return ApiRequest("PUT", f"/api/escalation/{ticket_id}", json=body_of(m.UpdateEscalationRequest, body, fields))

    @operation("GET", "/health")
    def health(self) -> ApiRequest:
        return ApiRequest("GET", "/health", authenticated=False)
