"""Seed 001, Customer Support Agent: `/api/query`, `/api/session`, `/api/escalation`, `/health`."""

from __future__ import annotations

from typing import Any

from switchboard_sdk import models as m
from switchboard_sdk._resource import Body, R, Resource, body_of
from switchboard_sdk._transport import ApiRequest


class SupportAgent(Resource[R]):
    def query(self, body: Body = None, **fields: Any) -> R:
        return self._call(ApiRequest("POST", "/api/query", json=body_of(m.QueryBody, body, fields)))

    def create_session(self, body: Body = None, **fields: Any) -> R:
        return self._call(ApiRequest("POST", "/api/session", json=body_of(m.SessionBody, body, fields)))

    def get_session(self, session_id: str) -> R:
        return self._call(ApiRequest("GET", f"/api/session/{session_id}"))

    def close_session(self, session_id: str) -> R:
        return self._call(ApiRequest("DELETE", f"/api/session/{session_id}"))

    def create_escalation(self, body: Body = None, **fields: Any) -> R:
        body_json = body_of(m.CreateEscalationRequest, body, fields)
        return self._call(ApiRequest("POST", "/api/escalation", json=body_json))

    def get_escalation(self, ticket_id: str) -> R:
        return self._call(ApiRequest("GET", f"/api/escalation/{ticket_id}"))

    def update_escalation(self, ticket_id: str, body: Body = None, **fields: Any) -> R:
        body_json = body_of(m.UpdateEscalationRequest, body, fields)
        return self._call(ApiRequest("PUT", f"/api/escalation/{ticket_id}", json=body_json))

    def health(self) -> R:
        return self._call(ApiRequest("GET", "/health", authenticated=False))
