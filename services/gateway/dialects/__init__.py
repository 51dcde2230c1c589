"""The five seed dialects served by the gateway: their routers (found by convention) and the 404 owner of a path."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from fastapi import APIRouter

from services.gateway.dialects.base import Dialect
from services.gateway.dialects.crm_chat.envelope import DIALECT as CRM_CHAT
from services.gateway.dialects.insights.envelope import DIALECT as INSIGHTS
from services.gateway.dialects.kb_platform.envelope import DIALECT as KB_PLATFORM
from services.gateway.dialects.support_agent.envelope import DIALECT as SUPPORT_AGENT
from services.gateway.dialects.tiered_cs.envelope import DIALECT as TIERED_CS

DIALECT_PACKAGES = ("insights", "support_agent", "tiered_cs", "kb_platform", "crm_chat")


def routers() -> list[tuple[str, APIRouter]]:
    """(dialect, router) of every `<dialect>/*_routes.py`: adding an endpoint file needs no registration elsewhere."""
    found: list[tuple[str, APIRouter]] = []
    for package in DIALECT_PACKAGES:
        folder = Path(__file__).parent / package
        for module in sorted(m.name for m in pkgutil.iter_modules([str(folder)]) if m.name.endswith("_routes")):
            found.append((package, importlib.import_module(f"{__name__}.{package}.{module}").router))
    return found


_KB_PREFIXES = ("/api/v1/conversations", "/api/v1/knowledge-base")
_KB_ANALYTICS = "/api/v1/analytics"  # exactly: /api/v1/analytics/summary is seed 000's
_CRM_PATHS = ("/sessions", "/chat", "/crm", "/upload_docs", "/rag", "/admin")


def dialect_for_path(path: str, cs_prefix: str = "/cs") -> Dialect:
    """Pick the envelope for a request that reached no route (404/405), by the seed that owns the path."""
    if path.startswith(_KB_PREFIXES) or path == _KB_ANALYTICS:
        return KB_PLATFORM
    if path.startswith(("/api/v1", "/websocket")):
        return INSIGHTS
    if path.startswith(cs_prefix):
        return TIERED_CS
    if path.startswith(_CRM_PATHS):
        return CRM_CHAT
    return SUPPORT_AGENT


__all__ = ["CRM_CHAT", "INSIGHTS", "KB_PLATFORM", "SUPPORT_AGENT", "TIERED_CS", "dialect_for_path", "routers"]
