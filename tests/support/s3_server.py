"""A real S3-compatible server on 127.0.0.1 for the s3:// tests: MinIO when its binary has been built
(`python -m tests.support.s3_server build`, from the Go module proxy into ~/.cache/switchboard/minio/), and
moto's standalone server (`moto.server`, from PyPI: S3's REST API in Python, no credential checks) otherwise or
as well. `available()` names the ones this machine has; tests are parametrized over them and name which one ran."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from tests.support.fake_llm.server import free_port

MINIO = Path.home() / ".cache" / "switchboard" / "minio" / "minio"
ACCESS_KEY, SECRET_KEY = "switchboard", "switchboard-secret-key"  # pragma: allowlist secret


def available() -> list[str]:
    kinds = ["minio"] if MINIO.exists() else []
    if importlib.util.find_spec("moto") is not None and importlib.util.find_spec("flask") is not None:
        kinds.append("moto")
    return kinds


class S3Server:
    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._dir = tempfile.TemporaryDirectory(prefix=f"s3-{kind}-")
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def checks_credentials(self) -> bool:
        return self.kind == "minio"  # moto's server accepts any key pair

    def start(self, wait_s: float = 30.0) -> S3Server:
        data = Path(self._dir.name)
        if self.kind == "minio":
            env = {**os.environ, "MINIO_ROOT_USER": ACCESS_KEY, "MINIO_ROOT_PASSWORD": SECRET_KEY}
            cmd = [str(MINIO), "server", str(data / "data"), "--address", f"127.0.0.1:{self.port}",
                   "--console-address", f"127.0.0.1:{free_port()}", "--quiet"]  # fmt: skip
        else:
            env = dict(os.environ)
            cmd = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)]
        log = (data / "server.log").open("wb")
        self._proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{self.endpoint}/minio/health/live" if self.kind == "minio" else self.endpoint, timeout=0.5)
                return self
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.kind} did not start: {(data / 'server.log').read_text()[-2000:]}")

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


def build() -> Path:
    """`go install github.com/minio/minio` (pinned below) into ~/.cache/switchboard/minio/; a no-op when present."""
    if MINIO.exists():
        return MINIO
    if shutil.which("go") is None:
        raise RuntimeError("the Go toolchain is not installed (`go` not on PATH)")
    env = {**os.environ, "GOBIN": str(MINIO.parent)}
    MINIO.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["go", "install", f"github.com/minio/minio@{MINIO_VERSION}"], env=env, check=True)
    return MINIO


MINIO_VERSION = "latest"

if __name__ == "__main__" and sys.argv[1:] == ["build"]:
    print(build())
