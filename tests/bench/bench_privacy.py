"""Privacy bench: anonymizes ~300-char messages and scrubs log lines; prints p50/p95, messages/s and the ratio
against Presidio's default engine (same spaCy model) measured in the same run.

Run: `python -m tests.bench.bench_privacy [--n 300] [--seconds 4]`.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import statistics
import time
from collections.abc import Callable
from typing import Any

TEMPLATES = [
    "Hi, my name is {name} and my account number is {acct}. My phone number is {phone}. I was charged twice "
    "for the same order last week and the card ending in 1111 was debited again today. Please refund the "
    "duplicate payment and email me at {email} once done. Thanks!",
    "Hello, this is {name}. I moved to {street} and need my billing address updated before the next "
    "statement. You can reach me on {phone} in the afternoon. Also my card {card} expired so please "
    "send a replacement card to the new address.",
]
FILL = [
    {
        "name": "John Smith",
        "acct": "1234567890",
        "phone": "555-123-4567",
        "email": "john.smith@example.com",
        "street": "221 Baker Street, London",
        "card": "4111 1111 1111 1111",
    },
    {
        "name": "Ana Dias",
        "acct": "9876543210",
        "phone": "+44 20 7946 0958",
        "email": "ana.dias@mail.example.org",
        "street": "1072 Pohlstrasse 9, Berlin",
        "card": "5500 0000 0000 0004",
    },
]


def messages(count: int) -> list[str]:
    out = []
    for i in range(count):
        text = TEMPLATES[i % len(TEMPLATES)].format(**FILL[(i // 2) % len(FILL)])
        out.append(text[:300].ljust(300, "."))
    return out


def ours() -> Callable[[str], object]:
    from services.privacy.domain import anonymize

    return lambda text: anonymize(text, keep_mapping=True)


def presidio_default() -> Callable[[str], object]:
    from presidio_anonymizer import AnonymizerEngine

    from services.privacy.pii import build_presidio_default_analyzer

    analyzer, anonymizer = build_presidio_default_analyzer(), AnonymizerEngine()

    def run(text: str) -> object:
        results = analyzer.analyze(text=text, language="en")
        return anonymizer.anonymize(text=text, analyzer_results=results)  # type: ignore[arg-type]

    return run


FACTORIES = {"switchboard": ours, "presidio-default": presidio_default}


def latency(fn: Callable[[str], object], msgs: list[str]) -> tuple[float, float]:
    for m in msgs[:20]:
        fn(m)  # warm-up: first calls pay spaCy and regex caches
    times = []
    for m in msgs:
        t0 = time.perf_counter()
        fn(m)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def _worker(name: str, seconds: float, queue: Any) -> None:
    fn, msgs = FACTORIES[name](), messages(64)
    for m in msgs[:10]:
        fn(m)
    done, deadline = 0, time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        fn(msgs[done % len(msgs)])
        done += 1
    queue.put(done / seconds)


def throughput(name: str, procs: int, seconds: float) -> float:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    workers = [ctx.Process(target=_worker, args=(name, seconds, queue)) for _ in range(procs)]
    for w in workers:
        w.start()
    rates = [queue.get() for _ in workers]
    for w in workers:
        w.join()
    return sum(rates)


def bench_scrubber() -> None:
    from libs.observability.pii_scrub import scrub_pii

    plain = {"event": "message handled", "topic": "conversation.commands", "latency_ms": 12.5, "partition": 3}
    pii = {"event": "reply to jane@example.com at 555-123-4567 from 10.0.0.1", "card": "4111 1111 1111 1111"}
    for label, event in (("no PII", plain), ("with PII", pii)):
        n = 20_000
        t0 = time.perf_counter()
        for _ in range(n):
            scrub_pii(None, "info", dict(event))
        us = (time.perf_counter() - t0) / n * 1e6
        print(f"  log scrub ({label:8}): {us:6.1f} µs/line")
    long = "x" * 10_000 + " 555-123-4567 " + "y" * 10_000
    t0 = time.perf_counter()
    scrub_pii(None, "info", {"event": long})
    print(f"  log scrub (20 kB line): {(time.perf_counter() - t0) * 1e3:6.2f} ms")


def main() -> None:
    ap = argparse.ArgumentParser(description="privacy bench")
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--seconds", type=float, default=4.0)
    ap.add_argument("--procs", type=int, default=2)
    args = ap.parse_args()
    msgs = messages(args.n)
    print(f"anonymize: {args.n} messages of {len(msgs[0])} chars")
    p50s = {}
    for name, factory in FACTORIES.items():
        t0 = time.perf_counter()
        fn = factory()
        load = time.perf_counter() - t0
        p50, p95 = latency(fn, msgs)
        p50s[name] = p50
        print(f"  {name:17} load {load:5.2f} s   p50 {p50:6.2f} ms   p95 {p95:6.2f} ms")
    print(f"  p50 ratio presidio-default / switchboard: {p50s['presidio-default'] / p50s['switchboard']:.2f}x")
    rates = {}
    for name in FACTORIES:
        rates[name] = throughput(name, args.procs, args.seconds)
        print(f"  {name:17} {rates[name]:7.0f} messages/s on {args.procs} processes")
    print(f"  throughput ratio switchboard / presidio-default: {rates['switchboard'] / rates['presidio-default']:.2f}x")
    bench_scrubber()


if __name__ == "__main__":
    main()
