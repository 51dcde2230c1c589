"""Typed errors: one class per HTTP status family, each carrying the dialect's error code and the request id.

The five seed APIs answer errors in five envelopes; `error_from_response` recognises each by its shape and never
assumes a field is there, so an unexpected body (an HTML page from a proxy, an empty body) still yields a typed error.
"""

from __future__ import annotations

from typing import Any

import httpx


class SwitchboardError(Exception):
    """Base of every error the SDK raises."""


class APIConnectionError(SwitchboardError):
    """The gateway could not be reached (after the configured retries)."""

    def __init__(self, message: str, *, attempts: int) -> None:
        super().__init__(message)
        self.attempts = attempts


class APITimeoutError(APIConnectionError):
    """The request timed out (after the configured retries)."""


class WebhookVerificationError(SwitchboardError):
    """A webhook's signature or timestamp did not verify."""


class APIStatusError(SwitchboardError):
    """The gateway answered with a 4xx/5xx status."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        code: str | None,
        request_id: str | None,
        dialect: str | None,
        details: Any,
        body: Any,
        headers: httpx.Headers,
    ) -> None:
        super().__init__(f"{status_code} {code or 'error'}: {message} (request_id={request_id})")
        self.message = message
        self.status_code = status_code
        self.code = code  # the dialect's own code: "invalid_request", "CS_002", "VALIDATION_ERROR", ...
        self.request_id = request_id
        self.dialect = dialect  # insights, support_agent, tiered_cs, kb_platform, crm_chat, or None (unrecognised)
        self.details = details
        self.body = body
        self.headers = headers


class BadRequestError(APIStatusError):
    pass


class AuthenticationError(APIStatusError):
    pass


class PermissionDeniedError(APIStatusError):
    pass


class NotFoundError(APIStatusError):
    pass


class ConflictError(APIStatusError):
    pass


class PayloadTooLargeError(APIStatusError):
    pass


class RateLimitError(APIStatusError):
    pass


class InternalServerError(APIStatusError):
    pass


class ServiceUnavailableError(InternalServerError):
    pass


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    413: PayloadTooLargeError,
    422: BadRequestError,
    429: RateLimitError,
    503: ServiceUnavailableError,
}


def _envelope(body: Any) -> tuple[str | None, str | None, str | None, Any, str | None]:
    """(dialect, code, message, details, request_id) from whichever seed envelope `body` is in."""
    if not isinstance(body, dict):
        return None, None, None, None, None
    error = body.get("error")
    if isinstance(error, dict):
        metadata = body.get("metadata")
        meta: dict[str, Any] = metadata if isinstance(metadata, dict) else {}
        if body.get("success") is False:  # seed 004: {"success": false, "error": {...}, "metadata": {request_id}}
            dialect, request_id = "crm_chat", meta.get("request_id")
        elif "request_id" in error:  # seed 003: {"error": {code, message, details, request_id}}
            dialect, request_id = "kb_platform", error.get("request_id")
        else:  # seed 002: {"error": {code, message, details}}
            dialect, request_id = "tiered_cs", None
        return dialect, _text(error.get("code")), _text(error.get("message")), error.get("details"), request_id
    if error is True and "error_type" in body:  # seed 001
        return (
            "support_agent",
            _text(body.get("error_type")),
            _text(body.get("message")),
            body.get("details"),
            (_text(body.get("request_id"))),
        )
    if error is True:  # seed 000: {"error": true, "status_code", "message", "details"}
        return "insights", None, _text(body.get("message")), body.get("details"), None
    return None, None, _text(body.get("message") or body.get("detail")), None, None


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def error_from_response(response: httpx.Response) -> APIStatusError:
    try:
        body: Any = response.json()
    except ValueError:
        body = response.text
    dialect, code, message, details, request_id = _envelope(body)
    status = response.status_code
    cls = _BY_STATUS.get(status) or (InternalServerError if status >= 500 else APIStatusError)
    fallback = body[:200] if isinstance(body, str) and body else response.reason_phrase or "HTTP error"
    return cls(
        message or fallback,
        status_code=status,
        code=code,
        request_id=request_id or response.headers.get("x-request-id"),
        dialect=dialect,
        details=details,
        body=body,
        headers=response.headers,
    )
