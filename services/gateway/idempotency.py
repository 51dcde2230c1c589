"""`Idempotency-Key` on every POST, in every dialect: the key is claimed BEFORE the route runs.

A first request claims `(credential, method, path, key)` as *running* (Redis `SET NX`, else process memory), runs,
and stores its answer (status, body) when that answer is final; a retry with the same key while it runs waits
for it, after it ran gets the stored answer (`Idempotent-Replayed: true`), and after it failed with an error that
means "nothing was done" (5xx, 401/403/429) runs again. The same key with another body is refused with 422 in
the dialect's envelope. Why claim first: a record written only after the work lets a retry that arrives during
it (a client timeout, a crash) run the work a second time.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import time
import uuid
from dataclasses import dataclass
from typing import Any, Protocol

import orjson
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from libs.bus.envelope import derived_id
from services.gateway.dialects import dialect_for_path

HEADER = b"idempotency-key"
MAX_KEY_CHARS = 200
MAX_STORED_BYTES = 1_000_000
DONE_TTL_S = 24 * 3600
# Answers that say nothing was done: the next try with the key runs the request again.
RETRYABLE = {401, 403, 408, 429}
POLL_S = 0.05
# Creates nothing, and its answer is a credential that must not be kept at rest: never replayed.
EXEMPT_PATHS = frozenset({"/api/v1/auth/login"})


class Records(Protocol):
    async def claim(self, key: str, record: dict[str, Any], ttl_s: float) -> bool: ...
    async def get(self, key: str) -> dict[str, Any] | None: ...
    async def put(self, key: str, record: dict[str, Any], ttl_s: float) -> None: ...
    async def drop(self, key: str) -> None: ...


class MemoryRecords:
    """One process's records (a single gateway instance; several instances need Redis).

    Bounded: past `capacity` records the expired ones go, then the oldest (a done record forgotten early means a
    very late retry runs again; without a bound every keyed POST was held, with its answer, for a day)."""

    def __init__(self, capacity: int = 10_000) -> None:
        self._items: dict[str, tuple[float, dict[str, Any]]] = {}
        self._capacity = capacity

    def _store(self, key: str, record: dict[str, Any], ttl_s: float) -> None:
        items = self._items
        items.pop(key, None)  # re-inserted at the end: insertion order is age order
        items[key] = (time.monotonic() + ttl_s, record)
        if len(items) <= self._capacity:
            return
        now = time.monotonic()
        for old in [k for k, (until, _) in items.items() if until < now]:
            del items[old]
        while len(items) > self._capacity:
            del items[next(iter(items))]

    def _live(self, key: str) -> dict[str, Any] | None:
        found = self._items.get(key)
        if found is None or found[0] < time.monotonic():
            self._items.pop(key, None)
            return None
        return found[1]

    async def claim(self, key: str, record: dict[str, Any], ttl_s: float) -> bool:
        if self._live(key) is not None:
            return False
        self._store(key, record, ttl_s)
        return True

    async def get(self, key: str) -> dict[str, Any] | None:
        return self._live(key)

    async def put(self, key: str, record: dict[str, Any], ttl_s: float) -> None:
        self._store(key, record, ttl_s)

    async def drop(self, key: str) -> None:
        self._items.pop(key, None)


class RedisRecords:
    """Shared by every gateway instance; `SET NX PX` makes the claim atomic."""

    def __init__(self, client: Any) -> None:
        self._redis = client

    async def claim(self, key: str, record: dict[str, Any], ttl_s: float) -> bool:
        return bool(await self._redis.set(key, orjson.dumps(record), nx=True, px=int(ttl_s * 1000)))

    async def get(self, key: str) -> dict[str, Any] | None:
        raw = await self._redis.get(key)
        return None if raw is None else dict(orjson.loads(raw))

    async def put(self, key: str, record: dict[str, Any], ttl_s: float) -> None:
        await self._redis.set(key, orjson.dumps(record), px=int(ttl_s * 1000))

    async def drop(self, key: str) -> None:
        await self._redis.delete(key)


def open_records(redis_url: str | None) -> Records:
    if redis_url:
        from redis.asyncio import Redis

        return RedisRecords(Redis.from_url(redis_url))
    return MemoryRecords()


@dataclass
class Captured:
    status: int = 0
    headers: list[tuple[bytes, bytes]] | None = None
    body: bytearray | None = None

    def storable(self) -> bool:
        content_type = dict(self.headers or []).get(b"content-type", b"")
        return (
            self.status > 0
            and self.status < 500
            and self.status not in RETRYABLE
            and content_type.startswith(b"application/json")
            and self.body is not None
            and len(self.body) <= MAX_STORED_BYTES
        )


def record_key(scope: Scope, key: str) -> str:
    """Scoped to the caller's credential (hashed, never stored), the method and the path."""
    headers = dict(scope.get("headers", []))
    who = hashlib.sha256(headers.get(b"authorization", b"") + b"|" + headers.get(b"x-api-key", b"")).hexdigest()
    return f"gateway:idem:{who[:32]}:{scope['method']}:{scope['path']}:{key}"


