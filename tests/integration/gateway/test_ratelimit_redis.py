"""Rate limits on a real Redis server: counts are shared by gateway replicas and the window resets."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

from libs.errors import RateLimited
from services.gateway.login_guard import ACCOUNT_LOCKOUT, LoginGuard
from services.gateway.ratelimit import RateLimiter, RedisCounters
from tests.support.redis_server import running_redis

pytestmark = pytest.mark.integration


@pytest.fixture
async def redis_client(tmp_path: Path) -> AsyncIterator[Redis]:
    with running_redis(tmp_path) as url:
        client = Redis.from_url(url)
        yield client
        await client.aclose()


async def test_two_gateway_replicas_share_one_budget(redis_client: Redis) -> None:
    replica_a = RateLimiter(RedisCounters(redis_client))
    replica_b = RateLimiter(RedisCounters(redis_client))
    for i in range(100):
        quota = await (replica_a if i % 2 else replica_b).hit("key_1", "free")
    assert quota.remaining == 0 and quota.limit == 100
    with pytest.raises(RateLimited):
        await replica_a.hit("key_1", "free")
    other = await replica_b.hit("key_2", "free")
    assert other.remaining == 99


async def test_window_expires_in_redis(redis_client: Redis) -> None:
    limiter = RateLimiter(RedisCounters(redis_client), window_seconds=3600)
    quota = await limiter.hit("key_ttl", "starter")
    keys = [k async for k in redis_client.scan_iter("rl:key_ttl:*")]
    assert len(keys) == 1
    ttl = await redis_client.ttl(keys[0])
    assert 0 < ttl <= 3600 and quota.reset_epoch % 3600 == 0


async def test_login_lockout_is_shared_by_replicas_in_redis(redis_client: Redis) -> None:
    replica_a, replica_b = LoginGuard(RedisCounters(redis_client)), LoginGuard(RedisCounters(redis_client))
    for i in range(ACCOUNT_LOCKOUT.free_failures):
        await (replica_a if i % 2 else replica_b).failed("a@b.io", f"10.0.0.{i}")
    with pytest.raises(RateLimited) as refused:
        await replica_b.check("a@b.io", "10.0.0.99")
    assert refused.value.details["retry_after"] == ACCOUNT_LOCKOUT.base_seconds
    await replica_a.check("other@b.io", "10.0.0.99")  # another account from a fresh IP is untouched
    await replica_a.succeeded("a@b.io")
    assert not await redis_client.keys("login:fail:account:*")  # success cleared the count
