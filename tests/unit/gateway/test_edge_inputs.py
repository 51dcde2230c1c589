"""Issue 20 #5: the edge inputs that reached a 5xx (or a wrong status) answer a clean 4xx in the dialect's envelope."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from libs.bus import MemoryBus
from libs.runtime import PlatformSettings
from tests.support.platform import API_KEY, gateway_for_tests, serving
from tests.unit.gateway.conftest import Platform

AUTH = {"X-API-Key": API_KEY}


@pytest.fixture
async def small_body_platform(tmp_path: Path) -> AsyncIterator[Platform]:
    bus = MemoryBus(service_name="test")
    gateway = gateway_for_tests(PlatformSettings(bus="memory", data_dir=tmp_path), bus, max_body_bytes=1000)
    async with serving(bus, [gateway]) as client:
        yield Platform(client=client, services=[gateway], bus=bus)


async def chunks() -> AsyncIterator[bytes]:
    yield b'{"text": "'
    for _ in range(10):
        yield b"x" * 500  # no Content-Length: only the streamed count can stop it


@pytest.mark.parametrize("path", ["/api/v1/analyze/sentiment", "/chat", "/cs/sessions", "/api/query"])
async def test_chunked_body_over_the_limit_is_413(small_body_platform: Platform, path: str) -> None:
    headers = {**AUTH, "Content-Type": "application/json"}
    resp = await small_body_platform.client.post(path, content=chunks(), headers=headers)
    assert resp.status_code == 413, resp.text
    assert "Request body too large" in resp.text


async def test_empty_session_token_header_is_400(platform: Platform) -> None:
    headers = {**AUTH, "X-Session-Token": ""}
    resp = await platform.client.post("/chat", json={"message": "hi", "user_id": "u1"}, headers=headers)
    assert resp.status_code == 400 and resp.json()["error"]["field"] == "x-session-token"


@pytest.mark.parametrize("offset", [2**63, 2**64 + 5])
async def test_review_queue_offset_is_bounded(platform: Platform, offset: int) -> None:
    resp = await platform.client.get("/api/v1/review/queue", params={"offset": offset}, headers=AUTH)
    assert resp.status_code == 400 and "offset" in resp.json()["details"]


async def test_truncated_multipart_body_is_refused(platform: Platform) -> None:
    boundary = "xyzBOUNDARY"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="a.txt"\r\n'
        "Content-Type: text/plain\r\n\r\nhello there, this upload stops mid-part"
    ).encode()  # no closing --boundary--
    headers = {**AUTH, "Content-Type": f"multipart/form-data; boundary={boundary}"}
    resp = await platform.client.post("/upload_docs", content=body, headers=headers)
    assert resp.status_code == 400 and "closing boundary" in resp.text
