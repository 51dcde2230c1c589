"""The gateway's FastAPI app: request ids and timing, body-size limit, dialect routers, seed-shaped 404/405/413."""

from __future__ import annotations

import secrets
import time
import uuid

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from libs.bus.trace_context import recording
from libs.errors import DomainError
from libs.observability import HealthState
from libs.observability.health import add_health_routes
from services.gateway.dashboard import router as dashboard_router
from services.gateway.deps import Gateway
from services.gateway.dialects import dialect_for_path, routers
from services.gateway.dialects.base import BODY_TOO_LARGE
from services.gateway.idempotency import IdempotencyGuard, open_records
from services.gateway.openapi import use_dialect_errors_in_openapi
from services.gateway.route_limits import enforce, limits_for
from services.gateway.stamp import RequestStamp
from services.gateway.widget import WidgetCors, add_widget_route


class BodyLimit:
    """Refuse bodies over `max_bytes` with 413 before they are read into memory (Content-Length or streamed)."""

    def __init__(
        self, app: ASGIApp, *, max_bytes: int, cs_prefix: str, allowances: dict[str, int] | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.cs_prefix = cs_prefix
        self.allowances = allowances or {}  # path -> larger limit (uploads)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.allowances.get(scope["path"], self.max_bytes)
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._too_large(scope, receive, send, limit)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                # Raised through the middleware's task group, this reaches FastAPI's body parsing wrapped and
                # comes out as its generic 400; the mark lets the dialect route answer the 413 it is.
                scope[BODY_TOO_LARGE] = True
                raise HTTPException(413, "Request body too large")
            return message

        await self.app(scope, limited_receive, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        request = Request(scope, receive)
        request.state.request_id = f"req_{uuid.uuid4().hex[:16]}"
        dialect = dialect_for_path(scope["path"], self.cs_prefix)
        response = dialect.render_error(
            request,
            status=413,
            code="too_large",
            message="Request body too large",
            details={"max_bytes": limit},
        )
        await response(scope, receive, send)


def add_metrics_route(app: FastAPI, gw: Gateway) -> None:
    """Prometheus metrics for the operator's credentials or the scraper's `SWITCHBOARD_GATEWAY_METRICS_TOKEN`."""

    @app.get("/metrics", include_in_schema=False)
    async def metrics(request: Request) -> Response:
        try:
            await _metrics_reader(request, gw)
        except DomainError as exc:
            return dialect_for_path(request.url.path, gw.settings.cs_prefix).domain_error(request, exc)
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


async def _metrics_reader(request: Request, gw: Gateway) -> None:
    authorization = request.headers.get("authorization") or ""
    token = gw.settings.metrics_token
    if token and secrets.compare_digest(authorization.encode(), f"Bearer {token}".encode()):
        return
    caller = await gw.identity.authenticate(authorization or None, request.headers.get("x-api-key"))
    caller.require_operator()


def create_app(gw: Gateway, health: HealthState) -> FastAPI:
    app = FastAPI(
        # FastAPI's own OpenTelemetry spans cost ~8 % of the gateway's CPU per turn; only where spans are exported.
        telemetry={"tracing": recording()},
        title="Switchboard",
        version="0.1.0",
        description="One gateway for the five customer-service APIs (see each tag for its seed dialect).",
    )
    app.state.gateway = gw
    app.state.health = health
    app.state.started_at = time.monotonic()

    async def route_guard(request: Request, dialect: str, method: str, path: str) -> None:
        limits = limits_for(dialect, method, path, gw.settings.cs_prefix)
        if limits:
            await enforce(request, gw.limiter, f"{dialect}:{method}:{path}", limits)

    if gw.settings.route_limits:
        app.state.route_guard = route_guard

    app.add_middleware(RequestStamp)

    @app.exception_handler(HTTPException)
    async def unrouted(request: Request, exc: HTTPException) -> JSONResponse:
        dialect = dialect_for_path(request.url.path, gw.settings.cs_prefix)
        response = dialect.http_error(request, exc)
        response.headers.update(exc.headers or {})  # a 405 names the path's methods in Allow (RFC 9110)
        return response

    for dialect, router in routers():
        # Seed 002 is mounted under a configurable prefix (its own docs show /api/momentum/cs).
        app.include_router(router, prefix=gw.settings.cs_prefix if dialect == "tiered_cs" else "")
    app.include_router(dashboard_router)
    # /health is seed 001's own shape; /metrics (per-route request and 401 counts) is for the operator only.
    add_health_routes(app, health, liveness=False, metrics=False)
    add_metrics_route(app, gw)
    # Inside BodyLimit (added after it, so outer): an oversized body is refused before it is read for the key.
    app.add_middleware(
        IdempotencyGuard,
        records=open_records(gw.settings.platform.redis_url),
        cs_prefix=gw.settings.cs_prefix,
        running_ttl_s=gw.settings.request_timeout_s + 30,
    )
    app.add_middleware(
        BodyLimit,
        max_bytes=gw.settings.max_body_bytes,
        cs_prefix=gw.settings.cs_prefix,
        # Dataset uploads may be up to 50 MB: above that (but under this allowance) the route answers 400 naming it.
        allowances={
            "/upload_docs": gw.settings.upload_max_body_bytes,
            "/api/v1/ai/datasets": gw.settings.upload_max_body_bytes,
        },
    )
    add_widget_route(app, gw.settings.widget_js)
    use_dialect_errors_in_openapi(app)
    if gw.publishable is not None:
        app.add_middleware(WidgetCors, keys=gw.publishable)
    if gw.settings.trusted_proxy_list:
        # Outermost, so every part of the app (route limits, login lockouts) sees the real client address.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=gw.settings.trusted_proxy_list)
    return app
