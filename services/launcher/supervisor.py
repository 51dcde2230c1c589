"""Runs the local stack as processes: Apache Kafka, then each service; restarts whichever dies; stops all on exit."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from libs.bus.local_kafka import KafkaSetupError, LocalKafka, free_port
from services.launcher.catalog import available_services
from services.launcher.credentials import Credentials

PR_SET_PDEATHSIG = 1
READY_TIMEOUT_S = 120.0


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
        self.logs = self.data_dir / "logs"
        self.broker = LocalKafka(self.data_dir / "kafka", port=kafka_port or free_port())
        self.broker_restarts: list[float] = []
        self.children: list[Child] = []

    @property
    def kafka_port(self) -> int:
        return self.broker.port

    def base_env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(self.credentials.env())
        env.update(
            {
                "SWITCHBOARD_BUS": "kafka",
                "SWITCHBOARD_KAFKA_BOOTSTRAP": self.broker.bootstrap,
                "SWITCHBOARD_DATA_DIR": str(self.data_dir),
                # The broker's minimum: a crashed service's partitions move to its restarted self within 6 s.
                "SWITCHBOARD_KAFKA_SESSION_TIMEOUT_MS": "6000",
                # One instance of each service: a restarted one reuses its reply topic instead of adding one.
                "SWITCHBOARD_INSTANCE_ID": "local",
                "PYTHONUNBUFFERED": "1",
            }
        )
        return env

    def start(self) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        self.broker.start()
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
        """Restart the broker or any service that died (each at most 5 times a minute, so a crash loop cannot spin)."""
        if not self.broker.running and _may_restart(self.broker_restarts):
            code = self.broker.process.returncode if self.broker.process is not None else None
            print(f"switchboard: Apache Kafka exited ({code}); restarting it on {self.broker.bootstrap}", flush=True)
            self.broker.process = None
            try:
                self.broker.start()
            except KafkaSetupError as exc:  # tried again on a later watch, up to the restart budget
                print(f"switchboard: {exc}", flush=True)
        for child in self.children:
            if child.process is None or child.process.poll() is None:
                continue
            if _may_restart(child.restarts):
                print(f"switchboard: {child.name} exited ({child.process.returncode}); restarting", flush=True)
                child.start()

    def stop(self) -> None:
        for child in reversed(self.children):
            child.stop()
        self.broker.stop()


def _may_restart(restarts: list[float]) -> bool:
    now = time.monotonic()
    restarts[:] = [t for t in restarts if now - t < 60]
    if len(restarts) >= 5:
        return False
    restarts.append(now)
    return True
