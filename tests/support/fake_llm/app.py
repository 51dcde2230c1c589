"""One Starlette app mounting the three fake provider APIs under /openai, /anthropic and /google, plus /_stats and
/_requests (every request body received, in order: what a provider would have seen, for the PII scan)."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tests.support.fake_llm import anthropic_api, gemini_api, openai_api
from tests.support.fake_llm.behaviour import Stats


class RecordBodies:
    """ASGI wrapper keeping the body of every provider request (not of the /_ control routes)."""

    def __init__(self, app: ASGIApp, bodies: list[str]) -> None:
        self.app, self.bodies = app, bodies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/_"):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []

        async def recording() -> Message:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                self.bodies.append(f"{scope['path']} {b''.join(chunks).decode(errors='replace')}")
            return message

        await self.app(scope, recording, send)


def build_app() -> ASGIApp:
    stats = Stats()
    bodies: list[str] = []

    async def read_stats(_: Request) -> JSONResponse:
        return JSONResponse(dict(stats.requests))

    async def reset(_: Request) -> JSONResponse:
        stats.requests.clear()
        bodies.clear()
        return JSONResponse({})

    async def read_requests(_: Request) -> JSONResponse:
        return JSONResponse(bodies)

    app = Starlette(
        routes=[
            Route("/_stats", read_stats, methods=["GET"]),
            Route("/_reset", reset, methods=["POST"]),
            Route("/_requests", read_requests, methods=["GET"]),
            Mount("/openai", routes=openai_api.routes(stats)),
            Mount("/anthropic", routes=anthropic_api.routes(stats)),
            Mount("/google", routes=gemini_api.routes(stats)),
        ]
    )
    return RecordBodies(app, bodies)
