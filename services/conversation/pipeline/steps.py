"""Runs one named pipeline step under its deadline; records its time and, on failure, its fallback and why."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import TypeVar

from libs.errors import DomainError, PermanentError
from libs.observability import get_logger

T = TypeVar("T")
log = get_logger("conversation.pipeline")

# What a step may fail with and still leave the turn answerable: a typed error reply, a timeout, a contract
# that is not declared yet (PermanentError). Anything else is a bug and is left to the consumer loop.
DEGRADABLE = (DomainError, PermanentError, TimeoutError)
# Slack on top of a step's own deadline so the bus request's Timeout (not ours) is the usual outcome.
GRACE_S = 0.05


@dataclass
class StepLog:
    """Per-turn record of every step: milliseconds taken, and which steps fell back (in order)."""

    ms: dict[str, float] = field(default_factory=dict)
    degraded: list[str] = field(default_factory=list)
    why: dict[str, str] = field(default_factory=dict)

    async def run(self, name: str, work: Awaitable[T], fallback: T, deadline_s: float) -> T:
        started = time.perf_counter()
        try:
            async with asyncio.timeout(deadline_s + GRACE_S):
                return await work
        except DEGRADABLE as exc:
            self.degraded.append(name)
            self.why[name] = getattr(exc, "code", None) or type(exc).__name__
            log.warning("conversation.step_degraded", step=name, error=self.why[name])
            return fallback
        finally:
            self.ms[name] = round((time.perf_counter() - started) * 1000, 2)

    def skip(self, name: str) -> None:
        self.ms[name] = 0.0
