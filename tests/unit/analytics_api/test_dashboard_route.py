"""GET /dashboard and its assets: served from the built folder, a clear 503 page when not built, nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.gateway import dashboard
from tests.unit.analytics_api.conftest import Platform


async def test_serves_the_built_page_and_only_its_assets(
    platform: Platform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "index.html").write_text("<canvas id=chart-timeline></canvas>")
    (tmp_path / "app.js").write_text("console.log(1)")
    (tmp_path / "secret.txt").write_text("not an asset")
    monkeypatch.setattr(dashboard, "STATIC", tmp_path)
    page = await platform.client.get("/dashboard")
    assert (
        page.status_code == 200
        and "chart-timeline" in page.text
        and page.headers["content-type"].startswith("text/html")
    )
    script = await platform.client.get("/dashboard/app.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    for other in ("/dashboard/secret.txt", "/dashboard/..%2Fsecret.txt", "/dashboard/style.css"):
        assert (await platform.client.get(other)).status_code == 404, other


async def test_not_built_says_how(platform: Platform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dashboard, "STATIC", tmp_path / "missing")
    page = await platform.client.get("/dashboard")
    assert page.status_code == 503 and "npm --prefix dashboard" in page.text
