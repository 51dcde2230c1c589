"""The dialect machinery: one route class per seed dialect that renders every error in that dialect's envelope."""

from __future__ import annotations

import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

from fastapi import Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from libs.errors import DomainError, generic_code
from libs.observability import get_logger

STATUS_BY_CODE: dict[str, int] = {
    "invalid": 400,
    "unauthorized": 401,
    "forbidden": 403,
    "not_found": 404,
    "method_not_allowed": 405,
    "conflict": 409,
    "too_large": 413,
    "rate_limited": 429,
    "unavailable": 503,
    "timeout": 504,
}
MAY_STILL_COMPLETE = (
    "the operation may still complete: retry with the same Idempotency-Key, or read its result later "
    "(a turn appears in the session history)"
)
CODE_BY_STATUS = {status: code for code, status in STATUS_BY_CODE.items()}
BODY_TOO_LARGE = "switchboard.body_too_large"  # scope mark set by app.BodyLimit when a streamed body overflows

log = get_logger("gateway.errors")


def request_id(request: Request) -> str:
    rid = getattr(request.state, "request_id", None)
    if rid is None:
        rid = request.state.request_id = f"req_{uuid.uuid4().hex[:16]}"
    return str(rid)


def naive_utc_timestamp() -> str:
    """The seeds' timestamp style: ISO 8601 with microseconds and no offset (UTC)."""
    return datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def zulu_timestamp() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def field_errors(exc: RequestValidationError) -> dict[str, str]:
    """Pydantic errors as {"field.path": "message"}: the request part (body/query/path) is dropped from the path."""
    out: dict[str, str] = {}
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        if loc and loc[0] in ("body", "query", "path", "header"):
            loc = loc[1:]  # only the request part: a field may itself be called "query"
        field = ".".join(loc) or "body"
        kind = err.get("type", "")
        if kind == "missing":
            message = "Field is required"
        elif kind == "extra_forbidden":
            message = "Unknown field"
        elif kind == "json_invalid":
            field, message = "body", "Malformed JSON"
        else:
            message = str(err.get("msg", "Invalid value"))
        out.setdefault(field, message)
    return out


ERROR_DESCRIPTIONS = {
    400: "Invalid request (a field, a query parameter or a refused value), in the dialect's error envelope",
    401: "Missing, expired, forged or revoked credentials",
    403: "The credentials lack the role, tenant or scope this operation needs",
    404: "No such resource (or one of another tenant)",
    409: "The resource's state refuses the change (already exists, closed, already decided)",
    413: "Request body too large",
    422: "The Idempotency-Key was used before with another body",
    429: "Rate limited: Retry-After and the dialect's rate-limit headers say when to come back",
    503: "A service behind the gateway is unavailable",
    504: "A service behind the gateway did not answer in time",
}
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def _needs_credentials(dependant: Dependant) -> bool:
    """Whether the route (or any dependency of it) authenticates the caller: then it can answer 401 and 403."""
    from services.gateway.deps import authenticated  # deps imports the auth stack; base must stay importable alone

    return any(dep.call is authenticated or _needs_credentials(dep) for dep in dependant.dependencies)


def error_statuses(dialect: Dialect, methods: set[str], dependant: Dependant) -> list[int]:
    """The error statuses a dialect route can answer: every route validates (400), may name a missing resource (404),
    is rate limited (429) and may find a service behind it down or slow (503/504); authenticated routes add 401/403,
    routes with a body 409 (a state conflict, unless the dialect renders it as another status) and 413, POSTs 422
    (an Idempotency-Key reused with another body)."""
    statuses = [400, 404, 429, 503, 504]
    if _needs_credentials(dependant):
        statuses += [401, 403]
    if methods & BODY_METHODS:
        statuses.append(413)
        if "conflict" not in dialect.status_overrides:
            statuses.append(409)
    if "POST" in methods:
        statuses.append(422)
    return sorted(statuses)


