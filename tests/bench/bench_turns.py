"""Seed 001 POST /api/query turns through the whole stack (`switchboard up` as processes) against a bare FastAPI echo.

Prints latency at a constant 100 turns/s (open loop), peak turns/s with 50 clients (closed loop), the echo
baseline's requests/s and p50 measured in the same run, their ratio, where a turn's time goes (per-step timings
from the conversation.MessageReplied events) and CPU per process. Prints figures; never asserts them.

Run: python -m tests.bench.bench_turns [--rate 100] [--seconds 15] [--clients 50]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import itertools
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition

from libs.bus.local_kafka import KAFKA_VERSION
from libs.contracts.registry import default_registry
from tests.bench.turn_load import (
    ARTICLES,
    FAILURES,
    HttpPool,
    QueryMix,
    Reply,
    Samples,
    closed_loop,
    cpu_line,
    cpu_snapshot,
    is_zombie,
    open_loop,
    percentile,
    processes_under,
)

REPO = Path(__file__).resolve().parents[2]
ENV = {"SWITCHBOARD_GATEWAY_ROUTE_LIMITS": "false", "PYTHONUNBUFFERED": "1"}
TARGETS = "p50 <= 20 ms and p99 <= 80 ms at 100 turns/s; peak >= 300 turns/s on 2 cores"
LONE_TARGET = (15.0, 40.0)  # issue 13: one client, one turn at a time, idle stack on Apache Kafka: p50, p99 ms


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:
    """The stack and the echo server get SIGTERM if this script dies, even by kill -9: no orphans (Linux)."""
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6").prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def spawn(args: list[str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, *args], cwd=REPO, stdout=out, stderr=subprocess.STDOUT,
            env={**os.environ, **ENV}, preexec_fn=_die_with_parent,
        )  # fmt: skip


def wait_until(check: Any, process: subprocess.Popen[bytes], what: str, timeout_s: float = 180) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        with contextlib.suppress(httpx.HTTPError, OSError):
            if check():
                return
        time.sleep(0.3)
    raise TimeoutError(f"{what} not ready after {timeout_s:.0f} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


# -- where a turn's time goes, from the conversation.MessageReplied events the stack published --
async def step_timings(bootstrap: str, prefixes: tuple[str, ...]) -> dict[str, dict[str, list[float]]]:
    """prefix -> step -> per-turn ms of the turns (session id starting with prefix) the conversation service had
    finished by now, gateway still waiting or not; their count under "turns". Reads up to today's end offsets only:
    a backlog still being worked off keeps appending events."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False)
    await consumer.start()
    found: dict[str, dict[str, list[float]]] = {p: defaultdict(list) for p in prefixes}
    try:
        partitions = default_registry().partitions("conversation.events")
        parts = [TopicPartition("conversation.events", p) for p in range(partitions)]
        consumer.assign(parts)
        await consumer.seek_to_beginning(*parts)
        ends, deadline = await consumer.end_offsets(parts), time.monotonic() + 20
        while [tp for tp, end in ends.items() if await consumer.position(tp) < end] and time.monotonic() < deadline:
            for records in (await consumer.getmany(timeout_ms=1000, max_records=5000)).values():
                for record in records:
                    event = json.loads(record.value)
                    if event.get("type", "").startswith("conversation.MessageReplied"):
                        _add_steps(found, event["data"])
    finally:
        await consumer.stop()
    return found


def _add_steps(found: dict[str, dict[str, list[float]]], data: dict[str, Any]) -> None:
    for prefix in (p for p in found if data["session_id"].startswith(p)):
        found[prefix]["turns"].append(1.0)
        for step, ms in (data.get("step_ms") or {}).items():
            found[prefix][step].append(float(ms))


def steps_line(steps: dict[str, list[float]]) -> str:
    medians = sorted(((statistics.median(v), k) for k, v in steps.items() if v and k != "turns"), reverse=True)
    timings = ", ".join(f"{k} {m:.0f}" for m, k in medians) or "no events read"
    return f"{timings}  (from {len(steps.get('turns', []))} MessageReplied events of this phase)"