def command_id(request: Request) -> str | None:
    """The bus event id of the command a keyed request sends (None without a key): the same for every retry with
    the key, so the service's inbox answers a retry after a 504 (whose record the guard dropped) with the first
    outcome instead of acting twice. Scoped like the record: another caller's equal key is another id."""
    key = request.headers.get("idempotency-key", "").strip()
    if not key or request.method != "POST":
        return None
    return derived_id(record_key(request.scope, key), "command")


class IdempotencyGuard:
    """ASGI middleware; `running_ttl_s` bounds how long a claim outlives a gateway that died holding it."""

    def __init__(self, app: ASGIApp, *, records: Records, cs_prefix: str, running_ttl_s: float) -> None:
        self.app = app
        self.records = records
        self.cs_prefix = cs_prefix
        self.running_ttl_s = running_ttl_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        raw_key = dict(scope.get("headers", [])).get(HEADER) if scope["type"] == "http" else None
        if raw_key is None or scope["method"] != "POST" or scope["path"] in EXEMPT_PATHS:
            await self.app(scope, receive, send)
            return
        key = raw_key.decode("latin-1").strip()
        if not key or len(key) > MAX_KEY_CHARS:
            await self._refuse(scope, receive, send, 400, "invalid", f"Idempotency-Key must be 1-{MAX_KEY_CHARS} chars")
            return
        body = await _read_body(receive)
        fingerprint = hashlib.sha256(body).hexdigest()
        name = record_key(scope, key)
        earlier = await self._claim_or_wait(name, fingerprint)
        if earlier is None:
            await self._run(scope, body, send, name, fingerprint)
        elif earlier.get("fp") != fingerprint:
            message = "Idempotency-Key was already used with a different request body"
            await self._refuse(scope, _replay(body), send, 422, "invalid", message)
        elif earlier.get("state") == "done":
            await _send_stored(earlier, send)
        else:
            message = "A request with this Idempotency-Key is still running; retry later"
            await self._refuse(scope, _replay(body), send, 409, "conflict", message)

    async def _claim_or_wait(self, name: str, fingerprint: str) -> dict[str, Any] | None:
        """None when this request holds the claim; else the earlier record (done, another body, or still running
        after waiting as long as a run may take)."""
        deadline = time.monotonic() + self.running_ttl_s
        claim = {"state": "running", "fp": fingerprint, "owner": uuid.uuid4().hex}
        while True:
            if await self.records.claim(name, claim, self.running_ttl_s):
                return None
            earlier = await self.records.get(name)
            if earlier is None:
                continue  # it failed and was dropped in between: claim again
            if earlier.get("state") == "done" or earlier.get("fp") != fingerprint or time.monotonic() > deadline:
                return earlier
            await asyncio.sleep(POLL_S)

    async def _run(self, scope: Scope, body: bytes, send: Send, name: str, fingerprint: str) -> None:
        captured = Captured()

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                captured.status, captured.headers, captured.body = message["status"], list(message["headers"]), None
                captured.body = bytearray()
            elif message["type"] == "http.response.body" and captured.body is not None:
                captured.body += message.get("body", b"")
            await send(message)

        try:
            await self.app(scope, _replay(body), capture)
        finally:
            if captured.storable():
                assert captured.body is not None and captured.headers is not None
                await self.records.put(name, _stored(fingerprint, captured), DONE_TTL_S)
            else:
                await self.records.drop(name)  # nothing final was answered: a retry runs it again

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, status: int, code: str, message: str) -> None:
        request = Request(scope, receive)
        dialect = dialect_for_path(scope["path"], self.cs_prefix)
        response = dialect.render_error(request, status=status, code=code, message=message, details={})
        await response(scope, receive, send)


def _stored(fingerprint: str, captured: Captured) -> dict[str, Any]:
    headers = dict(captured.headers or [])
    return {
        "state": "done",
        "fp": fingerprint,
        "status": captured.status,
        "content_type": headers.get(b"content-type", b"application/json").decode("latin-1"),
        "body": base64.b64encode(bytes(captured.body or b"")).decode(),
    }


async def _send_stored(record: dict[str, Any], send: Send) -> None:
    body = base64.b64decode(record["body"])
    headers = [
        (b"content-type", str(record["content_type"]).encode("latin-1")),
        (b"content-length", str(len(body)).encode()),
        (b"idempotent-replayed", b"true"),
    ]
    await send({"type": "http.response.start", "status": int(record["status"]), "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


def _replay(body: bytes) -> Receive:
    """A receive that hands the already-read body to the app once, then reports the client gone."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive
