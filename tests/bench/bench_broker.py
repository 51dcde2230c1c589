"""The local Apache Kafka node's own cost: KafkaBus request/reply round trips with a no-op handler, one at a time,
on a fresh `LocalKafka`, from its first request on (a stack is measured minutes after it starts, while the JVM
is still compiling the broker's hot paths).

Prints, per window of round trips: latency p50/p90/p99, the broker's CPU ms per round trip (its /proc
counters: user + system, all JVM threads, compiler threads included) and this process's (both buses), then the
broker's CPU per second while idle, and the load average beside each line (the machine is shared: compare runs
made side by side).

Run: python -m tests.bench.bench_broker [--windows 6] [--window 1000] [--jvm-flag=-XX:TieredStopAtLevel=4 ...]
(a --jvm-flag goes after LocalKafka's own flags, so it overrides them: e.g. TieredStopAtLevel=4 brings C2 back)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from libs.bus import Envelope, KafkaBus
from libs.bus.local_kafka import KAFKA_VERSION, LocalKafka
from libs.contracts.models.privacy import AnonymizeResultV1, AnonymizeV1

TEXT = "Hi, my card was charged twice for order 1234, can you help me get a refund?"


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process, all threads (fields 14 and 15 of /proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def no_op(_: Envelope) -> AnonymizeResultV1:
    return AnonymizeResultV1(anonymized_text="ok", pii_detected=[], entities=[])


async def measure(broker: LocalKafka, windows: int, window: int) -> None:
    assert broker.process is not None
    pid = broker.process.pid
    server = KafkaBus(broker.bootstrap, service_name="privacy", instance_id="bench-server")
    server.subscribe("privacy.commands", group="privacy", handler=no_op)
    client = KafkaBus(broker.bootstrap, service_name="conversation", instance_id="bench-client")
    await server.start()
    await client.start()
    command = AnonymizeV1(text=TEXT, keep_mapping=False, store_originals=False)
    done = 0
    try:
        for _ in range(windows):
            before, mine, took = cpu_s(pid), time.process_time(), []
            for _ in range(window):
                sent = time.perf_counter()
                await client.request("privacy.commands", command, key=f"k{done}", tenant_id="bench", timeout=10)
                took.append((time.perf_counter() - sent) * 1000)
                done += 1
            spent = (cpu_s(pid) - before) * 1000 / window
            ours = (time.process_time() - mine) * 1000 / window
            took.sort()
            print(
                f"round trips {done - window + 1:>6}-{done:<6} ms p50 {statistics.median(took):5.2f} "
                f"p90 {took[int(window * 0.9)]:5.2f} p99 {took[int(window * 0.99)]:6.2f}; broker CPU ms per round "
                f"trip {spent:.2f}, both buses' {ours:.2f}; load {os.getloadavg()[0]:.1f}",
                flush=True,
            )
        before = cpu_s(pid)
        await asyncio.sleep(5)
        print(f"idle (2 buses connected): broker CPU {(cpu_s(pid) - before) * 1000 / 5:.0f} ms per second")
    finally:
        await client.stop()
        await server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--windows", type=int, default=6, help="windows of round trips measured")
    parser.add_argument("--window", type=int, default=1000, help="round trips per window")
    parser.add_argument("--jvm-flag", action="append", default=[], help="extra JVM flag, after LocalKafka's own")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-broker-") as tmp:
        broker = LocalKafka(Path(tmp), jvm_flags=tuple(args.jvm_flag))
        started = time.monotonic()
        broker.start()
        flags = " ".join(args.jvm_flag) or "none"
        print(f"Apache Kafka {KAFKA_VERSION} (LocalKafka, extra JVM flags: {flags}) ready in "
              f"{time.monotonic() - started:.1f} s; {os.cpu_count()} cores")  # fmt: skip
        try:
            asyncio.run(measure(broker, args.windows, args.window))
        finally:
            broker.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
