"""Load helpers for bench_turns: synthetic seed 001 turns and KB articles in, latency samples and CPU use out.

Also the baseline's bare FastAPI echo app (`uvicorn --factory tests.bench.turn_load:create_echo_app`)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Invented help articles: the local provider answers from the knowledge base, so turns that find one are
# "answered" and cacheable, as in a deployment with a populated KB (an empty KB makes every turn a miss).
ARTICLES: tuple[tuple[str, str, str], ...] = (
    ("Password reset", "account", "To reset your password open Settings, choose Security, then Reset password. "
     "We email a link that is valid for one hour; follow it and choose a new password of at least 12 characters."),
    ("Opening hours", "general", "Our support team is available Monday to Friday from 8am to 8pm and on Saturdays "
     "from 9am to 5pm. Chat answers around the clock; phone lines are closed on public holidays."),
    ("Refund policy", "billing", "Refunds are issued to the original payment method within 5 to 7 business days "
     "after we receive the returned item. Digital purchases can be refunded within 14 days if unused."),
    ("Shipping times", "orders", "Standard shipping takes 3 to 5 business days and express shipping 1 to 2. "
     "You can follow your parcel from the Orders page using the tracking link in the confirmation email."),
    ("Update billing details", "billing", "To change your billing address or payment card go to Account, then "
     "Billing, and choose Edit. Changes apply to the next invoice; past invoices keep the old address."),
    ("Cancel a subscription", "account", "You can cancel your subscription at any time from Account, then Plan, "
     "then Cancel plan. Access continues until the end of the paid period and no further charges are made."),
    ("Two-factor authentication", "security", "Turn on two-factor authentication under Settings, Security. Scan "
     "the QR code with an authenticator app and keep the backup codes somewhere safe in case you lose the phone."),
    ("Export your data", "account", "Download a copy of your data from Settings, Privacy, Export. The archive is "
     "prepared within an hour and a download link is sent by email; it stays valid for seven days."),
)  # fmt: skip

_OPENERS = ("Hi,", "Hello there.", "Quick question:", "Good morning.", "Hey team,", "Hello,", "Hi again.",
            "Excuse me,", "Good afternoon.", "Hi support,")  # fmt: skip
_QUESTIONS = (
    "how do I reset my password", "I forgot my password, what should I do", "where do I change my password",
    "what are your opening hours", "when is support available", "are you open on Saturdays",
    "how long does a refund take", "can I get a refund for a digital purchase", "when will my refund arrive",
    "how long does shipping take", "where can I track my parcel", "is express shipping available",
    "how do I change my billing address", "how can I update my payment card", "where do I edit billing details",
    "how do I cancel my subscription", "will I be charged after cancelling", "can I cancel my plan any time",
    "how do I turn on two-factor authentication", "what if I lose my authenticator phone", "where are backup codes",
    "how do I export my data", "how long is the export link valid", "can I download a copy of my data",
)  # fmt: skip
_PRODUCTS = ("on the mobile app", "on the website", "for my work account", "for my family plan", "on my tablet",
             "for the premium plan", "for the basic plan", "on my laptop", "for my second account", "in the portal",
             "for the student plan", "on the desktop app", "for my team", "for my shop",
             "on the new app version")  # fmt: skip
_CLOSERS = ("Thanks!", "Thank you.", "Appreciate it.", "Cheers.", "Thanks a lot.", "Many thanks.", "Thanks in advance.",
            "Much appreciated.")  # fmt: skip
# A few phrasings many customers type word for word: these are the turns the response cache can answer.
_COMMON = tuple(f"{q[0].upper()}{q[1:]}?" for q in _QUESTIONS[::2])


class QueryMix:
    """Mostly distinct phrasings (opener x question x product x closer = 28,800), plus a share of common ones."""

    def __init__(self, seed: int, common_share: float = 0.2) -> None:
        self._rng = random.Random(seed)
        self._common_share = common_share

    def next(self) -> str:
        rng = self._rng
        if rng.random() < self._common_share:
            return rng.choice(_COMMON)
        return f"{rng.choice(_OPENERS)} {rng.choice(_QUESTIONS)} {rng.choice(_PRODUCTS)}? {rng.choice(_CLOSERS)}"


@dataclass
class Samples:
    """Latencies (ms) of successful requests, failures by kind, and any JSON bodies kept for later figures."""

    latencies_ms: list[float] = field(default_factory=list)
    failures: Counter[str] = field(default_factory=Counter)
    bodies: list[dict[str, Any]] = field(default_factory=list)
    elapsed_s: float = 0.0

    @property
    def ok(self) -> int:
        return len(self.latencies_ms)

    def rate(self) -> float:
        return self.ok / self.elapsed_s if self.elapsed_s else 0.0

    def pct(self, p: float) -> float:
        return percentile(self.latencies_ms, p)

    def pct_offered(self, p: float) -> float:
        """Percentile over every request sent, a failed one counting as slower than any answer (inf)."""
        return percentile(self.latencies_ms + [float("inf")] * sum(self.failures.values()), p)


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile; NaN when there is nothing to rank."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


class Reply:
    """Status and body of one HTTP/1.1 response."""

    __slots__ = ("body", "status")

    def __init__(self, status: int, body: bytes) -> None:
        self.status, self.body = status, body

    def json(self) -> Any:
        return json.loads(self.body)


Conn = tuple[asyncio.StreamReader, asyncio.StreamWriter]


class HttpPool:
    """Keep-alive HTTP/1.1 connections on asyncio streams, at most `size` at once, one request per connection at a
    time. httpx.AsyncClient spends ~1 ms of CPU per request and its pool degrades past a few connections (50
    connections: about 100 requests/s against the echo here, with the client, not the server, on the CPU), so it
    would measure itself; this costs a small fraction of that and keeps the server the thing measured."""

    def __init__(self, host: str, port: int, size: int, timeout_s: float = 30.0) -> None:
        self.host, self.port, self.timeout_s = host, port, timeout_s
        self._idle: list[tuple[float, Conn]] = []
        self._slots = asyncio.Semaphore(size)
        self._head = f"Host: {host}:{port}\r\nContent-Type: application/json\r\n"

    async def post(self, path: str, payload: Any, headers: dict[str, str] | None = None) -> Reply:
        body = json.dumps(payload).encode()
        extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        request = f"POST {path} HTTP/1.1\r\n{self._head}{extra}Content-Length: {len(body)}\r\n\r\n".encode() + body
        async with self._slots:
            conn = self._reusable()
            if conn is not None:
                try:
                    return await self._send(conn, request)
                except (asyncio.IncompleteReadError, ConnectionError) as exc:
                    # The server closed an idle keep-alive connection as we used it: retry once on a fresh one.
                    if isinstance(exc, asyncio.IncompleteReadError) and exc.partial:
                        raise
            return await self._send(await asyncio.open_connection(self.host, self.port), request)

    def _reusable(self) -> Conn | None:
        """The most recently used idle connection; older ones may be near the server's keep-alive timeout (5 s)."""
        now = asyncio.get_running_loop().time()
        while self._idle:
            since, conn = self._idle.pop()
            if now - since < 2.0 and not conn[0].at_eof():
                return conn
            conn[1].close()
        return None

    async def _send(self, conn: Conn, request: bytes) -> Reply:
        try:
            reply, keep = await asyncio.wait_for(self._exchange(conn, request), self.timeout_s)
        except BaseException:
            conn[1].close()
            raise
        if keep:
            self._idle.append((asyncio.get_running_loop().time(), conn))
        else:
            conn[1].close()
        return reply

    @staticmethod
    async def _exchange(conn: Conn, request: bytes) -> tuple[Reply, bool]:
        reader, writer = conn
        writer.write(request)
        status = int((await reader.readuntil(b"\r\n")).split(b" ", 2)[1])
        length, chunked, keep = 0, False, True
        for line in (await reader.readuntil(b"\r\n\r\n")).split(b"\r\n"):
            name, _, value = line.partition(b":")
            name, value = name.strip().lower(), value.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding" and b"chunked" in value:
                chunked = True
            elif name == b"connection" and value == b"close":
                keep = False
        if not chunked:
            return Reply(status, await reader.readexactly(length)), keep
        parts = []
        while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
            parts.append(await reader.readexactly(size + 2))
        await reader.readuntil(b"\r\n")
        return Reply(status, b"".join(p[:-2] for p in parts)), keep

    async def aclose(self) -> None:
        for _, (_, writer) in self._idle:
            writer.close()
        self._idle.clear()


