"""Document parsing in a separate worker process with a per-document CPU-time, memory and wall-clock budget.

A PDF is a program: a few KB can expand into megabytes of content-stream operators that every page re-runs, so a
7 KB file once held an indexing slot for 25 s of CPU. Each PDF is therefore parsed in its own short-lived process
whose limits the kernel enforces (RLIMIT_CPU, RLIMIT_AS) and which the parent kills at the wall-clock deadline;
a document over budget is refused as `too_costly` and nothing else in the service notices. The CPU budget grows
with the file's size (real text costs CPU in proportion to its bytes; an anomaly is a tiny file that costs much).
The other formats parse in linear time, but they go through the same worker: a parser defect or a pathological
input (deep JSON, a CSV of one huge field) then costs its own process, never the service's memory or loop.
"""

from __future__ import annotations

import multiprocessing
import resource
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from services.rag.models import Section
from services.rag.parsers import FileRejected, parse_file

MB = 1_000_000


@dataclass(frozen=True)
class ParseBudget:
    base_cpu_s: float = 2.0
    cpu_s_per_mb: float = 1.0
    max_cpu_s: float = 60.0
    memory_bytes: int = 1536 * 1024 * 1024  # address space of the worker, the interpreter included
    isolate: bool = True  # False only in tests that exercise the parsers themselves

    def cpu_s(self, size: int) -> int:
        return int(min(self.max_cpu_s, self.base_cpu_s + self.cpu_s_per_mb * size / MB)) or 1


def parse_document(
    filename: str, content_type: str | None, data: bytes, budget: ParseBudget
) -> tuple[str, list[Section]]:
    """parse_file in a budgeted worker process; FileRejected("too_costly") past the budget."""
    if not budget.isolate:
        return parse_file(filename, content_type, data)
    cpu_s = budget.cpu_s(len(data))
    # spawn: a fresh interpreter, so the limits apply to the parse alone and no parent state (threads, locks) leaks.
    ctx = multiprocessing.get_context("spawn")
    receive, send = ctx.Pipe(duplex=False)
    worker = ctx.Process(target=_work, args=(send, filename, content_type, data, cpu_s, budget.memory_bytes))
    worker.start()
    send.close()
    try:
        # The wall deadline also covers a worker stuck without using CPU; startup (~0.3 s) is not the file's fault.
        if not receive.poll(cpu_s * 2 + 5):
            raise _too_costly(filename)
        outcome, payload = receive.recv()
    except EOFError:  # killed by the kernel (SIGXCPU past the CPU limit) or died of MemoryError
        raise _too_costly(filename) from None
    finally:
        if worker.is_alive():
            worker.kill()
        worker.join()
        receive.close()
    if outcome == "rejected":
        raise FileRejected(payload[0], payload[1], filename)
    if outcome == "failed":
        raise _too_costly(filename)
    kind, sections = payload
    return str(kind), list(sections)


def _too_costly(filename: str) -> FileRejected:
    return FileRejected("too_costly", "the document needs more processing than its size allows", filename)


def _work(
    send: Connection, filename: str, content_type: str | None, data: bytes, cpu_s: int, memory_bytes: int
) -> None:
    """The worker process: limit itself, parse, send (outcome, payload) back."""
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s + 1))
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    result: tuple[str, Any]
    try:
        result = ("ok", parse_file(filename, content_type, data))
    except FileRejected as exc:
        result = ("rejected", (exc.reason, exc.message))
    except MemoryError:
        result = ("failed", "memory")
    send.send(result)
    send.close()
