"""The SDK's tests run against the real platform: `switchboard up --inproc` (every service, one process) on a free port.

One stack per test session (about 10 s to start); its credentials come from the data folder it creates.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[3]
OWN_CREDENTIALS = {
    "SWITCHBOARD_ADMIN_EMAIL",
    "SWITCHBOARD_ADMIN_PASSWORD",
    "SWITCHBOARD_JWT_SECRET",
    "SWITCHBOARD_API_KEY",
    "SWITCHBOARD_BASE_URL",
    "SWITCHBOARD_GATEWAY_PORT",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Stack:
    url: str
    api_key: str
    admin_email: str
    admin_password: str


def _wait_ready(url: str, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"switchboard up --inproc exited with {process.returncode}")
        try:
            if httpx.get(f"{url}/ready", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise TimeoutError("stack not ready")


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    data_dir = tmp_path_factory.mktemp("switchboard-sdk")
    port = free_port()
    # The stack makes its own credentials; a developer's exported ones must not leak into it.
    env = {k: v for k, v in os.environ.items() if k not in OWN_CREDENTIALS}
    log = (data_dir / "stack.log").open("wb")
    command = [sys.executable, "-m", "services.launcher.cli", "up", "--inproc", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--data-dir", str(data_dir)],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url, process, timeout=90)
        creds = json.loads((data_dir / "credentials.json").read_text())
        yield Stack(url, creds["api_key"], creds["admin_email"], creds["admin_password"])
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
