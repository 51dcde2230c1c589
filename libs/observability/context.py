"""The request-scoped ids (correlation id, event id) kept in the ContextVars behind structlog's `bind_contextvars`.

Set where work enters a process (the gateway's request middleware, the bus consumer around each handler) and read
where work leaves it (the bus, when it builds an envelope), so asks and events made while handling carry the
inbound correlation id without anyone passing it by hand, and every log line of that work names it too. The
variables are structlog's own, so binding here and `merge_contextvars` in the log pipeline are one mechanism.
"""

from __future__ import annotations

from contextvars import ContextVar, Token
from typing import Any

import structlog

_LOG_ID_VARS: list[ContextVar[Any]] = []


def log_id_vars() -> tuple[ContextVar[Any], ContextVar[Any]]:
    """The ContextVars behind structlog's `event_id` and `correlation_id` (what `bind_contextvars` sets), found once
    through its public API: setting them directly costs a third of `bind_contextvars`/`reset_contextvars`
    (tests/unit/bus/test_library_internals.py pins this)."""
    if not _LOG_ID_VARS:
        tokens = structlog.contextvars.bind_contextvars(event_id=None, correlation_id=None)
        structlog.contextvars.reset_contextvars(**tokens)
        _LOG_ID_VARS.extend((tokens["event_id"].var, tokens["correlation_id"].var))
    return _LOG_ID_VARS[0], _LOG_ID_VARS[1]


def current_correlation_id() -> str | None:
    """The correlation id of the work in hand, or None outside any request or handled message."""
    value = log_id_vars()[1].get()  # structlog's default for an unbound variable is Ellipsis
    return value if isinstance(value, str) and value else None


def bind_correlation_id(correlation_id: str) -> Token[Any]:
    """Make `correlation_id` current (logs and outbound messages); give the token to `reset_correlation_id`."""
    return log_id_vars()[1].set(correlation_id)


def reset_correlation_id(token: Token[Any]) -> None:
    log_id_vars()[1].reset(token)