class Dialect(ABC):
    """One seed's conventions: its error envelope, its rate-limit header names."""

    name: str
    error_model: type[BaseModel]  # the error envelope's schema, declared on every route of the dialect
    rate_limit_headers = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")
    # A seed that documents no status for a domain error code renders it with its closest documented status.
    status_overrides: dict[str, int] = {}  # noqa: RUF012 - read-only class table

    def responses(self, *statuses: int) -> dict[int | str, dict[str, Any]]:
        """OpenAPI entries for errors a route answers beyond those its shape implies (see error_statuses)."""
        return {status: {"model": self.error_model, "description": ERROR_DESCRIPTIONS[status]} for status in statuses}

    @abstractmethod
    def render_error(
        self, request: Request, *, status: int, code: str, message: str, details: dict[str, Any]
    ) -> JSONResponse:
        """The dialect's error body for a domain error `code` (see STATUS_BY_CODE) at HTTP `status`."""

    def validation_error(self, request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = field_errors(exc)
        first = next(iter(errors))
        message = "Validation error" if len(errors) > 1 else f"{first}: {errors[first]}"
        return self.render_error(request, status=400, code="invalid", message=message, details=errors)

    def error_details(self, exc: DomainError) -> dict[str, Any]:
        """The details a dialect renders for a typed error; a dialect with its own code for a specific error
        (SessionClosed, InvalidEscalationTarget) adds it here, keyed by `exc.code`."""
        return exc.details

    def domain_error(self, request: Request, exc: DomainError) -> JSONResponse:
        code = generic_code(exc)  # a specific error renders as its family unless the dialect names it
        status = self.status_overrides.get(code) or STATUS_BY_CODE.get(code, 500)
        message, details = exc.message, self.error_details(exc)
        if code == "timeout" and request.method == "POST":
            # The command was sent and may still run (and be stored): say so, instead of implying nothing happened.
            message = f"{message}; {MAY_STILL_COMPLETE}"
            details = {**details, "may_still_complete": True}
        response = self.render_error(request, status=status, code=code, message=message, details=details)
        retry_after = exc.details.get("retry_after")
        if status == 429 and isinstance(retry_after, int):
            response.headers["Retry-After"] = str(retry_after)
        return response

    def http_error(self, request: Request, exc: HTTPException) -> JSONResponse:
        code = CODE_BY_STATUS.get(exc.status_code, "error")
        return self.render_error(request, status=exc.status_code, code=code, message=str(exc.detail), details={})

    def unexpected_error(self, request: Request, exc: Exception) -> JSONResponse:
        log.error(
            "request.failed", path=request.url.path, error_type=type(exc).__name__, request_id=request_id(request)
        )
        return self.render_error(request, status=500, code="error", message="Internal server error", details={})

    def route_class(self) -> type[APIRoute]:
        dialect = self

        class DialectRoute(APIRoute):
            owner: Dialect = dialect  # the seed dialect whose envelope this route answers in

            def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
                super().__init__(path, endpoint, **kwargs)
                # The errors this route really answers, in the dialect's envelope, unless the route declares its own.
                implied = dialect.responses(*error_statuses(dialect, self.methods or set(), self.dependant))
                kwargs["responses"] = implied | dict(self.responses)
                super().__init__(path, endpoint, **kwargs)

            def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
                handler = super().get_route_handler()

                route_path = self.path

                async def handle(request: Request) -> Response:
                    request.state.dialect = dialect
                    try:
                        guard = getattr(request.app.state, "route_guard", None)
                        if guard is not None:  # per-route rate limits, rendered in this dialect's envelope
                            await guard(request, dialect.name, request.method, route_path)
                        response = await handler(request)
                    except RequestValidationError as exc:
                        response = dialect.validation_error(request, exc)
                    except DomainError as exc:
                        response = dialect.domain_error(request, exc)
                    except HTTPException as exc:
                        too_large = request.scope.get(BODY_TOO_LARGE)
                        shown = HTTPException(413, "Request body too large") if too_large else exc
                        response = dialect.http_error(request, shown)
                    except Exception as exc:  # the one place a request's unexpected failure is turned into a 500
                        response = dialect.unexpected_error(request, exc)
                    dialect.add_rate_limit_headers(request, response)
                    response.headers["X-Request-ID"] = request_id(request)
                    return response

                return handle

        return DialectRoute

    def add_rate_limit_headers(self, request: Request, response: Response) -> None:
        quota = getattr(request.state, "rate_limit", None)
        if quota is None:
            return
        limit_h, remaining_h, reset_h = self.rate_limit_headers
        response.headers[limit_h] = str(quota.limit)
        response.headers[remaining_h] = str(quota.remaining)
        response.headers[reset_h] = str(quota.reset_epoch)
        if response.status_code == 429 and "Retry-After" not in response.headers:
            # Every 429 says when to come back (RFC 9110), whichever limit refused it.
            response.headers["Retry-After"] = str(max(1, quota.reset_epoch - int(time.time())))
