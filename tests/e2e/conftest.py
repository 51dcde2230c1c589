"""Runs `switchboard up` as a real process tree (broker + services) on free ports for the whole e2e session."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def children_of(pid: int) -> list[tuple[int, str]]:
    """(pid, cmdline) of the direct children of `pid`, read from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == pid:
                cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                found.append((int(entry.name), cmd))
        except (OSError, ValueError, IndexError):
            continue
    return found


@dataclass
class Stack:
    url: str
    kafka: str
    process: subprocess.Popen[bytes]
    credentials: dict[str, str]
    data_dir: Path

    def service_pid(self, name: str) -> int:
        for pid, cmd in children_of(self.process.pid):
            if f"services.{name}" in cmd:
                return pid
        raise LookupError(name)

    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.credentials['api_key']}"}


def _wait_ready(url: str, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"switchboard up exited with {process.returncode}")
        try:
            if httpx.get(f"{url}/ready", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise TimeoutError("stack not ready")


def launch(
    data_dir: Path,
    port: int | None = None,
    kafka_port: int | None = None,
    env: dict[str, str] | None = None,
    args: Sequence[str] = (),
) -> Stack:
    """`switchboard up [args]` on `data_dir` (`env` added to this process's environment); returns once every service
    reported ready (the banner is printed)."""
    port, kafka_port = port or _free_port(), kafka_port or _free_port()
    log_path = data_dir / "up.log"
    with log_path.open("ab") as log:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "services.launcher.cli",
                "up",
                "--port",
                str(port),
                "--data-dir",
                str(data_dir),
                "--kafka-port",
                str(kafka_port),
                *args,
            ],
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
            # As `make run`: the seed 001 /api/test/* endpoints are on.
            env={**os.environ, "PYTHONUNBUFFERED": "1", "SWITCHBOARD_GATEWAY_TEST_ENDPOINTS": "1", **(env or {})},
        )
    url = f"http://127.0.0.1:{port}"
    banners = log_path.read_bytes().count(b"Switchboard is up")
    try:
        _wait_ready(url, process, timeout=180)
        deadline = time.monotonic() + 120
        while log_path.read_bytes().count(b"Switchboard is up") == banners:
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(log_path.read_text())
            time.sleep(0.3)
    except BaseException:
        shut_down(process)
        raise
    creds = json.loads((data_dir / "credentials.json").read_text())
    return Stack(url=url, kafka=f"127.0.0.1:{kafka_port}", process=process, credentials=creds, data_dir=data_dir)


def shut_down(process: subprocess.Popen[bytes]) -> int:
    """Ctrl-C, as a person would; killed only if it has not stopped within 30 s. Returns the exit code."""
    process.send_signal(signal.SIGINT)
    try:
        return process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait()


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    started = launch(tmp_path_factory.mktemp("switchboard"))
    try:
        yield started
    finally:
        shut_down(started.process)
