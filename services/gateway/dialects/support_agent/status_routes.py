"""Seed 001 GET /health: open liveness with the state of the platform's parts (no auth, as documented)."""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Request

from services.gateway.deps import GatewayDep
from services.gateway.dialects.base import zulu_timestamp
from services.gateway.dialects.support_agent.envelope import DIALECT
from services.gateway.dialects.support_agent.responses import Health

VERSION = "0.1.0"

router = APIRouter(route_class=DIALECT.route_class(), tags=["support agent: status"])


@router.get("/health", response_model=Health, response_model_exclude_unset=True)
async def health(request: Request, gw: GatewayDep) -> dict[str, Any]:
    checks = await request.app.state.health.readiness()
    services = {name: "healthy" if up else "unhealthy" for name, up in checks.items()}
    return {
        "status": "healthy" if all(checks.values()) else "degraded",
        "timestamp": zulu_timestamp(),
        "version": VERSION,
        "services": services,
        "uptime_seconds": int(time.monotonic() - request.app.state.started_at),
    }
