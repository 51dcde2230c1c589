"""Fake-server behaviour chosen by the requested model name: model string in, failure/latency plan out.

fail-429*   always 429 (Retry-After-Ms: 20)        fail-500*  always 500
flaky*      odd-numbered requests 500, even ones succeed (one SDK retry recovers)
slow*       waits 30 s before answering (timeouts)  hang-stream*  sends one delta, then waits 30 s
*pii*       the reply contains an e-mail address   anything else answers at once
"""

from __future__ import annotations

import asyncio
import hashlib
import math
from collections import Counter
from dataclasses import dataclass, field

SLOW_S = 30.0


@dataclass
class Stats:
    requests: Counter[str] = field(default_factory=Counter)


def failure_status(model: str, stats: Stats, key: str) -> int | None:
    stats.requests[key] += 1
    if "fail-429" in model:
        return 429
    if "fail-500" in model:
        return 500
    if "flaky" in model and stats.requests[key] % 2 == 1:
        return 500
    return None


async def maybe_slow(model: str) -> None:
    if model.startswith("slow"):
        await asyncio.sleep(SLOW_S)


def reply_text(model: str, prompt: str) -> str:
    words = len(prompt.split())
    text = f"Thanks for your question. This is {model} answering a {words}-word prompt with a short reply."
    if "pii" in model:
        text += " Write to jane.doe@example.com for details."
    return text


def count_tokens(text: str) -> int:
    return max(1, len(text.split()))


def chunks(text: str, size: int = 4) -> list[str]:
    words = text.split(" ")
    return [("" if i == 0 else " ") + " ".join(words[i : i + size]) for i in range(0, len(words), size)]


def vector(text: str, dims: int) -> list[float]:
    """Deterministic unit vector from the text hash, so equal texts embed equally."""
    seed = hashlib.sha256(text.encode()).digest()
    raw = [((seed[i % len(seed)] + i * 31) % 255) / 127.0 - 1.0 for i in range(dims)]
    norm = math.sqrt(sum(v * v for v in raw)) or 1.0
    return [v / norm for v in raw]
