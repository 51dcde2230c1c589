"""Helpers for the seed replay e2e tests: shape checks, the five dialect envelopes, fresh tenants, a webhook sink."""

from __future__ import annotations

import json
import re
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Stack

# The first turn of a fresh stack loads models; later calls are fast. Generous, so a slow machine is not a failure.
TIMEOUT = httpx.Timeout(90.0, connect=10.0)


class NotImplementedYet(Exception):
    """The gateway answered 404 (in the dialect's own envelope) for a documented endpoint."""


def pending(issue: str) -> pytest.MarkDecorator:
    """Mark a replay of an endpoint that is not built yet: it xfails only on NotImplementedYet, and XPASS is a
    failure, so the marker has to go the day the endpoint exists (any wrong shape then fails as a plain test)."""
    return pytest.mark.xfail(raises=NotImplementedYet, strict=True, reason=f"not implemented yet: {issue}")


def recent_period(days_back: int = 30, days_ahead: int = 1) -> tuple[str, str]:
    """(start, end) dates around today: analytics refuse periods over 2 years (issue 14), so the replays ask for
    the weeks the stack's traffic happened in."""
    today = datetime.now(UTC).date()
    return (today - timedelta(days=days_back)).isoformat(), (today + timedelta(days=days_ahead)).isoformat()


def client(stack: Stack, headers: dict[str, str] | None = None) -> httpx.Client:
    return httpx.Client(base_url=stack.url, timeout=TIMEOUT, headers=headers or {})


# -- shape specs ------------------------------------------------------------------------------------------------
# A spec is: a type (float accepts int, int refuses bool), a dict of key -> spec (keys must be present, extra keys
# are allowed), or one of the small classes below.


class Opt:
    """The value may be null (the seeds mark these "optional" or "if applicable")."""

    def __init__(self, spec: Any) -> None:
        self.spec = spec


class OneOf:
    def __init__(self, *values: Any) -> None:
        self.values = values


class Each:
    """A list whose every item has `spec` (at least `min_len` items)."""

    def __init__(self, spec: Any, min_len: int = 0) -> None:
        self.spec, self.min_len = spec, min_len


class MapOf:
    """A dict of str -> `spec` (keys not known in advance: group names, model names)."""

    def __init__(self, spec: Any) -> None:
        self.spec = spec


class Between:
    def __init__(self, low: float, high: float) -> None:
        self.low, self.high = low, high


class Matches:
    def __init__(self, pattern: str) -> None:
        self.pattern = re.compile(pattern)


def _parse_iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def iso(value: Any) -> bool:
    """Any ISO 8601 timestamp."""
    if not isinstance(value, str):
        return False
    try:
        _parse_iso(value)
    except ValueError:
        return False
    return True


def zulu(value: Any) -> bool:
    """ISO 8601 in UTC with a Z suffix (seeds 001-004: 2024-01-01T00:00:00Z)."""
    return iso(value) and str(value).endswith("Z")


def naive_iso(value: Any) -> bool:
    """Seed 000's style: 2023-08-15T14:22:31.123456 (UTC, no offset)."""
    return iso(value) and _parse_iso(value).tzinfo is None


def iso_date(value: Any) -> bool:
    return isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) is not None


def check(value: Any, spec: Any, path: str = "$") -> None:
    """Assert that `value` has the documented shape `spec`; the message names the JSON path that differs."""
    if isinstance(spec, Opt):
        if value is not None:
            check(value, spec.spec, path)
    elif isinstance(spec, dict):
        assert isinstance(value, dict), f"{path}: expected an object, got {value!r}"
        for key, sub in spec.items():
            assert key in value, f"{path}: missing key {key!r} (has {sorted(value)})"
            check(value[key], sub, f"{path}.{key}")
    elif isinstance(spec, Each):
        assert isinstance(value, list), f"{path}: expected a list, got {value!r}"
        assert len(value) >= spec.min_len, f"{path}: expected at least {spec.min_len} items, got {len(value)}"
        for i, item in enumerate(value):
            check(item, spec.spec, f"{path}[{i}]")
    elif isinstance(spec, MapOf):
        assert isinstance(value, dict), f"{path}: expected an object, got {value!r}"
        for key, item in value.items():
            assert isinstance(key, str)
            check(item, spec.spec, f"{path}.{key}")
    elif isinstance(spec, OneOf):
        assert value in spec.values, f"{path}: {value!r} is not one of {spec.values}"
    elif isinstance(spec, Between):
        check(value, float, path)
        assert spec.low <= value <= spec.high, f"{path}: {value!r} outside [{spec.low}, {spec.high}]"
    elif isinstance(spec, Matches):
        assert isinstance(value, str) and spec.pattern.fullmatch(value), f"{path}: {value!r} !~ {spec.pattern.pattern}"
    elif spec is float:
        assert isinstance(value, int | float) and not isinstance(value, bool), f"{path}: expected a number: {value!r}"
    elif spec is int:
        assert isinstance(value, int) and not isinstance(value, bool), f"{path}: expected an integer: {value!r}"
    elif isinstance(spec, type):
        assert isinstance(value, spec), f"{path}: expected {spec.__name__}, got {value!r}"
    elif callable(spec):
        assert spec(value), f"{path}: {value!r} fails {spec.__name__}"
    else:  # a literal
        assert value == spec, f"{path}: expected {spec!r}, got {value!r}"


