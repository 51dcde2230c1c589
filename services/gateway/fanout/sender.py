"""One HTTP attempt of a delivery: pinned to the vetted IP, no redirects, 15 s for the whole exchange (a receiver
answering after that is a timeout), response body read up to 64 KB and the rest dropped."""

from __future__ import annotations

import asyncio
import ssl
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit, urlunsplit

import httpx

from libs.errors import Invalid
from services.gateway.fanout.egress import EgressRefused, Target, resolve_target

MAX_RESPONSE_BYTES = 64 * 1024


@dataclass(frozen=True)
class SendResult:
    status_code: int | None
    latency_ms: float
    error: str | None = None
    retry_after: timedelta | None = None
    body_bytes: int = 0

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def parse_retry_after(value: str | None) -> timedelta | None:
    """Retry-After as seconds or an HTTP date."""
    if not value:
        return None
    if value.strip().isdigit():
        return timedelta(seconds=int(value.strip()))
    try:
        return max(parsedate_to_datetime(value) - datetime.now(UTC), timedelta(0))
    except (TypeError, ValueError):
        return None


class Sender:
    def __init__(self, *, allowed_hosts: frozenset[str], timeout_s: float = 15.0, per_endpoint: int = 16) -> None:
        self._allowed = allowed_hosts
        self._timeout_s = timeout_s
        self._limits = httpx.Limits(max_connections=per_endpoint, max_keepalive_connections=per_endpoint)
        self._tls = ssl.create_default_context()  # built once: loading the CA bundle costs ~50 ms of CPU
        # One connection pool per endpoint: a hung receiver can only exhaust its own, and each pool stays small
        # (httpcore scans a pool's connections for every queued request). Redirects are never followed.
        self._clients: dict[tuple[str, str, str, int], httpx.AsyncClient] = {}

    async def close(self) -> None:
        for client in self._clients.values():
            await client.aclose()
        self._clients.clear()

    def _client(self, endpoint: str, target: Target) -> httpx.AsyncClient:
        key = (endpoint, target.host, target.ip, target.port)
        client = self._clients.get(key)
        if client is None:
            client = self._clients[key] = httpx.AsyncClient(
                follow_redirects=False, timeout=self._timeout_s, trust_env=False, limits=self._limits, verify=self._tls
            )
        return client

    async def send(self, endpoint: str, url: str, body: bytes, headers: dict[str, str]) -> SendResult:
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self._timeout_s):
                return await self._exchange(endpoint, url, body, headers, started)
        except TimeoutError:
            return SendResult(None, _ms(started), error="timeout")
        except (EgressRefused, Invalid) as exc:  # the URL or its address is not allowed (any more)
            return SendResult(None, _ms(started), error=f"refused: {exc}")
        except httpx.HTTPError as exc:
            return SendResult(None, _ms(started), error=f"{type(exc).__name__}: {exc}"[:300])

    async def _exchange(
        self, endpoint: str, url: str, body: bytes, headers: dict[str, str], started: float
    ) -> SendResult:
        target = await resolve_target(url, self._allowed)
        parts = urlsplit(url)
        ip = f"[{target.ip}]" if ":" in target.ip else target.ip
        pinned = urlunsplit((parts.scheme, f"{ip}:{target.port}", parts.path or "/", parts.query, ""))
        client = self._client(endpoint, target)
        request = client.build_request(
            "POST",
            pinned,
            content=body,
            headers={**headers, "Host": parts.netloc.rpartition("@")[2], "User-Agent": "Switchboard-Webhooks/1"},
            extensions={"sni_hostname": target.host},  # TLS name and certificate check stay the URL's host
        )
        response = await client.send(request, stream=True)
        try:
            read = 0
            async for chunk in response.aiter_raw():
                read += len(chunk)
                if read >= MAX_RESPONSE_BYTES:
                    break  # the rest is never read; closing the response drops the connection
        finally:
            await response.aclose()
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        return SendResult(response.status_code, _ms(started), retry_after=retry_after, body_bytes=min(read, 65536))


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)
