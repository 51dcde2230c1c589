"""Seed 004 GET /admin/settings (admin only): the settings in force - this gateway's own, what a conversation turn
asks of the model (conversation service) and how documents are chunked (rag service)."""

from __future__ import annotations

import platform as host
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel

from services.gateway.deps import Caller, GatewayDep
from services.gateway.dialects.crm_chat.envelope import DIALECT, ok
from services.gateway.dialects.support_agent.status_routes import VERSION

router = APIRouter(prefix="/admin", route_class=DIALECT.route_class(), tags=["crm chat: admin"])


class ApiConfig(BaseModel):
    host: str
    port: int
    debug: bool


class AiConfig(BaseModel):
    model: str
    temperature: float
    max_tokens: int


class RagConfig(BaseModel):
    chunk_size: int
    chunk_overlap: int
    max_retrieval_docs: int


class SystemInfo(BaseModel):
    version: str
    python_version: str
    start_time: str


class SettingsData(BaseModel):
    api_config: ApiConfig
    ai_config: AiConfig
    rag_config: RagConfig
    system_info: SystemInfo


class Envelope(BaseModel):
    success: bool
    data: SettingsData
    metadata: dict[str, Any]


@router.get("/settings", response_model=Envelope)
async def admin_settings(caller: Caller, gw: GatewayDep, request: Request) -> dict[str, Any]:
    caller.require("admin")
    settings = gw.settings
    ai = gw.clients.ai
    providers = await ai.providers(caller)
    turn = providers.get("turn_settings") or {}
    rag = gw.clients.rag
    stats = await rag.stats(caller)
    started = datetime.now(UTC) - timedelta(seconds=time.monotonic() - float(request.app.state.started_at))
    data = SettingsData(
        api_config=ApiConfig(host=settings.host, port=settings.port, debug=settings.platform.log_level == "DEBUG"),
        ai_config=AiConfig(
            model=providers["default_provider"],
            temperature=turn.get("temperature", 0.0),
            max_tokens=turn.get("max_tokens", 0),
        ),
        rag_config=RagConfig(
            chunk_size=stats.chunk_size or 0,
            chunk_overlap=stats.chunk_overlap or 0,
            max_retrieval_docs=turn.get("retrieval_top_k", 0),
        ),
        system_info=SystemInfo(
            version=VERSION,
            python_version=host.python_version(),
            start_time=started.strftime("%Y-%m-%dT%H:%M:%SZ"),
        ),
    )
    return ok(request, data.model_dump())