# One request: (pool, index) -> the reply; index lets the caller vary the body per request.
Send = Callable[[HttpPool, int], Awaitable[Reply]]
FAILURES = (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError, ValueError, IndexError)


async def _record(pool: HttpPool, send: Send, i: int, start: float, out: Samples, keep: bool) -> None:
    loop = asyncio.get_running_loop()
    try:
        response = await send(pool, i)
    except FAILURES as exc:
        out.failures[type(exc).__name__] += 1
        return
    if response.status != 200:
        out.failures[f"HTTP {response.status}"] += 1
        return
    out.latencies_ms.append((loop.time() - start) * 1000)
    if keep:
        out.bodies.append(response.json())


async def open_loop(
    pool: HttpPool, send: Send, *, rate: float, duration_s: float, drain_s: float = 12.0, keep: bool = True
) -> Samples:
    """Constant offered rate: request i starts at t0 + i/rate whatever happened to earlier ones, and its latency
    runs from that scheduled time, so time spent queued behind a slow system counts (no coordinated omission)."""
    loop, out = asyncio.get_running_loop(), Samples()
    t0 = loop.time() + 0.05
    tasks = []
    for i in range(int(rate * duration_s)):
        scheduled = t0 + i / rate
        delay = scheduled - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(_record(pool, send, i, scheduled, out, keep)))
    _, pending = await asyncio.wait(tasks, timeout=drain_s)
    for task in pending:
        task.cancel()
    if pending:
        out.failures["unfinished after drain"] += len(pending)
    out.elapsed_s = loop.time() - t0
    return out


