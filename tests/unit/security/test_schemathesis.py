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

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase

from libs.bus import MemoryBus
from libs.runtime import PlatformSettings, serve_forever
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
    schema = schemathesis.openapi.from_url(f"{platform_url}/openapi.json")
    server_errors: dict[str, str] = {}
    calls = 0
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 50

    for operation in operations:

        @hypothesis.settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @hypothesis.given(case=operation.as_strategy())
        def check(case: schemathesis.Case) -> None:
            nonlocal calls
            resp = case.call(base_url=platform_url, headers=OPERATOR, timeout=60)
            calls += 1
            if resp.status_code >= 500:
                server_errors.setdefault(case.operation.label, f"{resp.status_code}: {case.as_curl_command()}"[:400])

        check()
    assert server_errors == {}
    assert calls >= 2 * len(operations)  # every operation was really exercised