def body(resp: httpx.Response) -> Any:
    assert resp.headers.get("content-type", "").startswith("application/json"), (resp.status_code, resp.text[:300])
    return resp.json()


def rate_limited(resp: httpx.Response, *, dashed: bool = False) -> None:
    """Seed 000 spells X-Rate-Limit-*, the others X-RateLimit-*; all three values are integers, remaining <= limit."""
    base = "X-Rate-Limit-" if dashed else "X-RateLimit-"
    values = {}
    for name in ("Limit", "Remaining", "Reset"):
        raw = resp.headers.get(base + name)
        assert raw is not None and raw.isdigit(), f"{base}{name} header missing or not an integer: {raw!r}"
        values[name] = int(raw)
    assert values["Remaining"] <= values["Limit"]


# -- the five dialect envelopes ---------------------------------------------------------------------------------
def insights_ok(resp: httpx.Response, status: int = 200, *, limited: bool = True) -> Any:
    """Seed 000: {"error": false, "status_code", "data", "timestamp"} with X-Rate-Limit-* headers (not on login)."""
    assert resp.status_code == status, resp.text[:2000]
    payload = body(resp)
    check(payload, {"error": False, "status_code": status, "data": object})
    if "timestamp" in payload:  # the seed's ai/* examples show no timestamp; where present it is seed 000's style
        check(payload["timestamp"], naive_iso, "$.timestamp")
    if limited:
        rate_limited(resp, dashed=True)
    return payload["data"]


def insights_error(resp: httpx.Response, status: int) -> dict[str, Any]:
    assert resp.status_code == status, resp.text[:2000]
    payload: dict[str, Any] = body(resp)
    check(payload, {"error": True, "status_code": status, "message": str, "details": dict, "timestamp": naive_iso})
    return payload


def support_error(resp: httpx.Response, status: int, error_type: str) -> dict[str, Any]:
    """Seed 001: {"error": true, "error_type", "message", "details" (string, optional), "timestamp", "request_id"}."""
    assert resp.status_code == status, resp.text[:2000]
    payload: dict[str, Any] = body(resp)
    spec = {"error": True, "error_type": error_type, "message": str, "details": Opt(str), "timestamp": iso}
    check(payload, spec | {"request_id": str})
    return payload


