"""Login throttling: failed logins per account and per client IP, each with an exponential lockout.

A few failures are free (typos); past them every further failure doubles the lockout, up to a cap. Unknown
accounts count exactly like known ones, so a lockout reveals nothing about which emails exist. While locked,
even the right password is refused with 429 and `Retry-After`; a successful login clears the account's count.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from libs.errors import RateLimited
from services.gateway.ratelimit import CounterBackend

FAILURE_MEMORY_S = 3600  # failures are counted in windows of this length


@dataclass(frozen=True)
class Lockout:
    free_failures: int
    base_seconds: int
    max_seconds: int

    def seconds_after(self, failures: int) -> int:
        """The lockout after `failures` failed logins: 0 while free, then base, 2×base, 4×base … up to the cap."""
        if failures < self.free_failures:
            return 0
        return min(self.max_seconds, self.base_seconds * 2 ** min(failures - self.free_failures, 20))


ACCOUNT_LOCKOUT = Lockout(free_failures=5, base_seconds=2, max_seconds=900)
# One IP may sit in front of many people (an office), so it gets more free failures before its own lockout.
IP_LOCKOUT = Lockout(free_failures=20, base_seconds=2, max_seconds=900)


class LoginGuard:
    def __init__(
        self, backend: CounterBackend, *, account: Lockout = ACCOUNT_LOCKOUT, ip: Lockout = IP_LOCKOUT
    ) -> None:
        self._backend = backend
        self._account = account
        self._ip = ip

    async def check(self, username: str, ip: str) -> None:
        """RateLimited (with retry_after) while the account or the IP is locked out."""
        wait = max(
            await self._backend.held_for(_key("lock", "account", username)),
            await self._backend.held_for(_key("lock", "ip", ip)),
        )
        if wait > 0:
            raise RateLimited("Too many failed logins; try again later", {"retry_after": wait})

    async def failed(self, username: str, ip: str) -> None:
        for kind, subject, policy in (("account", username, self._account), ("ip", ip, self._ip)):
            failures = await self._backend.incr(_failures_key(kind, subject), FAILURE_MEMORY_S)
            seconds = policy.seconds_after(failures)
            if seconds:
                await self._backend.hold(_key("lock", kind, subject), seconds)

    async def succeeded(self, username: str) -> None:
        await self._backend.reset(_failures_key("account", username))


def _failures_key(kind: str, subject: str) -> str:
    # Counted per window (as the rate limits are), so old failures age out on every backend, memory included.
    return f"{_key('fail', kind, subject)}:{int(time.time()) // FAILURE_MEMORY_S}"


def _key(what: str, kind: str, subject: str) -> str:
    # Hashed, so emails and addresses never sit in Redis in clear.
    digest = hashlib.sha256(subject.lower().encode()).hexdigest()[:32]
    return f"login:{what}:{kind}:{digest}"
