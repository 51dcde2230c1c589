"""Seed 001 (Customer Support Agent) error envelope: error_type names, string details, request_id."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from services.gateway.dialects.base import Dialect, request_id, zulu_timestamp

ERROR_TYPES = {
    "invalid": "VALIDATION_ERROR",
    "conflict": "VALIDATION_ERROR",
    "too_large": "VALIDATION_ERROR",
    "unauthorized": "AUTHENTICATION_ERROR",
    "forbidden": "AUTHORIZATION_ERROR",
    "not_found": "NOT_FOUND_ERROR",
    "method_not_allowed": "NOT_FOUND_ERROR",
    "rate_limited": "RATE_LIMIT_ERROR",
    "unavailable": "LLM_API_ERROR",
    "timeout": "TIMEOUT_ERROR",
}


def _details_text(details: dict[str, Any]) -> str | None:
    if not details:
        return None
    if isinstance(details.get("detail"), str):
        return str(details["detail"])
    return "; ".join(f"{key}: {value}" for key, value in details.items())


class SupportAgentError(BaseModel):
    error: Literal[True]
    error_type: str
    message: str
    details: str | None
    timestamp: str
    request_id: str


class SupportAgentDialect(Dialect):
    name = "support_agent"
    error_model = SupportAgentError
    # Seed 001 documents no 409: a refused state change is a VALIDATION_ERROR, which it lists as 400.
    status_overrides = {"conflict": 400}  # noqa: RUF012 - read-only class table

    def render_error(
        self, request: Request, *, status: int, code: str, message: str, details: dict[str, Any]
    ) -> JSONResponse:
        error_type = details.get("error_type") or ERROR_TYPES.get(code, "INTERNAL_ERROR")
        body = {
            "error": True,
            "error_type": error_type,
            "message": message,
            "details": _details_text({k: v for k, v in details.items() if k != "error_type"}),
            "timestamp": zulu_timestamp(),
            "request_id": request_id(request),
        }
        return JSONResponse(body, status_code=status)


DIALECT = SupportAgentDialect()
