"""The local Apache Kafka broker: run the pinned classpath (libs/bus/kafka_setup.py) as one KRaft node on loopback.

`python -m libs.bus.local_kafka fetch` (run by `make install`) resolves `deploy/kafka/pom.xml` into the cache once;
`LocalKafka` formats a data folder on first start, starts the JVM with a bounded heap, waits until it takes
producers, and stops it cleanly. Nothing is downloaded when a broker starts.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import ctypes
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from libs.bus.kafka_setup import (
    HOST,
    INSTALL_HINT,
    KAFKA_VERSION,
    LOG4J2_YAML,
    NODE_ID,
    KafkaSetupError,
    classpath_dir,
    fetch,
    is_fetched,
    kafka_home,
    server_properties,
)

# What the launcher, the tests and the benches import from here; installation and configuration are kafka_setup's.
__all__ = ["KAFKA_VERSION", "KafkaSetupError", "LocalKafka", "fetch", "free_port", "is_fetched", "kafka_home"]

HEAP_MB = 512
PR_SET_PDEATHSIG = 1


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:
    """The JVM gets SIGTERM when its parent dies, even by kill -9: no orphan broker (Linux)."""
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6").prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class LocalKafka:
    """One Apache Kafka node (broker + controller) whose log lives under `data_dir`; restartable on the same port."""

    data_dir: Path
    port: int = field(default_factory=free_port)
    controller_port: int = field(default_factory=free_port)
    heap_mb: int = HEAP_MB
    overrides: dict[str, object] = field(default_factory=dict)
    jvm_flags: tuple[str, ...] = ()  # after the defaults, so they override them (tests/bench/bench_broker.py)
    process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        return f"{HOST}:{self.port}"

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "log"

    @property
    def log_path(self) -> Path:
        return self.data_dir / "broker.log"

    def start(self, timeout: float = 60.0) -> LocalKafka:
        if shutil.which("java") is None:
            raise KafkaSetupError(f"no Java runtime found. {INSTALL_HINT}")
        if not is_fetched():
            missing = f"Apache Kafka {KAFKA_VERSION} is not installed in {kafka_home()}"
            raise KafkaSetupError(f"{missing}; run `make install`.")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        config = self._write_config()
        self._format_once(config)
        with self.log_path.open("ab") as log_file:  # the child keeps its own copy of the descriptor
            self.process = subprocess.Popen(
                [*self._java(), "kafka.Kafka", str(config)],
                stdout=log_file,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                preexec_fn=_die_with_parent,
            )
        self.wait_ready(timeout)
        return self

    def stop(self, grace_s: float = 20.0) -> None:
        """SIGTERM: the broker flushes its log and closes cleanly; killed only past `grace_s`."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(grace_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def kill(self) -> None:
        """kill -9, as a crash would: for fault tests."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()

    def restart(self) -> None:
        self.stop()
        self.start()

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def wait_ready(self, timeout: float) -> None:
        """Block until the node answers a metadata request with itself as a live broker."""
        deadline = time.monotonic() + timeout
        while True:
            if self.process is not None and self.process.poll() is not None:
                raise KafkaSetupError(self._exit_message())
            if _broker_answers_now(self.bootstrap):
                return
            if time.monotonic() > deadline:
                late = f"Apache Kafka not ready on {self.bootstrap} after {timeout:g}s"
                raise KafkaSetupError(f"{late}; see {self.log_path}")
            time.sleep(0.2)

    # -- internals ---------------------------------------------------------------------------------------------
    def _java(self) -> list[str]:
        return [
            "java",
            # The whole heap reserved and touched at start, as production brokers run: resident memory is flat
            # from the first minute instead of creeping toward -Xmx (which a soak would read as a leak).
            f"-Xmx{self.heap_mb}m",
            f"-Xms{self.heap_mb}m",
            "-XX:+AlwaysPreTouch",
            "-XX:+UseG1GC",
            "-XX:MaxGCPauseMillis=20",
            # C1 only: C2 recompiles the broker's hot paths for minutes after a start, and on a 2-core machine its
            # compiler threads take the CPU from the turn in flight. Measured (KafkaBus no-op request/reply, cold
            # broker, first 6,000 round trips): JVM CPU 1.97 -> 0.94 ms per round trip, p90 5.0 -> 2.2 ms; fully
            # warmed, C2 is ~0.26 ms cheaper per round trip, which pays its compiling back only after ~28,000.
            # This node serves dev stacks, tests and benches; production brokers run the image's own flags.
            "-XX:TieredStopAtLevel=1",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={self.data_dir / 'log4j2.yaml'}",
            *self.jvm_flags,
            "-cp",
            f"{classpath_dir()}/*",
        ]

    def _write_config(self) -> Path:
        (self.data_dir / "log4j2.yaml").write_text(LOG4J2_YAML)
        config = self.data_dir / "server.properties"
        config.write_text(server_properties(self.log_dir, self.port, self.controller_port, self.overrides))
        return config

    def _format_once(self, config: Path) -> None:
        """Format an empty log folder; accept one this node formatted; refuse anything else, naming the folder."""
        meta = self.log_dir / "meta.properties"
        if meta.exists():
            if f"node.id={NODE_ID}" not in meta.read_text(errors="replace"):
                foreign = f"{self.log_dir} holds another Kafka node's log (node.id differs)"
                raise KafkaSetupError(f"{foreign}; use another --data-dir")
            return
        if self.log_dir.exists() and any(self.log_dir.iterdir()):
            unknown = f"{self.log_dir} is not empty and is not a Kafka log folder"
            raise KafkaSetupError(f"{unknown}; move it or use another --data-dir")
        cluster_id = _kafka_uuid()
        result = subprocess.run(
            [*self._java(), "kafka.tools.StorageTool", "format", f"--cluster-id={cluster_id}", "-c", str(config)],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise KafkaSetupError(f"formatting {self.log_dir} failed: {(result.stdout + result.stderr).strip()[-500:]}")

    def _exit_message(self) -> str:
        code = self.process.returncode if self.process is not None else None
        tail = self.log_path.read_text(errors="replace").strip().splitlines()[-8:] if self.log_path.exists() else []
        errors = [line for line in tail if "ERROR" in line or "Exception" in line] or tail
        detail = "\n  ".join(errors[-4:])
        return f"Apache Kafka exited with code {code} (data dir {self.data_dir}):\n  {detail}"


def _kafka_uuid() -> str:
    """A cluster id in Kafka's format: 16 random bytes, URL-safe base64 without padding. Like Kafka's own
    Uuid.randomUuid, never one that starts with "-" (a command line would read it as an option)."""
    while True:
        value = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not value.startswith("-"):
            return value


def _broker_answers_now(bootstrap: str) -> bool:
    """Ask on a thread of its own, so that callers already inside an event loop (tests) can wait too."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, _broker_answers(bootstrap)).result()


def _listens(bootstrap: str) -> bool:
    host, port = bootstrap.rsplit(":", 1)
    try:
        with socket.create_connection((host, int(port)), timeout=0.5):
            return True
    except OSError:
        return False


async def _broker_answers(bootstrap: str) -> bool:
    from aiokafka.admin import AIOKafkaAdminClient
    from aiokafka.errors import KafkaError

    if not _listens(bootstrap):  # spares aiokafka's connection-refused log lines while the JVM starts
        return False
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=2000)
    try:
        await asyncio.wait_for(admin.start(), 3)
        cluster = await asyncio.wait_for(admin.describe_cluster(), 3)
        return bool(cluster.get("brokers"))
    except (KafkaError, OSError, TimeoutError):
        return False
    finally:
        with contextlib.suppress(Exception):
            await admin.close()


def main(argv: list[str]) -> int:
    if argv[:1] != ["fetch"]:
        print("usage: python -m libs.bus.local_kafka fetch", file=sys.stderr)
        return 2
    try:
        path = fetch()
    except KafkaSetupError as exc:
        print(f"switchboard: {exc}", file=sys.stderr)
        return 1
    print(f"Apache Kafka {KAFKA_VERSION}: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
