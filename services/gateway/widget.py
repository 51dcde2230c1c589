"""The chat widget's edge: `/widget.js` (built from widget/ by `make install`) and CORS for the routes it calls.

CORS is answered only for seed 003's conversation routes and only for origins some live publishable key lists;
the key itself is checked against the origin on the real request (services/gateway/publishable.py). A secret key
sent from another site is refused outright: it must never sit in a page.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from fastapi import FastAPI, Request, Response
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.gateway.dialects import KB_PLATFORM, dialect_for_path
from services.gateway.publishable import WIDGET_PATH, PublishableKeys, bearer, is_secret_key

REPO = Path(__file__).resolve().parents[2]
DEFAULT_WIDGET_JS = REPO / "widget" / "dist" / "widget.js"
ALLOWED_HEADERS = "Authorization, Content-Type, X-Visitor-Id, Idempotency-Key"
EXPOSED_HEADERS = "X-Request-ID, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset"


def add_widget_route(app: FastAPI, widget_js: Path | None) -> None:
    path = widget_js or DEFAULT_WIDGET_JS

    @app.get("/widget.js", include_in_schema=False, response_class=Response)
    async def widget(request: Request) -> Response:
        if not path.is_file():
            request.state.request_id = getattr(request.state, "request_id", None) or f"req_{uuid.uuid4().hex[:16]}"
            message = "Widget not built: run `make install` (npm ci && npm run build in widget/)"
            return dialect_for_path("/widget.js").render_error(
                request, status=404, code="not_found", message=message, details={}
            )
        # Short caching: a redeploy reaches pages within minutes, without a versioned URL in the snippet.
        headers = {"Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff"}
        return Response(path.read_bytes(), media_type="application/javascript; charset=utf-8", headers=headers)


class WidgetCors:
    """CORS for the widget's routes: preflights for known origins, ACAO on answers, secret keys refused."""

    def __init__(self, app: ASGIApp, *, keys: PublishableKeys) -> None:
        self.app = app
        self.keys = keys

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = Headers(scope=scope) if scope["type"] == "http" else None
        origin = headers.get("origin") if headers else None
        widget_route = scope["type"] == "http" and scope["path"].startswith(WIDGET_PATH)
        if headers is None or origin is None or not widget_route or _same_origin(scope, origin):
            await self.app(scope, receive, send)
            return
        allowed = await self.keys.origin_allowed(origin)
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            await self._preflight(scope, receive, send, origin, allowed)
            return
        if is_secret_key(bearer(headers.get("authorization"), headers.get("x-api-key"))):
            message = "Secret API keys cannot be used from a web page: use a publishable key (pk_…)"
            await self._refuse(scope, receive, send, message, origin if allowed else None)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start" and allowed:
                _cors_headers(MutableHeaders(scope=message), origin)
            await send(message)

        await self.app(scope, receive, send_with_cors)

    async def _preflight(self, scope: Scope, receive: Receive, send: Send, origin: str, allowed: bool) -> None:
        if not allowed:
            await self._refuse(scope, receive, send, "Origin not allowed by any publishable key", None)
            return
        response = Response(status_code=204)
        _cors_headers(response.headers, origin)
        response.headers["Access-Control-Allow-Methods"] = "GET, POST"
        response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
        response.headers["Access-Control-Max-Age"] = "600"
        await response(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, message: str, origin: str | None) -> None:
        request = Request(scope, receive)
        request.state.request_id = f"req_{uuid.uuid4().hex[:16]}"
        response = KB_PLATFORM.render_error(request, status=403, code="forbidden", message=message, details={})
        if origin:  # so the widget can read why
            _cors_headers(response.headers, origin)
        await response(scope, receive, send)


def _cors_headers(headers: MutableHeaders, origin: str) -> None:
    headers["Access-Control-Allow-Origin"] = origin
    headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    headers.append("Vary", "Origin")


def _same_origin(scope: Scope, origin: str) -> bool:
    host = Headers(scope=scope).get("host", "")
    return origin in (f"http://{host}", f"https://{host}")
