"""Seed 000 (CustomerAI Insights) envelope: {"error", "status_code", "data"|"message"/"details", "timestamp"}."""

from __future__ import annotations

from typing import Any, Generic, Literal, TypeVar

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from services.gateway.dialects.base import Dialect, naive_utc_timestamp

T = TypeVar("T")


class Ok(BaseModel, Generic[T]):
    """The success envelope every seed 000 endpoint answers with."""

    error: Literal[False]
    status_code: int
    data: T
    timestamp: str


class InsightsError(BaseModel):
    error: Literal[True]
    status_code: int
    message: str
    details: dict[str, Any]
    timestamp: str


class InsightsDialect(Dialect):
    name = "insights"
    error_model = InsightsError
    rate_limit_headers = ("X-Rate-Limit-Limit", "X-Rate-Limit-Remaining", "X-Rate-Limit-Reset")

    def render_error(
        self, request: Request, *, status: int, code: str, message: str, details: dict[str, Any]
    ) -> JSONResponse:
        body = {
            "error": True,
            "status_code": status,
            "message": message,
            "details": details,
            "timestamp": naive_utc_timestamp(),
        }
        return JSONResponse(body, status_code=status)


DIALECT = InsightsDialect()


def ok(data: Any, status: int = 200) -> dict[str, Any]:
    """The success envelope every seed 000 endpoint answers with."""
    return {"error": False, "status_code": status, "data": data, "timestamp": naive_utc_timestamp()}
