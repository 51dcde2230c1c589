"""A real MongoDB-wire-protocol server for the motor adapter's tests where no `mongod` exists: FerretDB v1 on SQLite.

`python -m tests.support.ferretdb build` (run by `make install`) builds the Go module pinned in deploy/ferretdb/ with
the machine's Go toolchain and module proxy into ~/.cache/switchboard/ferretdb-<version>/. FerretDB's release builds
stamp their version into build/version/version.txt, which a module download lacks, so the build vendors the module
into a scratch folder and writes that file there. `FerretDB` runs one server on loopback over a scratch SQLite folder.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

VERSION = "v1.24.2"  # deploy/ferretdb/go.mod requires the same
MODULE = "github.com/FerretDB/FerretDB"
RECIPE = Path(__file__).resolve().parents[2] / "deploy" / "ferretdb"
BINARY = Path.home() / ".cache" / "switchboard" / f"ferretdb-{VERSION}" / "ferretdb"


def build() -> Path:
    """Build the pinned FerretDB once (a few minutes on 2 cores); a no-op when the binary exists."""
    if BINARY.exists():
        return BINARY
    if shutil.which("go") is None:
        raise RuntimeError("the Go toolchain is not installed (`go` not on PATH)")
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        for name in ("go.mod", "go.sum", "tools.go"):
            shutil.copy(RECIPE / name, work / name)
        _go(["mod", "vendor"], work)
        (work / "vendor" / MODULE / "build" / "version" / "version.txt").write_text(VERSION)
        partial = BINARY.with_suffix(".partial")
        BINARY.parent.mkdir(parents=True, exist_ok=True)
        _go(["build", "-mod=vendor", "-o", str(partial), f"{MODULE}/cmd/ferretdb"], work)
        partial.rename(BINARY)  # atomic: a half-written binary is never taken for a whole one
    return BINARY


def _go(args: list[str], cwd: Path) -> None:
    result = subprocess.run(["go", *args], cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-10:])
        raise RuntimeError(f"`go {' '.join(args)}` failed:\n{tail}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class FerretDB:
    """One FerretDB server on loopback, storing in SQLite files under `data_dir`."""

    data_dir: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"mongodb://127.0.0.1:{self.port}/"

    def start(self, timeout: float = 30.0) -> FerretDB:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        command = [
            str(BINARY),
            "--handler=sqlite",
            f"--sqlite-url=file:{self.data_dir}/",
            f"--state-dir={self.data_dir}",
            f"--listen-addr=127.0.0.1:{self.port}",
            "--debug-addr=-",
            "--telemetry=disable",
            "--log-level=warn",
        ]
        with (self.data_dir / "ferretdb.log").open("ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while not listens(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"FerretDB did not start; see {self.data_dir / 'ferretdb.log'}")
            time.sleep(0.1)
        return self

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def listens(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


if __name__ == "__main__":
    if sys.argv[1:] != ["build"]:
        sys.exit("usage: python -m tests.support.ferretdb build")
    try:
        print(f"FerretDB {VERSION}: {build()}")
    except RuntimeError as exc:  # the MongoDB conformance cases then skip, naming this reason
        print(f"switchboard: FerretDB not built, MongoDB conformance cases will skip: {exc}", file=sys.stderr)
