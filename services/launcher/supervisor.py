"""Runs the local stack as processes: tansu broker, then each service; restarts a crashed service; stops all on exit."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from libs.bus.tansu import start_tansu, wait_ready
from services.launcher.catalog import available_services
from services.launcher.credentials import Credentials

PR_SET_PDEATHSIG = 1
READY_TIMEOUT_S = 120.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:
    """Children get SIGTERM when the supervisor dies, even by kill -9: no orphans (Linux)."""
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6").prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class Child:
    name: str
    port: int
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    restarts: list[float] = field(default_factory=list)

    def start(self) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", f"services.{self.name}"],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,
        )

    def ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/ready", timeout=1) as resp:
                return bool(resp.status == 200)
        except OSError:
            return False

    def stop(self, grace_s: float = 10.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(grace_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class Stack:
    def __init__(self, data_dir: Path, gateway_port: int, credentials: Credentials, kafka_port: int | None) -> None:
        self.data_dir = data_dir.resolve()
        self.gateway_port = gateway_port
        self.credentials = credentials
        self.kafka_port = kafka_port or free_port()
        self.logs = self.data_dir / "logs"
        self.broker: subprocess.Popen[bytes] | None = None
        self.children: list[Child] = []

    def base_env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(self.credentials.env())
        env.update(
            {
                "SWITCHBOARD_BUS": "kafka",
                "SWITCHBOARD_KAFKA_BOOTSTRAP": f"127.0.0.1:{self.kafka_port}",
                "SWITCHBOARD_DATA_DIR": str(self.data_dir),
                "SWITCHBOARD_KAFKA_SESSION_TIMEOUT_MS": "2000",
                "SWITCHBOARD_KAFKA_FETCH_MAX_WAIT_MS": os.environ.get("SWITCHBOARD_KAFKA_FETCH_MAX_WAIT_MS", "20"),
                "PYTHONUNBUFFERED": "1",
            }
        )
        return env

    def start(self) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        self.broker = start_tansu(self.kafka_port, self.logs / "broker.log")
        wait_ready(self.kafka_port, timeout=30)
        for name in available_services():
            port = self.gateway_port if name == "gateway" else free_port()
            env = self.base_env() | {"SWITCHBOARD_HTTP_PORT": str(port), "SWITCHBOARD_GATEWAY_PORT": str(port)}
            child = Child(name, port, env, self.logs / f"{name}.log")
            child.start()
            self.children.append(child)
        self.wait_until_ready()

    def wait_until_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        pending = list(self.children)
        while pending:
            for child in list(pending):
                if child.process is not None and child.process.poll() is not None:
                    raise RuntimeError(f"{child.name} exited during start; see {child.log_path}")
                if child.ready():
                    pending.remove(child)
            if time.monotonic() > deadline:
                names = ", ".join(c.name for c in pending)
                raise RuntimeError(f"not ready after {READY_TIMEOUT_S:.0f}s: {names}; see {self.logs}")
            time.sleep(0.3)

    def watch_once(self) -> None:
        """Restart any child that died (at most 5 times a minute, so a crash loop does not spin)."""
        for child in self.children:
            if child.process is None or child.process.poll() is None:
                continue
            now = time.monotonic()
            child.restarts = [t for t in child.restarts if now - t < 60]
            if len(child.restarts) < 5:
                child.restarts.append(now)
                print(f"switchboard: {child.name} exited ({child.process.returncode}); restarting", flush=True)
                child.start()

    def stop(self) -> None:
        for child in reversed(self.children):
            child.stop()
        if self.broker is not None and self.broker.poll() is None:
            self.broker.terminate()
            try:
                self.broker.wait(5)
            except subprocess.TimeoutExpired:
                self.broker.kill()
