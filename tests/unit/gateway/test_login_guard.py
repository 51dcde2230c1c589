"""Issue 20 #2: login is throttled per account and per IP with an exponential lockout and Retry-After; argon2
runs off the event loop; an unknown user and a wrong password cost the same and read the same."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from argon2 import PasswordHasher

from libs.errors import Unauthorized
from libs.store import open_store
from services.gateway.auth import Identity
from services.gateway.login_guard import ACCOUNT_LOCKOUT, Lockout
from tests.unit.gateway.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, Platform

LOGIN = "/api/v1/auth/login"


async def attempt(platform: Platform, username: str, password: str) -> tuple[int, dict[str, object], str | None]:
    resp = await platform.client.post(LOGIN, json={"username": username, "password": password})
    return resp.status_code, resp.json(), resp.headers.get("Retry-After")


async def test_account_is_locked_after_repeated_failures_even_for_the_right_password(platform: Platform) -> None:
    for _ in range(ACCOUNT_LOCKOUT.free_failures - 1):
        assert (await attempt(platform, ADMIN_EMAIL, "wrong password"))[0] == 401
    status, body, retry = await attempt(platform, ADMIN_EMAIL, "wrong password")
    assert status == 401  # the failure that starts the lockout still answers as a failure
    status, body, retry = await attempt(platform, ADMIN_EMAIL, ADMIN_PASSWORD)
    assert status == 429 and body["status_code"] == 429
    assert retry is not None and int(retry) == ACCOUNT_LOCKOUT.base_seconds


async def test_unknown_account_and_wrong_password_read_the_same(platform: Platform) -> None:
    known = [await attempt(platform, ADMIN_EMAIL, "wrong password") for _ in range(6)]
    unknown = [await attempt(platform, "nobody@example.com", "wrong password") for _ in range(6)]
    assert [(s, b["message"], r) for s, b, r in known] == [(s, b["message"], r) for s, b, r in unknown]


async def test_success_clears_the_account_count(platform: Platform) -> None:
    for _ in range(2):
        for _ in range(ACCOUNT_LOCKOUT.free_failures - 1):
            assert (await attempt(platform, ADMIN_EMAIL, "wrong password"))[0] == 401
        assert (await attempt(platform, ADMIN_EMAIL, ADMIN_PASSWORD))[0] == 200


async def test_one_ip_guessing_many_accounts_is_locked_out(platform: Platform) -> None:
    statuses = [(await attempt(platform, f"user{n}@example.com", "guess"))[0] for n in range(21)]
    assert statuses[:20] == [401] * 20 and statuses[20] == 429


def test_lockout_doubles_up_to_its_cap() -> None:
    policy = Lockout(free_failures=3, base_seconds=2, max_seconds=60)
    assert [policy.seconds_after(n) for n in range(1, 10)] == [0, 0, 2, 4, 8, 16, 32, 60, 60]
    assert policy.seconds_after(10_000) == 60


class CountingHasher(PasswordHasher):
    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=1024)
        self.verified = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        self.verified += 1
        return super().verify(hash, password)


async def test_unknown_user_costs_one_verification_like_a_known_one() -> None:
    hasher = CountingHasher()
    identity = Identity(open_store(database="g"), jwt_secret="s" * 40, jwt_ttl=timedelta(minutes=5), hasher=hasher)
    await identity.create_user(tenant_id="t", email="a@b.io", password="long enough", roles=["agent"])
    for username in ("a@b.io", "missing@b.io"):
        before = hasher.verified
        try:
            await identity.login(username, "wrong password")
        except Unauthorized as exc:
            assert exc.message == "Invalid credentials"
        assert hasher.verified == before + 1


async def test_password_hashing_does_not_block_the_event_loop() -> None:
    # The production cost (argon2-cffi defaults: ~50-200 ms of CPU per hash).
    identity = Identity(open_store(database="g"), jwt_secret="s" * 40, jwt_ttl=timedelta(minutes=5))
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.001)
            ticks += 1

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0)
    await identity.create_user(tenant_id="t", email="a@b.io", password="long enough", roles=["agent"])
    task.cancel()
    # On the loop the hash would allow no tick at all while it ran; in a thread the loop keeps turning.
    assert ticks >= 5
