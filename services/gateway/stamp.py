"""Every request gets a request id (the caller's X-Request-ID or a new one), which is also the correlation id of all
it does (bound in the context: every bus message it sends and every log line carry it), and is counted and timed
per route.

Plain ASGI on purpose: Starlette's `BaseHTTPMiddleware` (`@app.middleware("http")`) runs every request through an
extra task and a pair of memory streams, which cost more CPU than the rest of this middleware on each turn."""

from __future__ import annotations

import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from libs.observability.context import bind_correlation_id, reset_correlation_id
from libs.observability.metrics import HTTP_REQUESTS, HTTP_SECONDS

REQUEST_ID_HEADER = b"x-request-id"


class RequestStamp:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        state = scope.setdefault("state", {})
        state["started"] = started
        state["request_id"] = rid = _caller_request_id(scope) or f"req_{uuid.uuid4().hex[:16]}"
        correlation = bind_correlation_id(rid)
        status = 500

        async def send_counting(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_counting)
        finally:
            reset_correlation_id(correlation)
            # The route template, not the raw path, so ids in paths do not explode the label set.
            route = getattr(scope.get("route"), "path", "unmatched")
            HTTP_REQUESTS.labels(scope["method"], route, str(status)).inc()
            HTTP_SECONDS.labels(scope["method"], route).observe(time.perf_counter() - started)


def _caller_request_id(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == REQUEST_ID_HEADER:
            return str(value.decode("latin-1"))
    return None