def tiered_error(resp: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """Seed 002: {"error": {"code": "CS_0xx", "message", "details": {...}}}."""
    assert resp.status_code == status, resp.text[:2000]
    payload: dict[str, Any] = body(resp)
    check(payload, {"error": {"code": code, "message": str, "details": dict}})
    return payload


def kb_error(resp: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """Seed 003: {"error": {"code", "message", "details": {...}, "request_id"}}."""
    assert resp.status_code == status, resp.text[:2000]
    payload: dict[str, Any] = body(resp)
    check(payload, {"error": {"code": code, "message": str, "details": dict, "request_id": str}})
    return payload


CRM_METADATA = {"response_time": Between(0, 120), "timestamp": zulu}


def crm_ok(resp: httpx.Response) -> Any:
    """Seed 004: {"success": true, "data", "metadata": {"response_time", "timestamp"}}."""
    assert resp.status_code == 200, resp.text[:2000]
    payload = body(resp)
    check(payload, {"success": True, "data": object, "metadata": CRM_METADATA})
    return payload["data"]


def crm_error(resp: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert resp.status_code == status, resp.text[:2000]
    payload: dict[str, Any] = body(resp)
    error = {"code": code, "message": str, "details": str}
    check(payload, {"success": False, "error": error, "metadata": CRM_METADATA | {"request_id": str}})
    return payload


ENVELOPE_404: dict[str, Callable[[httpx.Response], Any]] = {
    "insights": lambda r: insights_error(r, 404),
    "support_agent": lambda r: support_error(r, 404, "NOT_FOUND_ERROR"),
    "tiered_cs": lambda r: tiered_error(r, 404, "CS_002"),
    "kb_platform": lambda r: kb_error(r, 404, "not_found"),
    "crm_chat": lambda r: crm_error(r, 404, "NOT_FOUND"),
}


def built(resp: httpx.Response, dialect: str) -> httpx.Response:
    """Raise NotImplementedYet for the gateway's 404 of an unrouted path (checked to be in `dialect`'s envelope,
    so a 404 in the wrong envelope is a plain failure); otherwise hand the response on."""
    unrouted = resp.status_code == 404 and '"Not Found"' in resp.text  # Starlette's message for no route
    if unrouted:
        ENVELOPE_404[dialect](resp)
    if unrouted or resp.status_code == 405:
        raise NotImplementedYet(f"{resp.request.method} {resp.request.url.path} -> {resp.status_code}")
    return resp


# -- identity --------------------------------------------------------------------------------------------------
def login(stack: Stack) -> dict[str, str]:
    """Seed 000 login with the stack's admin: the JWT header seeds 000 and 002 document."""
    creds = stack.credentials
    resp = httpx.post(
        f"{stack.url}/api/v1/auth/login",
        json={"username": creds["admin_email"], "password": creds["admin_password"]},
        timeout=TIMEOUT,
    )
    token = insights_ok(resp, limited=False)["token"]
    return {"Authorization": f"Bearer {token}"}


def tenant_key(stack: Stack, roles: tuple[str, ...] = ("agent", "analyst")) -> tuple[str, dict[str, str]]:
    """A fresh tenant (a new company) with its own API key: a seed example then runs against clean data."""
    tenant = f"t-{uuid.uuid4().hex[:10]}"
    resp = httpx.post(
        f"{stack.url}/api/v1/api-keys",
        json={"name": f"e2e {tenant}", "tenant_id": tenant, "rate_tier": "enterprise", "roles": list(roles)},
        headers=stack.auth(),
        timeout=TIMEOUT,
    )
    key = insights_ok(resp, 201)["api_key"]
    return tenant, {"Authorization": f"Bearer {key}"}


# -- webhooks --------------------------------------------------------------------------------------------------
class WebhookSink:
    """A local HTTP receiver for outbound webhooks: records (headers, raw body) of every POST."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self._arrived = threading.Condition()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with sink._arrived:
                    sink.received.append(({k.lower(): v for k, v in self.headers.items()}, raw))
                    sink._arrived.notify_all()
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/hook"

    def wait_for(self, event: str, timeout: float = 15.0) -> tuple[dict[str, str], dict[str, Any]]:
        def found() -> tuple[dict[str, str], dict[str, Any]] | None:
            for headers, raw in self.received:
                payload = json.loads(raw)
                if payload.get("event") == event:
                    return headers, payload
            return None

        with self._arrived:
            self._arrived.wait_for(lambda: found() is not None, timeout)
            hit = found()
        assert hit is not None, f"no {event} webhook within {timeout}s (got {len(self.received)} deliveries)"
        return hit

    @contextmanager
    def running(self) -> Iterator[WebhookSink]:
        thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()


def register_webhook(api: httpx.Client, fmt: str, url: str, events: list[str]) -> tuple[str, str]:
    """No seed documents how a webhook is subscribed: the gateway's POST /api/v1/webhooks (seed 000 envelope, admin
    credentials) with {"url", "events", "format"}; returns (webhook id, signing secret shown once)."""
    resp = api.post("/api/v1/webhooks", json={"url": url, "events": events, "format": fmt})
    data = insights_ok(resp, 201)
    return str(data["id"]), str(data["secret"])


def unregister_webhook(api: httpx.Client, webhook_id: str) -> None:
    """Later tests of the tenant must not keep queueing deliveries for a sink that is gone."""
    insights_ok(api.delete(f"/api/v1/webhooks/{webhook_id}"))


WEBHOOK_PAYLOAD = {"event": str, "timestamp": zulu, "data": dict}
