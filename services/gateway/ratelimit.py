"""Fixed-window rate limits per caller and route group, in Redis when configured, in memory otherwise."""

from __future__ import annotations

import math
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

    async def reset(self, key: str) -> None: ...

    async def hold(self, key: str, seconds: int) -> None:
        """Mark `key` for `seconds` (a lockout)."""

    async def held_for(self, key: str) -> int:
        """Seconds left on a mark made by `hold`, 0 when none."""


class MemoryCounters:
    """Single-process counters; windows are keyed by their start so expiry is a sweep of old keys."""

    def __init__(self) -> None:
        self._counts: dict[str, int] = {}
        self._holds: dict[str, float] = {}  # key -> epoch when the mark ends

    async def incr(self, key: str, ttl_seconds: int) -> int:
        if len(self._counts) > 100_000:
            self._counts.clear()
        self._counts[key] = self._counts.get(key, 0) + 1
        return self._counts[key]

    async def reset(self, key: str) -> None:
        self._counts.pop(key, None)

    async def hold(self, key: str, seconds: int) -> None:
        now = time.time()
        if len(self._holds) > 100_000:
            self._holds = {k: end for k, end in self._holds.items() if end > now}
        self._holds[key] = now + seconds

    async def held_for(self, key: str) -> int:
        return max(0, math.ceil(self._holds.get(key, 0) - time.time()))


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

    async def reset(self, key: str) -> None:
        await self._redis.delete(key)

    async def hold(self, key: str, seconds: int) -> None:
        await self._redis.set(key, 1, ex=seconds)

    async def held_for(self, key: str) -> int:
        return max(0, int(await self._redis.ttl(key)))  # -2 (no key) and -1 (no expiry) read as not held


class RateLimiter:
    def __init__(self, backend: CounterBackend, *, window_seconds: int = WINDOW_SECONDS) -> None:
        self._backend = backend
        self._window = window_seconds

    @property
    def backend(self) -> CounterBackend:
        return self._backend

    async def hit(self, subject: str, tier: str) -> Quota:
        """Count one request against the caller's hourly tier (seed 003); RateLimited past it."""
        return await self.hit_window(subject, TIER_LIMITS.get(tier, TIER_LIMITS["free"]), self._window)

    async def hit_window(self, key: str, limit: int, window_seconds: int) -> Quota:
        """Count one request in a fixed window of `window_seconds`; RateLimited (quota in details) past `limit`."""
        window_start = int(time.time()) // window_seconds * window_seconds
        reset = window_start + window_seconds
        count = await self._backend.incr(f"rl:{key}:{window_seconds}:{window_start}", window_seconds)
        quota = Quota(limit=limit, remaining=max(0, limit - count), reset_epoch=reset)
        if count > limit:
            raise RateLimited(
                "Rate limit exceeded", {"limit": limit, "reset": reset, "retry_after": max(1, reset - int(time.time()))}
            )
        return quota


def keep_tightest(request: Any, quota: Quota) -> None:
    """The response headers show the quota closest to running out among all that applied to the request."""
    current: Quota | None = getattr(request.state, "rate_limit", None)
    if current is None or quota.remaining < current.remaining:
        request.state.rate_limit = quota