async def closed_loop(pool: HttpPool, send: Send, *, clients: int, duration_s: float, keep: bool = True) -> Samples:
    """`clients` workers, each sending its next request as soon as the previous one answered, for duration_s."""
    loop, out = asyncio.get_running_loop(), Samples()
    counter = iter(range(10**9))
    started = loop.time()
    deadline = started + duration_s

    async def worker() -> None:
        while loop.time() < deadline:
            await _record(pool, send, next(counter), loop.time(), out, keep)

    await asyncio.gather(*(worker() for _ in range(clients)))
    out.elapsed_s = loop.time() - started
    return out


def create_echo_app() -> Any:
    """The baseline: one FastAPI route that parses a JSON body and returns it (no auth, no bus, no work)."""
    from fastapi import FastAPI

    app = FastAPI()

    @app.post("/echo")
    async def echo(body: dict[str, Any]) -> dict[str, Any]:
        return body

    return app


# -- CPU per process: which part of the stack is busy while it is saturated --
def processes_under(root: int) -> dict[int, str]:
    """pid -> short name of every descendant of `root` (services by module, others by program)."""
    parents: dict[int, int] = {}
    names: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            module = next((a.decode() for a in argv if a.startswith(b"services.")), None)
            names[int(entry.name)] = module or Path(argv[0].decode()).name
    found, frontier = {}, [root]
    while frontier:
        parent = frontier.pop()
        for pid, ppid in parents.items():
            if ppid == parent and pid in names:
                found[pid] = names[pid]
                frontier.append(pid)
    return found


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_snapshot(pids: dict[int, str]) -> dict[int, float]:
    return {pid: cpu_seconds(pid) for pid in pids} | {os.getpid(): time.process_time()}


def cpu_line(pids: dict[int, str], before: dict[int, float], after: dict[int, float], seconds: float) -> str:
    names = pids | {os.getpid(): "load client (this script)"}
    used = sorted(((after[p] - before[p]) / seconds, names[p]) for p in before if p in after)
    return ", ".join(f"{name.removeprefix('services.')} {cores:.2f}" for cores, name in reversed(used) if cores >= 0.01)


def is_zombie(pid: int) -> bool:
    with contextlib.suppress(OSError, IndexError):
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    return True
