"""GET /dashboard: the analytics page (dashboard/ built by npm into static/dashboard/), served as static files;
the page itself signs in and calls the seed APIs like any client."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse, Response

STATIC = Path(__file__).resolve().parent / "static" / "dashboard"
# Only the bundle's own files are served: a fixed table, so no path from a request ever reaches the file system.
ASSETS = {"app.js": "text/javascript", "style.css": "text/css"}
NOT_BUILT = (
    "<!doctype html><title>Switchboard dashboard</title><p>The dashboard is not built on this install: run "
    "<code>npm --prefix dashboard ci &amp;&amp; npm --prefix dashboard run build</code>.</p>"
)

router = APIRouter(tags=["dashboard"], include_in_schema=False)


@router.get("/dashboard", response_class=HTMLResponse)
async def dashboard() -> Response:
    page = STATIC / "index.html"
    if not page.exists():
        return HTMLResponse(NOT_BUILT, status_code=503)
    return FileResponse(page, media_type="text/html", headers={"Cache-Control": "no-cache"})


@router.get("/dashboard/{asset}", response_class=FileResponse)
async def dashboard_asset(asset: str) -> Response:
    media = ASSETS.get(asset)
    path = STATIC / asset
    if media is None or not path.exists():
        return Response("Not found", status_code=404, media_type="text/plain")
    return FileResponse(path, media_type=media, headers={"Cache-Control": "no-cache"})
