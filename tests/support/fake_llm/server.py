"""Test helper: starts the fake provider server as a subprocess (so a test can SIGKILL it) and gives its URLs."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

REPO_ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class FakeLLMServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def openai_base_url(self) -> str:
        return f"{self.url}/openai/v1"

    @property
    def anthropic_base_url(self) -> str:
        return f"{self.url}/anthropic"

    @property
    def google_base_url(self) -> str:
        return f"{self.url}/google/"

    def start(self, wait_s: float = 20.0) -> FakeLLMServer:
        env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
        cmd = [sys.executable, "-m", "tests.support.fake_llm", "--port", str(self.port)]
        self._proc = subprocess.Popen(cmd, cwd=REPO_ROOT, env=env)
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{self.url}/_stats", timeout=0.5)
                return self
            except httpx.HTTPError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("fake LLM server did not start")

    def stats(self) -> dict[str, int]:
        return dict(httpx.get(f"{self.url}/_stats", timeout=2).json())

    def requests(self) -> list[str]:
        """Every provider request received so far: "<path> <body>" each."""
        return list(httpx.get(f"{self.url}/_requests", timeout=5).json())

    def reset(self) -> None:
        httpx.post(f"{self.url}/_reset", timeout=2)

    def kill(self) -> None:
        """SIGKILL: in-flight connections drop mid-call, as when a provider host dies."""
        if self._proc is not None and self._proc.poll() is None:
            self._proc.send_signal(signal.SIGKILL)
            self._proc.wait(timeout=5)

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                # uvicorn waits for in-flight slow/hanging requests; tests need not.
                self._proc.wait(timeout=1)
            except subprocess.TimeoutExpired:
                self.kill()
