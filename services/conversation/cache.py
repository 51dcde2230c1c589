"""Response cache: (tenant, tier, agent, normalized redacted query, knowledge version) -> a stored Answer dict.

Redis when SWITCHBOARD_REDIS_URL is set (shared by every conversation instance), else in process memory."""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from typing import Any, Protocol

from redis.exceptions import RedisError

from libs.observability import get_logger

log = get_logger("conversation.cache")


class CacheBackend(Protocol):
    async def get(self, key: str) -> str | None: ...

    async def set(self, key: str, value: str, ttl_s: int) -> None: ...

    async def aclose(self) -> None: ...


class MemoryBackend:
    """Bounded LRU with per-entry expiry (single process)."""

    def __init__(self, max_entries: int = 10_000) -> None:
        self._items: OrderedDict[str, tuple[float, str]] = OrderedDict()
        self._max = max_entries

    async def get(self, key: str) -> str | None:
        item = self._items.get(key)
        if item is None:
            return None
        expires, value = item
        if expires < time.monotonic():
            del self._items[key]
            return None
        self._items.move_to_end(key)
        return value

    async def set(self, key: str, value: str, ttl_s: int) -> None:
        self._items[key] = (time.monotonic() + ttl_s, value)
        self._items.move_to_end(key)
        while len(self._items) > self._max:
            self._items.popitem(last=False)

    async def aclose(self) -> None:
        self._items.clear()


class RedisBackend:
    def __init__(self, url: str) -> None:
        from redis.asyncio import Redis

        self._redis = Redis.from_url(url)

    async def get(self, key: str) -> str | None:
        value = await self._redis.get(key)
        return value.decode() if isinstance(value, bytes) else value

    async def set(self, key: str, value: str, ttl_s: int) -> None:
        await self._redis.set(key, value, ex=ttl_s)

    async def aclose(self) -> None:
        await self._redis.aclose()


class ResponseCache:
    """A cache outage is a miss, never a failed turn."""

    def __init__(self, backend: CacheBackend, *, ttl_s: int) -> None:
        self._backend = backend
        self._ttl = ttl_s

    async def get(self, key: str) -> dict[str, Any] | None:
        try:
            raw = await self._backend.get(key)
        except (RedisError, OSError) as exc:
            log.warning("conversation.cache_unavailable", op="get", error=type(exc).__name__)
            return None
        return json.loads(raw) if raw else None

    async def put(self, key: str, value: dict[str, Any]) -> None:
        try:
            await self._backend.set(key, json.dumps(value), self._ttl)
        except (RedisError, OSError) as exc:
            log.warning("conversation.cache_unavailable", op="set", error=type(exc).__name__)

    async def aclose(self) -> None:
        await self._backend.aclose()


def open_cache(redis_url: str | None, *, ttl_s: int) -> ResponseCache:
    return ResponseCache(RedisBackend(redis_url) if redis_url else MemoryBackend(), ttl_s=ttl_s)
