"""Health, readiness and Prometheus metrics endpoints: a tiny ASGI app every service serves, the gateway mounts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from fastapi import FastAPI, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

ReadinessCheck = Callable[[], Awaitable[bool]]


@dataclass
class HealthState:
    """Named readiness checks (bus connected, store reachable, model loaded); liveness is the process answering."""

    service: str
    checks: dict[str, ReadinessCheck] = field(default_factory=dict)

    async def readiness(self) -> dict[str, bool]:
        results: dict[str, bool] = {}
        for name, check in self.checks.items():
            try:
                results[name] = bool(await check())
            except Exception:  # a failing probe is a "not ready", never a crash of the probe endpoint
                results[name] = False
        return results


def add_health_routes(app: FastAPI, state: HealthState, *, liveness: bool = True, metrics: bool = True) -> None:
    """/health and /metrics (unless the app serves its own), and /ready."""
    if liveness:

        @app.get("/health", include_in_schema=False)
        async def health() -> dict[str, str]:
            return {"status": "ok", "service": state.service}

    @app.get("/ready", include_in_schema=False)
    async def ready() -> JSONResponse:
        results = await state.readiness()
        ok = all(results.values())
        return JSONResponse({"ready": ok, "checks": results}, status_code=200 if ok else 503)

    if metrics:

        @app.get("/metrics", include_in_schema=False)
        async def prometheus() -> Response:
            return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


def health_app(state: HealthState) -> FastAPI:
    app = FastAPI(title=f"switchboard-{state.service}", docs_url=None, redoc_url=None, openapi_url=None)
    add_health_routes(app, state)
    return app
