"""Soak: seed 001 turns at a steady rate through the whole stack for 10 minutes; errors, latency per minute, memory.

Prints, per minute, the turns answered, the errors and p50/p99 latency (open loop: latency counts from each scheduled
send), and every process's resident memory (the broker's JVM included) at the start, after the first minute (models
and caches warm) and at the end, with its growth since the first minute.
Figures only; nothing is asserted. `--minutes` and `--rate` shorten or change the run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path

from tests.bench.bench_turns import free_port, pool, spawn, stop, turn_sender, uptime, wait_until
from tests.bench.turn_load import QueryMix, Samples, open_loop, percentile, processes_under


def resident_mb(pid: int) -> float:
    """Resident set size from /proc (0 once the process is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def memory(stack_pid: int) -> dict[str, float]:
    return {name.removeprefix("services."): resident_mb(pid) for pid, name in processes_under(stack_pid).items()}


def minute_line(n: int, s: Samples) -> str:
    errors = sum(s.failures.values())
    if not s.latencies_ms:
        return f"minute {n:>2}: 0 answered, {errors} errors {dict(s.failures)}"
    p50, p99 = percentile(s.latencies_ms, 50), percentile(s.latencies_ms, 99)
    detail = f" {dict(s.failures)}" if errors else ""
    answered = f"minute {n:>2}: {len(s.latencies_ms):>5} answered, {errors} errors{detail}"
    return f"{answered}, p50 {p50:6.1f} ms, p99 {p99:7.1f} ms"


async def soak(
    port: int, key: str, rate: float, minutes: int, stack_pid: int
) -> tuple[list[Samples], dict[str, float]]:
    """Per-minute samples, and every process's memory after the first minute (caches and models warm by then)."""
    send = turn_sender(key, f"soak{int(time.time())}-", QueryMix(seed=7))
    per_minute: list[Samples] = []
    warm: dict[str, float] = {}
    async with pool(port, 256) as http:
        for _ in range(minutes):
            per_minute.append(await open_loop(http, send, rate=rate, duration_s=60.0, keep=False))
            warm = warm or memory(stack_pid)
    return per_minute, warm


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rate", type=float, default=20.0, help="offered turns/s")
    parser.add_argument("--minutes", type=int, default=10, help="length of the soak")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-soak-") as tmp:
        data_dir, port = Path(tmp), free_port()
        stack = spawn(
            ["-m", "services.launcher.cli", "up", "--port", str(port), "--data-dir", tmp], data_dir / "up.log"
        )
        try:
            wait_until(lambda: b"Switchboard is up" in (data_dir / "up.log").read_bytes(), stack, "switchboard up")
            key = json.loads((data_dir / "credentials.json").read_text())["api_key"]
            before = memory(stack.pid)
            offered = f"{args.rate:.0f} turns/s offered (seed 001 POST /api/query, route limits off)"
            print(f"soak: {offered}, {args.minutes} min")
            print(f"   {uptime()}")
            per_minute, warm = asyncio.run(soak(port, key, args.rate, args.minutes, stack.pid))
            after = memory(stack.pid)
        finally:
            stop(stack)
    for n, samples in enumerate(per_minute, start=1):
        print(minute_line(n, samples))
    total_errors = sum(sum(s.failures.values()) for s in per_minute)
    print(
        f"errors in all: {total_errors}; resident memory MB at start -> after minute 1 -> end (growth from minute 1):"
    )
    for name in sorted(before):
        start, settled, end = before[name], warm.get(name, 0.0), after.get(name, 0.0)
        growth = (end - settled) / settled * 100 if settled else float("nan")
        print(f"   {name:<28} {start:7.1f} -> {settled:7.1f} -> {end:7.1f} ({growth:+.1f} %)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
