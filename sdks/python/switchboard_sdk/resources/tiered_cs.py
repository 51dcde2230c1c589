"""Seed 002, tiered CS sessions: `<prefix>/sessions...` and `<prefix>/config` (prefix `/cs` unless configured)."""

from __future__ import annotations

from typing import Any

from switchboard_sdk import models as m
from switchboard_sdk._resource import Body, Paginator, R, Resource, body_of, offset_pages
from switchboard_sdk._transport import ApiRequest, AsyncTransport, SyncTransport


class TieredCs(Resource[R]):
    def __init__(self, transport: SyncTransport | AsyncTransport, prefix: str = "/cs") -> None:
        super().__init__(transport)
        self._prefix = prefix.rstrip("/")

    def start_session(self, body: Body = None, **fields: Any) -> R:
        return self._call(ApiRequest("POST", f"{self._prefix}/sessions", json=body_of(m.StartBody, body, fields)))

    def get_session(self, session_id: str) -> R:
        return self._call(ApiRequest("GET", f"{self._prefix}/sessions/{session_id}"))

    def list_sessions(self, **params: Any) -> R:
        return self._call(ApiRequest("GET", f"{self._prefix}/sessions", params=params))

    def iter_sessions(self, *, limit: int = 50, **params: Any) -> Paginator:
        """Every session matching the filters (companyId, status, tier, customerId, ...) across pages."""

        def page(offset: int) -> ApiRequest:
            query = {**params, "limit": limit, "offset": offset}
            return ApiRequest("GET", f"{self._prefix}/sessions", params=query)

        return Paginator(self._transport, page, offset_pages("sessions", limit), 0)

    def send_message(self, session_id: str, body: Body = None, **fields: Any) -> R:
        path = f"{self._prefix}/sessions/{session_id}/messages"
        return self._call(ApiRequest("POST", path, json=body_of(m.MessageBody, body, fields)))

    def escalate(self, session_id: str, body: Body = None, **fields: Any) -> R:
        path = f"{self._prefix}/sessions/{session_id}/escalate"
        return self._call(ApiRequest("POST", path, json=body_of(m.EscalateBody, body, fields)))

    def resolve(self, session_id: str, body: Body = None, **fields: Any) -> R:
        path = f"{self._prefix}/sessions/{session_id}/resolve"
        return self._call(ApiRequest("POST", path, json=body_of(m.ResolveBody, body, fields)))

    def get_config(self, company_id: str | None = None) -> R:
        return self._call(ApiRequest("GET", f"{self._prefix}/config", params={"companyId": company_id}))

    def update_config(self, config: dict[str, Any]) -> R:
        return self._call(ApiRequest("PUT", f"{self._prefix}/config", json=config))
