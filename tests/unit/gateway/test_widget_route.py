"""GET /widget.js: the built widget as JavaScript, or a 404 in an envelope (never a 500) when it was not built."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from libs.bus import MemoryBus
from libs.runtime import PlatformSettings
from tests.support.platform import gateway_for_tests, serving


async def _client(tmp_path: Path, widget_js: Path) -> AsyncIterator[httpx.AsyncClient]:
    bus = MemoryBus(service_name="test")
    gateway = gateway_for_tests(PlatformSettings(bus="memory", data_dir=tmp_path), bus, widget_js=widget_js)
    async with serving(bus, [gateway]) as client:
        yield client


@pytest.fixture
async def built(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    bundle = tmp_path / "widget.js"
    bundle.write_text("(()=>{window.__switchboardWidget=1})();")
    async for client in _client(tmp_path, bundle):
        yield client


@pytest.fixture
async def not_built(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async for client in _client(tmp_path, tmp_path / "missing.js"):
        yield client


async def test_widget_is_served_as_javascript_without_credentials(built: httpx.AsyncClient) -> None:
    resp = await built.get("/widget.js")
    assert resp.status_code == 200 and resp.text == "(()=>{window.__switchboardWidget=1})();"
    assert resp.headers["content-type"].startswith("application/javascript")
    assert resp.headers["x-content-type-options"] == "nosniff" and "max-age" in resp.headers["cache-control"]


async def test_unbuilt_widget_is_a_404_in_an_envelope(not_built: httpx.AsyncClient) -> None:
    resp = await not_built.get("/widget.js")
    assert resp.status_code == 404
    body = resp.json()
    assert body["error"] is True and "make install" in body["message"]
