"""Seed 002, tiered CS sessions: `<prefix>/sessions...` and `<prefix>/config` (prefix `/cs` unless configured)."""

from __future__ import annotations

from typing import Any

from switchboard_sdk import models as m
from switchboard_sdk._resource import Body, PageSpec, body_of, offset_pages, operation
from switchboard_sdk._transport import ApiRequest


class TieredCsRequests:
    """The operations' paths are documented under `/cs`; a gateway mounted elsewhere is reached through `prefix`."""

    def __init__(self, prefix: str = "/cs") -> None:
        self._prefix = prefix.rstrip("/")

    @operation("POST", "/cs/sessions")
    def start_session(self, body: Body = None, **fields: Any) -> ApiRequest:
        return ApiRequest("POST", f"{self._prefix}/sessions", json=body_of(m.StartBody, body, fields))

    @operation("GET", "/cs/sessions/{session_id}")
    def get_session(self, session_id: str) -> ApiRequest:
        return ApiRequest("GET", f"{self._prefix}/sessions/{session_id}")

    @operation("GET", "/cs/sessions")
    def list_sessions(self, **params: Any) -> ApiRequest:
        return ApiRequest("GET", f"{self._prefix}/sessions", params=params)

    @operation("GET", "/cs/sessions", items=("sessions",))
    def iter_sessions(self, *, limit: int = 50, **params: Any) -> PageSpec:
        """Every session matching the filters (companyId, status, tier, customerId, ...) across pages."""

        def page(offset: int) -> ApiRequest:
            query = {**params, "limit": limit, "offset": offset}
            return ApiRequest("GET", f"{self._prefix}/sessions", params=query)

        return PageSpec(page, offset_pages("sessions", limit), 0)

    @operation("POST", "/cs/sessions/{session_id}/messages")
    def send_message(self, session_id: str, body: Body = None, **fields: Any) -> ApiRequest:
        path = f"{self._prefix}/sessions/{session_id}/messages"
        return ApiRequest("POST", path, json=body_of(m.MessageBody, body, fields))

    @operation("POST", "/cs/sessions/{session_id}/escalate")
    def escalate(self, session_id: str, body: Body = None, **fields: Any) -> ApiRequest:
        path = f"{self._prefix}/sessions/{session_id}/escalate"
        return ApiRequest("POST", path, json=body_of(m.EscalateBody, body, fields))

    @operation("POST", "/cs/sessions/{session_id}/resolve")
    def resolve(self, session_id: str, body: Body = None, **fields: Any) -> ApiRequest:
        path = f"{self._prefix}/sessions/{session_id}/resolve"
        return ApiRequest("POST", path, json=body_of(m.ResolveBody, body, fields))

    @operation("GET", "/cs/config")
    def get_config(self, company_id: str | None = None) -> ApiRequest:
        return ApiRequest("GET", f"{self._prefix}/config", params={"companyId": company_id})

    @operation("PUT", "/cs/config")
    def update_config(self, config: dict[str, Any]) -> ApiRequest:
        return ApiRequest("PUT", f"{self._prefix}/config", json=config)
