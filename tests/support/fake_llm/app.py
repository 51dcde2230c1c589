"""One Starlette app mounting the three fake provider APIs under /openai, /anthropic and /google, plus /_stats."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route

from tests.support.fake_llm import anthropic_api, gemini_api, openai_api
from tests.support.fake_llm.behaviour import Stats


def build_app() -> Starlette:
    stats = Stats()

    async def read_stats(_: Request) -> JSONResponse:
        return JSONResponse(dict(stats.requests))

    async def reset(_: Request) -> JSONResponse:
        stats.requests.clear()
        return JSONResponse({})

    return Starlette(
        routes=[
            Route("/_stats", read_stats, methods=["GET"]),
            Route("/_reset", reset, methods=["POST"]),
            Mount("/openai", routes=openai_api.routes(stats)),
            Mount("/anthropic", routes=anthropic_api.routes(stats)),
            Mount("/google", routes=gemini_api.routes(stats)),
        ]
    )