def wasted_line(s: Samples, steps: dict[str, list[float]]) -> str:
    """Turns the conversation service finished beyond those answered: work for requests that had already failed
    (what an overload wastes; expired PostMessage deadlines are dropped instead of finished)."""
    finished = len(steps.get("turns", []))
    wasted = max(0, finished - s.ok)
    share = f"{wasted / finished:.0%}" if finished else "n/a"
    return f"turns finished by the conversation service: {finished}, of which {wasted} ({share}) for failed requests"


# -- the run --
def turn_sender(key: str, prefix: str, mix: QueryMix) -> Any:
    auth = {"Authorization": f"Bearer {key}"}

    async def send(pool: HttpPool, i: int) -> Reply:
        body = {"query": mix.next(), "session_id": f"{prefix}{i}", "customer_id": f"cust_{prefix}{i % 500}"}
        return await pool.post("/api/query", body, auth)

    return send


async def echo_send(pool: HttpPool, i: int) -> Reply:
    return await pool.post("/echo", {"query": "What are your hours?", "session_id": f"s{i}", "customer_id": "c"})


@contextlib.asynccontextmanager
async def pool(port: int, connections: int) -> AsyncIterator[HttpPool]:
    opened = HttpPool("127.0.0.1", port, connections)
    try:
        yield opened
    finally:
        await opened.aclose()


def describe(name: str, s: Samples) -> str:
    line = (
        f"{name}: {s.ok} ok in {s.elapsed_s:.1f} s = {s.rate():.0f}/s; answered ones: latency ms p50 {s.pct(50):.1f} "
        f"p90 {s.pct(90):.1f} p99 {s.pct(99):.1f}"
    )
    if not s.failures:
        return line
    offered = "/".join(f"{s.pct_offered(p):.0f}" for p in (50, 90, 99)).replace("inf", "failed")
    return f"{line}\n   failed {sum(s.failures.values())} {dict(s.failures)}; all sent: p50/p90/p99 ms {offered}"


def turn_mix(s: Samples) -> str:
    if not s.bodies:
        return "no answers"
    n = len(s.bodies)
    cached = sum(1 for b in s.bodies if b.get("cached"))
    escalated = sum(1 for b in s.bodies if b.get("escalated"))
    reasons = dict(Counter(str(b.get("escalation_reason")) for b in s.bodies if b.get("escalated")).most_common(3))
    models = dict(Counter(str(b.get("model_used")) for b in s.bodies).most_common(3))
    inside = percentile([float(b["response_time_ms"]) for b in s.bodies], 50)
    return (
        f"cached {cached / n:.0%}, escalated {escalated / n:.0%} {reasons}, models {models}\n   conversation-side "
        f"response_time_ms p50 {inside:.0f} (the rest of an answered turn's latency: gateway, bus hops, queueing)"
    )


async def seed_articles(http: HttpPool, key: str) -> None:
    for title, category, content in ARTICLES:
        body = {"title": title, "content": content, "category": category, "tags": [category]}
        reply = await http.post("/api/v1/knowledge-base", body, {"Authorization": f"Bearer {key}"})
        if reply.status != 200:
            raise RuntimeError(f"seeding the knowledge base failed: HTTP {reply.status}")


