"""/dashboard in headless Chromium (Debian's `chromium` driven by playwright-core from dashboard/): after a few
turns, the tiles and charts show what the analytics APIs answer; the screenshot is kept under .artifacts/."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import Stack
from tests.e2e.seed_examples import client

REPO = Path(__file__).resolve().parents[2]
DASHBOARD = REPO / "dashboard"
BUILT = REPO / "services" / "gateway" / "static" / "dashboard" / "index.html"
ARTIFACTS = REPO / ".artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def api(stack: Stack) -> Iterator[httpx.Client]:
    with client(stack, stack.auth()) as http:
        yield http


def test_dashboard_shows_the_api_numbers(stack: Stack, api: httpx.Client) -> None:
    # `make install` builds the bundle and installs Debian's chromium: a missing one is a broken install, not a skip.
    installed = (DASHBOARD / "node_modules" / "playwright-core").exists() and BUILT.exists() and CHROMIUM is not None
    assert installed, "run `make install` (dashboard npm build and Debian's chromium)"
    for n in range(2):
        body = {"query": "How do I reset my password?", "session_id": f"dash_{n}", "customer_id": "dash_customer"}
        assert api.post("/api/query", json=body).status_code == 200
    page = api.get("/dashboard")
    assert page.status_code == 200 and "chart-timeline" in page.text
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "dashboard.png"
    key = stack.credentials["api_key"]
    company = stack.credentials.get("tenant_id", "default")
    run = subprocess.run(
        ["node", "tests/check_dashboard.mjs", stack.url, key, company, str(shot)],
        cwd=DASHBOARD,
        capture_output=True,
        text=True,
        timeout=120,
        env={"CHROMIUM": CHROMIUM or "", "PATH": "/usr/bin:/bin"},
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert shot.stat().st_size > 10_000
