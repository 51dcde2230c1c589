"""HTTP core shared by the sync and async clients: auth, timeouts, retries with backoff that honour the gateway."""

from __future__ import annotations

import asyncio
import email.utils
import os
import random
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from switchboard_sdk.errors import APIConnectionError, APITimeoutError, error_from_response

DEFAULT_BASE_URL = "http://127.0.0.1:8080"
DEFAULT_TIMEOUT = 30.0
RETRY_STATUSES = frozenset({429, 503})
# Each seed names its rate-limit reset header differently (seed 000 hyphenates "Rate-Limit").
RESET_HEADERS = ("x-ratelimit-reset", "x-rate-limit-reset")
REMAINING_HEADERS = ("x-ratelimit-remaining", "x-rate-limit-remaining")


@dataclass(frozen=True)
class ApiRequest:
    """One call as the namespaces describe it; the transport adds auth, retries and the idempotency key."""

    method: str
    path: str
    json: Any = None
    params: Mapping[str, Any] | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    files: Any = None
    authenticated: bool = True


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 2
    initial_delay: float = 0.5
    max_delay: float = 8.0
    # A server asking for a longer wait than this (an hourly quota) is not waited for: the 429 is raised at once.
    max_server_wait: float = 60.0

    def backoff(self, attempt: int) -> float:
        """Exponential backoff with full jitter, so many clients refused together do not retry together."""
        return random.uniform(0, min(self.max_delay, self.initial_delay * 2**attempt))

    def server_wait(self, headers: httpx.Headers, now: float) -> float | None:
        """Seconds the gateway asks for: Retry-After (seconds or HTTP date), else an exhausted window's reset."""
        retry_after = headers.get("retry-after")
        if retry_after:
            if retry_after.strip().replace(".", "", 1).isdigit():
                return float(retry_after)
            try:
                return max(0.0, email.utils.parsedate_to_datetime(retry_after).timestamp() - now)
            except (TypeError, ValueError):
                pass  # neither seconds nor a date: fall back to the reset header or backoff
        remaining = next((headers[h] for h in REMAINING_HEADERS if h in headers), None)
        reset = next((headers[h] for h in RESET_HEADERS if h in headers), None)
        if remaining == "0" and reset and reset.isdigit():
            # Reset is an epoch second; waiting to the next whole second past it lands in the new window.
            return max(0.0, int(reset) - now) + 0.05
        return None

    def delay(self, attempt: int, response: httpx.Response | None) -> float | None:
        """How long to wait before retry number `attempt + 1`, or None when this outcome is not retried."""
        if attempt >= self.max_retries:
            return None
        if response is None:
            return self.backoff(attempt)
        if response.status_code not in RETRY_STATUSES:
            return None
        wait = self.server_wait(response.headers, time.time())
        if wait is None:
            return self.backoff(attempt)
        return wait if wait <= self.max_server_wait else None


class _Base:
    def __init__(
        self,
        *,
        api_key: str | None,
        base_url: str | None,
        timeout: float | httpx.Timeout | None,
        max_retries: int,
        default_headers: Mapping[str, str] | None,
    ) -> None:
        self.api_key = api_key if api_key is not None else os.environ.get("SWITCHBOARD_API_KEY")
        self.base_url = (base_url or os.environ.get("SWITCHBOARD_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
        self.timeout = httpx.Timeout(DEFAULT_TIMEOUT if timeout is None else timeout)
        self.retry = RetryPolicy(max_retries=max_retries)
        self.default_headers = {"User-Agent": "switchboard-sdk-python/0.1.0", **(default_headers or {})}

    def _build(self, req: ApiRequest) -> dict[str, Any]:
        headers = dict(self.default_headers)
        if req.authenticated and self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        if req.method == "POST":
            # One key for every attempt, so a retried POST whose first answer was lost is not done twice.
            headers["Idempotency-Key"] = f"sdk_{uuid.uuid4().hex}"
        headers.update(req.headers)
        params = {k: v for k, v in (req.params or {}).items() if v is not None}
        return {"method": req.method, "url": req.path, "headers": headers, "params": params, "json": req.json,
                "files": req.files}  # fmt: skip

    @staticmethod
    def _result(response: httpx.Response) -> Any:
        if response.status_code >= 400:
            raise error_from_response(response)
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            return response.text

    @staticmethod
    def _network_error(exc: httpx.TransportError, attempts: int) -> APIConnectionError:
        if isinstance(exc, httpx.TimeoutException):
            return APITimeoutError(f"request timed out after {attempts} attempt(s): {exc!r}", attempts=attempts)
        message = f"could not reach the gateway after {attempts} attempt(s): {exc!r}"
        return APIConnectionError(message, attempts=attempts)


class SyncTransport(_Base):
    def __init__(self, *, http_client: httpx.Client | None = None, **options: Any) -> None:
        super().__init__(**options)
        self.http = http_client or httpx.Client(base_url=self.base_url, timeout=self.timeout)

    def call(self, req: ApiRequest) -> Any:
        built, attempt = self._build(req), 0
        while True:
            try:
                response: httpx.Response | None = self.http.request(**built)
            except httpx.TransportError as exc:
                response, error = None, exc
            wait = self.retry.delay(attempt, response)
            if wait is None:
                if response is None:
                    raise self._network_error(error, attempt + 1) from error
                return self._result(response)
            time.sleep(wait)
            attempt += 1

    def close(self) -> None:
        self.http.close()


class AsyncTransport(_Base):
    def __init__(self, *, http_client: httpx.AsyncClient | None = None, **options: Any) -> None:
        super().__init__(**options)
        self.http = http_client or httpx.AsyncClient(base_url=self.base_url, timeout=self.timeout)

    async def call(self, req: ApiRequest) -> Any:
        built, attempt = self._build(req), 0
        while True:
            try:
                response: httpx.Response | None = await self.http.request(**built)
            except httpx.TransportError as exc:
                response, error = None, exc
            wait = self.retry.delay(attempt, response)
            if wait is None:
                if response is None:
                    raise self._network_error(error, attempt + 1) from error
                return self._result(response)
            await asyncio.sleep(wait)
            attempt += 1

    async def close(self) -> None:
        await self.http.aclose()
