"""A real S3-compatible server on 127.0.0.1 for the s3:// tests: moto's standalone server (`moto.server`, from PyPI:
S3's REST API in Python, with buckets and objects in memory). It checks credentials only when asked to
(`authenticate_after`: moto's INITIAL_NO_AUTH_ACTION_COUNT; after that many requests every key it does not know is
refused with AccessDenied, as S3 refuses a wrong key pair). MinIO would be the
closer server, but `go install github.com/minio/minio@latest` did not finish in the 10 minutes allowed on 2 shared
cores (services/training/README.md)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from tests.support.fake_llm.server import free_port

ACCESS_KEY, SECRET_KEY = "switchboard", "switchboard-secret-key"  # pragma: allowlist secret


def available() -> bool:
    return importlib.util.find_spec("moto") is not None and importlib.util.find_spec("flask") is not None


class MotoServer:
    def __init__(self, authenticate_after: int | None = None) -> None:
        self.authenticate_after = authenticate_after
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._dir = tempfile.TemporaryDirectory(prefix="moto-s3-")
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self, wait_s: float = 30.0) -> MotoServer:
        log_path = Path(self._dir.name) / "server.log"
        cmd = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)]
        env = dict(os.environ)
        if self.authenticate_after is not None:
            env["INITIAL_NO_AUTH_ACTION_COUNT"] = str(self.authenticate_after)
        with log_path.open("wb") as log:
            self._proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{self.endpoint}/moto-api/", timeout=0.5)
                return self
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"moto.server did not start: {log_path.read_text()[-2000:]}")

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
            self._proc = None
        self._dir.cleanup()