async def settle(http: HttpPool, send: Any, limit_s: float = 25.0) -> float:
    """Wait until a single turn answers within 2 s again, so the peak phase does not inherit the steady phase's
    backlog (turns the gateway gave up on still sit in the service queues); returns the seconds waited."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    for i in itertools.count():
        sent = loop.time()
        with contextlib.suppress(*FAILURES):
            if (await send(http, i)).status == 200 and loop.time() - sent < 2.0:
                break
        if loop.time() - started > limit_s:
            break
        await asyncio.sleep(0.5)
    return loop.time() - started


async def measure(args: argparse.Namespace, port: int, echo_port: int, key: str, stack_pid: int) -> dict[str, Any]:
    """Echo baseline, then the closed-loop peak, then the open-loop steady rate: the closed loop leaves at most
    `clients` turns queued, while an open loop beyond capacity leaves a backlog the stack needs minutes to clear."""
    tag, mix, loads = uuid.uuid4().hex[:6], QueryMix(seed=7), [uptime()]
    async with pool(echo_port, args.clients) as echo_http:
        await closed_loop(echo_http, echo_send, clients=args.clients, duration_s=2, keep=False)
        echo = await closed_loop(echo_http, echo_send, clients=args.clients, duration_s=args.echo_seconds, keep=False)
    pids = processes_under(stack_pid)
    async with pool(port, args.clients) as http:
        await seed_articles(http, key)
        # One client at a time on an idle stack: the latency floor (bus hops and steps, no queueing).
        await closed_loop(http, turn_sender(key, f"bl{tag}-", mix), clients=1, duration_s=2)
        loads.append(uptime())
        before = cpu_snapshot(pids)
        lone = await closed_loop(http, turn_sender(key, f"bl{tag}-", mix), clients=1, duration_s=args.lone_seconds)
        # CPU ms per turn (the "cores" of cpu_line over turns/1000 seconds): what one turn costs each process.
        lone_cpu = cpu_line(pids, before, cpu_snapshot(pids), max(lone.ok, 1) / 1000)
        await closed_loop(http, turn_sender(key, f"bw{tag}-", mix), clients=args.clients, duration_s=args.warmup)
        before = cpu_snapshot(pids)
        send = turn_sender(key, f"bc{tag}-", mix)
        peak = await closed_loop(http, send, clients=args.clients, duration_s=args.seconds)
        cpu = cpu_line(pids, before, cpu_snapshot(pids), peak.elapsed_s)
        loads.append(uptime())
        settled = await settle(http, turn_sender(key, f"bs{tag}-", mix))
    # Open loop: enough connections that the client never holds a due request back (its wait would count anyway).
    async with pool(port, 1024) as http:
        steady = await open_loop(http, turn_sender(key, f"bo{tag}-", mix), rate=args.rate, duration_s=args.seconds)
    loads.append(uptime())
    return {
        "echo": echo, "lone": lone, "lone_cpu": lone_cpu, "steady": steady, "peak": peak, "cpu": cpu, "tag": tag,
        "settled": settled, "loads": loads,
    }  # fmt: skip


def report(args: argparse.Namespace, got: dict[str, Any], steps: dict[str, Any]) -> None:
    echo, steady, peak = got["echo"], got["steady"], got["peak"]
    ratio = peak.rate() / echo.rate() if echo.rate() else float("nan")
    print(
        f"machine: {os.cpu_count()} cores (shared with the load client); `uptime` at start, at 0., after 2., after 1.:"
    )
    for line in got["loads"]:
        print(f"   {line}")
    print(
        f"stack: switchboard up (processes, Apache Kafka {KAFKA_VERSION}) with SWITCHBOARD_GATEWAY_ROUTE_LIMITS=false,"
    )
    print("       so seed 001's")
    print("       60 requests/min per client IP on /api/query does not throttle the benchmark (API-key tier still on)")
    print(f"0. one client, one turn at a time on an idle stack, {args.lone_seconds:.0f} s (fetch wait "
          f"{os.environ.get('SWITCHBOARD_KAFKA_FETCH_MAX_WAIT_MS', '500')} ms)")  # fmt: skip
    print("   " + describe("turns", got["lone"]))
    print(f"   step ms p50: {steps_line(steps['bl'])}")
    print(f"   CPU ms per turn per process: {got['lone_cpu']}")
    lone, (p50, p99) = got["lone"], LONE_TARGET
    met = lone.pct(50) <= p50 and lone.pct(99) <= p99 and not lone.failures
    print(f"   target: p50 <= {p50:.0f} ms and p99 <= {p99:.0f} ms -> {'met' if met else 'not met'} in this run")
    print(f"1. steady {args.rate:.0f} turns/s offered, open loop, {args.seconds:.0f} s (after the warm-up and 2.;")
    print(f"   the stack had drained 2.'s queue in {got['settled']:.0f} s; latency counts from each scheduled send)")
    print("   " + describe("turns", steady))
    print("   " + turn_mix(steady))
    print(f"   step ms p50: {steps_line(steps['bo'])}")
    print("   " + wasted_line(steady, steps["bo"]))
    print(f"2. peak, {args.clients} clients, closed loop, {args.seconds:.0f} s after a {args.warmup:.0f} s warm-up")
    print("   " + describe("turns", peak))
    print("   " + turn_mix(peak))
    print(f"   step ms p50: {steps_line(steps['bc'])}")
    print(f"   CPU cores busy per process: {got['cpu']}")
    print(f"3. baseline: bare FastAPI echo (uvicorn defaults), {args.clients} clients, {args.echo_seconds:.0f} s")
    print("   " + describe("echo", echo))
    print(f"4. peak turns/s / echo requests/s = {peak.rate():.1f} / {echo.rate():.0f} = {ratio:.4f}")
    meets = steady.pct_offered(50) <= 20 and steady.pct_offered(99) <= 80 and peak.rate() >= 300
    print(f"   targets: {TARGETS} -> {'met' if meets else 'not met'} in this run")


def run_phases(
    args: argparse.Namespace,
    data_dir: Path,
    stack: subprocess.Popen[bytes],
    echo: subprocess.Popen[bytes],
    ports: tuple[int, int, int],
) -> dict[str, Any]:
    port, kafka_port, echo_port = ports
    started = time.monotonic()
    wait_until(lambda: b"Switchboard is up" in (data_dir / "up.log").read_bytes(), stack, "switchboard up")
    wait_until(lambda: httpx.post(f"http://127.0.0.1:{echo_port}/echo", json={}).status_code == 200, echo, "echo")
    print(f"stack up in {time.monotonic() - started:.0f} s; measuring for about 90 s", flush=True)
    key = json.loads((data_dir / "credentials.json").read_text())["api_key"]
    got = asyncio.run(measure(args, port, echo_port, key, stack.pid))
    tag = got["tag"]
    phases = ("bl", "bo", "bc")
    found = asyncio.run(step_timings(f"127.0.0.1:{kafka_port}", tuple(f"{p}{tag}-" for p in phases)))
    got["steps"] = {p: found[f"{p}{tag}-"] for p in phases}
    return got


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rate", type=float, default=100.0, help="offered turns/s in the steady phase")
    parser.add_argument("--seconds", type=float, default=15.0, help="length of each measured turn phase")
    parser.add_argument("--warmup", type=float, default=3.0, help="closed-loop warm-up before the peak phase")
    parser.add_argument("--echo-seconds", type=float, default=10.0, help="length of the echo baseline phase")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients in the closed-loop phases")
    parser.add_argument("--lone-seconds", type=float, default=5.0, help="length of the one-client phase")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-turns-") as tmp:
        data_dir = Path(tmp)
        port, kafka_port, echo_port = free_port(), free_port(), free_port()
        up = ["-m", "services.launcher.cli", "up", "--port", str(port), "--data-dir", tmp, "--kafka-port"]
        stack = spawn([*up, str(kafka_port)], data_dir / "up.log")
        echo_args = ["--factory", "tests.bench.turn_load:create_echo_app", "--log-level", "warning", "--no-access-log"]
        echo = spawn(["-m", "uvicorn", *echo_args, "--port", str(echo_port)], data_dir / "echo.log")
        try:
            got = run_phases(args, data_dir, stack, echo, (port, kafka_port, echo_port))
        except (RuntimeError, TimeoutError):
            print((data_dir / "up.log").read_text()[-3000:], file=sys.stderr)
            raise
        finally:
            services = processes_under(stack.pid)
            started = time.monotonic()
            stop(echo)
            stop(stack)
            left = [name for pid, name in services.items() if Path(f"/proc/{pid}").exists() and not is_zombie(pid)]
        print(f"stack stopped with SIGINT in {time.monotonic() - started:.1f} s; still running after: {left or 'none'}")
        report(args, got, got["steps"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
