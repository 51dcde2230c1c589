"""Seed 004 (multi-agent chat + CRM) envelopes: {"success", "data"|"error", "metadata": {response_time, timestamp}}."""

from __future__ import annotations

import time
from typing import Any, Generic, Literal, TypeVar

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from services.gateway.dialects.base import Dialect, request_id, zulu_timestamp

CODES = {
    "invalid": "VALIDATION_ERROR",
    "too_large": "VALIDATION_ERROR",
    "conflict": "VALIDATION_ERROR",
    "not_found": "NOT_FOUND",
    "method_not_allowed": "NOT_FOUND",
    "unauthorized": "UNAUTHORIZED",
    "forbidden": "FORBIDDEN",
    "rate_limited": "RATE_LIMITED",
    "unavailable": "DATABASE_ERROR",
    "timeout": "DATABASE_ERROR",
}


def _elapsed(request: Request) -> float:
    started = getattr(request.state, "started", None)
    return round(time.perf_counter() - started, 3) if started else 0.0


T = TypeVar("T")


class Timing(BaseModel):
    response_time: float
    timestamp: str


class Ok(BaseModel, Generic[T]):
    """Seed 004's success envelope."""

    success: Literal[True]
    data: T
    metadata: Timing


class CrmErrorBody(BaseModel):
    code: str
    message: str
    details: str
    field: str | None


class ErrorTiming(Timing):
    request_id: str


class CrmError(BaseModel):
    success: Literal[False]
    error: CrmErrorBody
    metadata: ErrorTiming


class CrmChatDialect(Dialect):
    name = "crm_chat"
    error_model = CrmError

    def render_error(
        self, request: Request, *, status: int, code: str, message: str, details: dict[str, Any]
    ) -> JSONResponse:
        field = next(iter(details), None) if code == "invalid" else None
        body = {
            "success": False,
            "error": {
                "code": CODES.get(code, "INTERNAL_ERROR"),
                "message": message,
                "details": "; ".join(f"{k}: {v}" for k, v in details.items()) or message,
                "field": field,
            },
            "metadata": {
                "response_time": _elapsed(request),
                "timestamp": zulu_timestamp(),
                "request_id": request_id(request),
            },
        }
        return JSONResponse(body, status_code=status)


DIALECT = CrmChatDialect()


def ok(request: Request, data: Any) -> dict[str, Any]:
    return {
        "success": True,
        "data": data,
        "metadata": {"response_time": _elapsed(request), "timestamp": zulu_timestamp()},
    }
