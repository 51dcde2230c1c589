"""Seed 004 GET /admin/health/detailed (admin only): each component probed now, with its own measured time -
the gateway's database, the vector store (through the rag service), the model providers (through the
conversation service), this host's memory and the data folder's disk."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Awaitable, Callable
from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel

from libs.errors import DomainError
from services.gateway.deps import Caller, GatewayDep
from services.gateway.dialects.base import zulu_timestamp
from services.gateway.dialects.crm_chat.envelope import DIALECT, ok
from services.gateway.dialects.support_agent.status_routes import VERSION

router = APIRouter(prefix="/admin/health", route_class=DIALECT.route_class(), tags=["crm chat: admin"])

Status = Literal["healthy", "degraded", "unhealthy"]
# Share of memory or disk in use from which the component is degraded / unhealthy.
DEGRADED_AT, UNHEALTHY_AT = 90.0, 97.0


class Component(BaseModel):
    status: Status
    response_time: float | None = None
    details: str | None = None
    used: str | None = None
    total: str | None = None
    percentage: float | None = None


class DetailedHealth(BaseModel):
    status: Status
    timestamp: str
    uptime: str
    version: str
    components: dict[str, Component]


class Envelope(BaseModel):
    success: bool
    data: DetailedHealth
    metadata: dict[str, Any]


async def timed(probe: Callable[[], Awaitable[str]]) -> Component:
    """Run one probe: healthy with its details, or unhealthy with the error's kind; its time either way."""
    started = time.perf_counter()
    try:
        details, status = await probe(), "healthy"
    except (DomainError, OSError) as exc:
        details, status = f"{type(exc).__name__}: {exc}"[:300], "unhealthy"
    elapsed = round(time.perf_counter() - started, 4)
    return Component(status=status, response_time=elapsed, details=details)  # type: ignore[arg-type]


def _size(n: float) -> str:
    return f"{n / 2**30:.1f} GB" if n >= 2**30 else f"{n / 2**20:.0f} MB"


def usage(used: float, total: float) -> Component:
    share = round(used / total * 100, 1) if total else 0.0
    status: Status = "healthy" if share < DEGRADED_AT else "degraded" if share < UNHEALTHY_AT else "unhealthy"
    return Component(status=status, used=_size(used), total=_size(total), percentage=share)


def memory() -> Component:
    started = time.perf_counter()
    page = os.sysconf("SC_PAGE_SIZE")
    total, free = os.sysconf("SC_PHYS_PAGES") * page, os.sysconf("SC_AVPHYS_PAGES") * page
    return usage(total - free, total).model_copy(update={"response_time": round(time.perf_counter() - started, 4)})


def disk(path: str) -> Component:
    started = time.perf_counter()
    found = shutil.disk_usage(path if os.path.exists(path) else ".")
    measured = usage(found.used, found.total)
    return measured.model_copy(update={"response_time": round(time.perf_counter() - started, 4)})


def uptime_text(seconds: float) -> str:
    minutes = int(seconds // 60)
    days, hours = minutes // 1440, minutes % 1440 // 60
    return f"{days} days, {hours} hours, {minutes % 60} minutes"


@router.get("/detailed", response_model=Envelope, response_model_exclude_none=True)
async def detailed_health(caller: Caller, gw: GatewayDep, request: Request) -> dict[str, Any]:
    caller.require("admin")
    platform = gw.settings.platform
    store_check = request.app.state.health.checks["store"]

    async def database() -> str:
        if not await store_check():
            raise OSError("the store did not answer its ping")
        return "MongoDB reachable" if platform.mongodb_url else "SQLite connection successful"

    async def vector_db() -> str:
        rag = gw.clients.rag
        stats = await rag.stats(caller)
        where = "Qdrant server" if platform.qdrant_url else "Qdrant local mode"
        return f"{where}: {stats.collection_health}, {stats.total_chunks} chunks"

    async def providers() -> str:
        ai = gw.clients.ai
        found = await ai.providers(caller)
        ready = sorted({p["provider"] for p in found["providers"] if p.get("available")})
        return f"default model {found['default_provider']}; providers configured: {', '.join(ready)}"

    components = {
        "database": await timed(database),
        "vector_db": await timed(vector_db),
        "openai_api": await timed(providers),
        "memory_usage": memory(),
        "disk_space": disk(str(platform.data_dir)),
    }
    states = {c.status for c in components.values()}
    overall: Status = "unhealthy" if components["database"].status == "unhealthy" else (
        "degraded" if states - {"healthy"} else "healthy"
    )  # fmt: skip
    up = time.monotonic() - float(request.app.state.started_at)
    data = DetailedHealth(
        status=overall, timestamp=zulu_timestamp(), uptime=uptime_text(up), version=VERSION, components=components
    )
    return ok(request, data.model_dump(exclude_none=True))
