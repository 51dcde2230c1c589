"""Seed 003 (knowledge-base platform) error envelope: {"error": {"code", "message", "details", "request_id"}}."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from services.gateway.dialects.base import Dialect, request_id

CODES = {
    "invalid": "invalid_request",
    "unauthorized": "unauthorized",
    "forbidden": "forbidden",
    "not_found": "not_found",
    "method_not_allowed": "method_not_allowed",
    "conflict": "conflict",
    "too_large": "payload_too_large",
    "rate_limited": "rate_limit_exceeded",
    "unavailable": "service_unavailable",
    "timeout": "service_unavailable",
}


class KbErrorBody(BaseModel):
    code: str
    message: str
    details: dict[str, Any]
    request_id: str


class KbError(BaseModel):
    error: KbErrorBody


class KbPlatformDialect(Dialect):
    name = "kb_platform"
    error_model = KbError

    def render_error(
        self, request: Request, *, status: int, code: str, message: str, details: dict[str, Any]
    ) -> JSONResponse:
        shown = dict(details)
        if len(shown) == 1 and "field" not in shown:
            ((field, problem),) = shown.items()
            shown = {"field": field, "expected": problem}
        body = {
            "error": {
                "code": CODES.get(code, "internal_error"),
                "message": message,
                "details": shown,
                "request_id": request_id(request),
            }
        }
        return JSONResponse(body, status_code=status)


DIALECT = KbPlatformDialect()
