"""A real tansu broker for tests: `Broker` (start, stop, restart on the same port) and pytest fixtures."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from libs.bus.tansu import HOST, free_port, start_tansu, stop_tansu, wait_ready


@dataclass
class Broker:
    """One tansu process on a fixed port; `restart()` keeps the port (its memory storage starts empty)."""

    log_path: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        return f"{HOST}:{self.port}"

    def start(self) -> Broker:
        self.process = start_tansu(self.port, self.log_path)
        wait_ready(self.port, timeout=30, process=self.process)
        return self

    def stop(self) -> None:
        if self.process is not None:
            stop_tansu(self.process)
            self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()


@pytest.fixture(scope="session")
def tansu_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Broker]:
    """One broker for the whole session: tests use unique topic/group names (see `unique`)."""
    broker = Broker(tmp_path_factory.mktemp("tansu") / "broker.log").start()
    try:
        yield broker
    finally:
        broker.stop()


@pytest.fixture
def own_broker(tmp_path: Path) -> Iterator[Broker]:
    """A broker of the test's own, for tests that stop or restart it."""
    broker = Broker(tmp_path / "broker.log").start()
    try:
        yield broker
    finally:
        broker.stop()
