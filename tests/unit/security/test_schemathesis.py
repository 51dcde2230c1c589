"""Issue 20 #7: schemathesis over every operation of /openapi.json (bounded examples) finds no 5xx.

The whole platform runs in a background thread on a real port (schemathesis calls over HTTP), every operation gets
a few generated requests with the operator's key, and any 5xx fails the test with its reproduction.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from libs.bus import MemoryBus
from libs.runtime import PlatformSettings, serve_forever
from tests.support.fuzz import fuzz_every_operation
from tests.unit.security.conftest import OPERATOR, build_stack

EXAMPLES_PER_OPERATION = 3  # ~160 requests: well inside the 2 minutes


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def platform_url(tmp_path: Path) -> Iterator[str]:
    port, ready, loop_box = _free_port(), threading.Event(), {}

    async def run() -> None:
        bus = MemoryBus(service_name="test")
        services = build_stack(PlatformSettings(bus="memory", data_dir=tmp_path), bus)
        for service in services:
            await service.start(start_bus=False)
        await bus.start()
        stop = asyncio.Event()
        loop_box["loop"], loop_box["stop"] = asyncio.get_running_loop(), stop
        ready.set()
        try:
            await serve_forever(services[-1].app, "127.0.0.1", port, stop)  # type: ignore[arg-type]
        finally:
            await bus.stop()
            for service in reversed(services):
                await service.stop(stop_bus=False)

    thread = threading.Thread(target=asyncio.run, args=(run(),), daemon=True)
    thread.start()
    assert ready.wait(120)
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            break
        except OSError:
            threading.Event().wait(0.05)
    yield url
    loop_box["loop"].call_soon_threadsafe(loop_box["stop"].set)
    thread.join(60)


def test_no_operation_answers_a_5xx(platform_url: str) -> None:
    fuzzed = fuzz_every_operation(platform_url, OPERATOR, examples=EXAMPLES_PER_OPERATION)
    assert fuzzed.operations >= 50
    assert fuzzed.server_errors == {}
    assert fuzzed.calls >= 2 * fuzzed.operations  # every operation was really exercised
