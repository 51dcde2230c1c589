"""Fixed-window rate limits per caller and route group, in Redis when configured, in memory otherwise."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Protocol

from libs.errors import RateLimited

WINDOW_SECONDS = 3600
# Requests per hour by API-key tier (seed 003); users on JWTs get "professional".
TIER_LIMITS = {"free": 100, "starter": 1_000, "professional": 10_000, "enterprise": 100_000}


@dataclass(frozen=True)
class Quota:
    limit: int
    remaining: int
    reset_epoch: int


class CounterBackend(Protocol):
    async def incr(self, key: str, ttl_seconds: int) -> int: ...


class MemoryCounters:
    """Single-process counters; windows are keyed by their start so expiry is a sweep of old keys."""

    def __init__(self) -> None:
        self._counts: dict[str, int] = {}

    async def incr(self, key: str, ttl_seconds: int) -> int:
        if len(self._counts) > 100_000:
            self._counts.clear()
        self._counts[key] = self._counts.get(key, 0) + 1
        return self._counts[key]


class RedisCounters:
    def __init__(self, client: Any) -> None:
        self._redis = client

    async def incr(self, key: str, ttl_seconds: int) -> int:
        # SET NX EX creates the window with its expiry exactly once (works on Redis 6, unlike EXPIRE NX).
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(key, 0, ex=ttl_seconds, nx=True)
            pipe.incr(key)
            _, count = await pipe.execute()
        return int(count)


class RateLimiter:
    def __init__(self, backend: CounterBackend, *, window_seconds: int = WINDOW_SECONDS) -> None:
        self._backend = backend
        self._window = window_seconds

    async def hit(self, subject: str, tier: str) -> Quota:
        """Count one request; raise RateLimited (with the quota in details) past the tier's limit."""
        limit = TIER_LIMITS.get(tier, TIER_LIMITS["free"])
        window_start = int(time.time()) // self._window * self._window
        reset = window_start + self._window
        count = await self._backend.incr(f"rl:{subject}:{window_start}", self._window)
        quota = Quota(limit=limit, remaining=max(0, limit - count), reset_epoch=reset)
        if count > limit:
            raise RateLimited("Rate limit exceeded", {"limit": limit, "reset": reset})
        return quota
