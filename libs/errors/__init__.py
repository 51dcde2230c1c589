"""Typed domain errors shared by every service; each dialect maps them to its own envelope in one place."""

from __future__ import annotations

from typing import Any, ClassVar


class DomainError(Exception):
    """Base of every error a handler may raise on purpose; `code` travels over the bus in error replies."""

    code: ClassVar[str] = "error"

    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = details or {}

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "details": self.details}


class Invalid(DomainError):
    """The request is malformed or breaks a rule (HTTP 400 family)."""

    code = "invalid"


class SessionClosed(Invalid):
    """A message or escalation for a session that is already resolved, closed or abandoned."""

    code = "session_closed"


class InvalidEscalationTarget(Invalid):
    """Escalating to the current, a lower, an unknown or a disabled tier."""

    code = "invalid_escalation_target"


class NotFound(DomainError):
    code = "not_found"


class Conflict(DomainError):
    code = "conflict"


class Forbidden(DomainError):
    code = "forbidden"


class Unauthorized(DomainError):
    code = "unauthorized"


class TooLarge(DomainError):
    code = "too_large"


class RateLimited(DomainError):
    code = "rate_limited"


class Unavailable(DomainError):
    """A dependency (broker, service, provider) did not answer in time or is down."""

    code = "unavailable"


class Timeout(Unavailable):
    code = "timeout"


ERRORS_BY_CODE: dict[str, type[DomainError]] = {
    cls.code: cls
    for cls in (
        Invalid, SessionClosed, InvalidEscalationTarget, NotFound, Conflict, Forbidden, Unauthorized, TooLarge,
        RateLimited, Unavailable, Timeout,
    )
}  # fmt: skip
GENERIC_CODES = frozenset({"error", "invalid", "not_found", "conflict", "forbidden", "unauthorized", "too_large",
                           "rate_limited", "unavailable", "timeout"})  # fmt: skip


def generic_code(error: DomainError) -> str:
    """The family code of a typed error (`session_closed` -> `invalid`): what a dialect without its own name for the
    specific error renders, so a new specific error never changes their responses."""
    return next(c.code for c in type(error).__mro__ if issubclass(c, DomainError) and c.code in GENERIC_CODES)


def error_from_dict(payload: dict[str, Any]) -> DomainError:
    """Rebuild the typed error carried in a bus error reply."""
    cls = ERRORS_BY_CODE.get(str(payload.get("code")), DomainError)
    return cls(str(payload.get("message", "error")), dict(payload.get("details") or {}))


class RetryableError(Exception):
    """Raised in a consumer when the message may succeed later: the consumer loop retries with backoff."""


class PermanentError(Exception):
    """Raised in a consumer when retrying cannot help: the consumer loop parks the message on `<topic>.dlq`."""
