"""Issue 15's check on `switchboard up` (Kafka, its own data dir): a local receiver subscribed to seed 001's
session.closed; events are caused through the API while (1) the receiver is down, then up, (2) the gateway is
killed -9 mid-stream, (3) the broker is killed -9 mid-stream. Afterwards every event has arrived at least once, every
copy of one event carries one webhook-id, every copy passes seed 003's verify_webhook and a Standard Webhooks
verifier, and the delivery log shows the failed attempts beside the deliveries. Times are printed, not asserted."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from tests.e2e.conftest import Stack, _free_port, launch, shut_down
from tests.e2e.test_chaos import pid_of
from tests.unit.gateway.fanout.test_signing_egress import standard_webhooks_verify, verify_webhook

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

PER_PHASE = 12


class Sink:
    """A receiver on a fixed port that can be down (nothing listening: connection refused) and come up again."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.received: list[tuple[dict[str, str], bytes, float]] = []
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def up(self) -> None:
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                sink.received.append(({k.lower(): v for k, v in self.headers.items()}, raw, time.monotonic()))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def down(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def sessions(self) -> dict[str, set[str]]:
        """session id -> the webhook-ids its session.closed arrived with."""
        ids: dict[str, set[str]] = defaultdict(set)
        for headers, raw, _ in self.received:
            ids[orjson.loads(raw)["data"]["session_id"]].add(headers["webhook-id"])
        return ids


def _retrying(call: Any, until: float = 120.0) -> httpx.Response:
    """What a careful client does while the gateway restarts: the same request again until it is answered."""
    deadline = time.monotonic() + until
    while True:
        try:
            resp: httpx.Response = call()
            if resp.status_code < 500:
                return resp
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.5)


def _close_sessions(http: httpx.Client, first: int, count: int, kill: Any = None) -> None:
    """Open and close sessions first..first+count (each closing is one session.closed event); `kill` runs midway."""
    for n in range(first, first + count):
        if kill is not None and n == first + count // 2:
            kill()
        session = f"sess_e2e_{n}"
        _retrying(lambda s=session: http.post("/api/session", json={"customer_id": "cust_e2e", "session_id": s}))
        resp = _retrying(lambda s=session: http.delete(f"/api/session/{s}"))
        assert resp.status_code == 200, resp.text


def _wait_for(sink: Sink, count: int, timeout: float) -> float:
    started = time.monotonic()
    while len(sink.sessions()) < count:
        assert time.monotonic() - started < timeout, f"{len(sink.sessions())} of {count} events within {timeout}s"
        time.sleep(0.5)
    return time.monotonic() - started


def _attempt_log(http: httpx.Client, hook_id: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    while True:
        url = f"/api/v1/webhooks/{hook_id}/deliveries?limit=100&offset={len(rows)}"
        page = _retrying(lambda url=url: http.get(url))
        data = page.json()["data"]
        rows += data["deliveries"]
        if len(rows) >= data["total"] or not data["deliveries"]:
            return rows


def _kill(stack: Stack, victim: str) -> None:
    os.kill(pid_of(stack, victim), signal.SIGKILL)


@contextmanager
def _stack(tmp_path: Path) -> Iterator[tuple[Stack, httpx.Client]]:
    stack = launch(tmp_path)
    try:
        with httpx.Client(base_url=stack.url, headers=stack.auth(), timeout=30) as http:
            yield stack, http
    finally:
        shut_down(stack.process)


def test_webhooks_survive_a_receiver_outage_and_kill_9_of_gateway_and_broker(tmp_path: Path) -> None:
    sink = Sink()
    with _stack(tmp_path) as (stack, http):
        resp = http.post(
            "/api/v1/webhooks", json={"url": sink.url, "events": ["session.closed"], "format": "support_agent"}
        )
        assert resp.status_code == 201, resp.text
        hook_id, secret = resp.json()["data"]["id"], resp.json()["data"]["secret"]

        _close_sessions(http, 0, PER_PHASE)  # (1) nobody listening: every first attempt is refused
        time.sleep(2.0)
        sink.up()
        outage = _wait_for(sink, PER_PHASE, 90)
        _close_sessions(http, PER_PHASE, PER_PHASE, kill=lambda: _kill(stack, "gateway"))  # (2)
        after_gateway = _wait_for(sink, 2 * PER_PHASE, 180)
        _close_sessions(http, 2 * PER_PHASE, PER_PHASE, kill=lambda: _kill(stack, "broker"))  # (3)
        after_broker = _wait_for(sink, 3 * PER_PHASE, 240)
        time.sleep(2.0)  # copies still in flight land before the counts
        attempts = _attempt_log(http, hook_id)
    sessions = sink.sessions()
    copies = len(sink.received) - len(sessions)
    print(f"\nwebhooks: {len(sessions)} events, {copies} extra copies; all in {outage:.1f} s after the receiver "
          f"came up, {after_gateway:.1f} s after the gateway kill phase, {after_broker:.1f} s after the broker kill "
          f"phase; {len(attempts)} attempts in the log")  # fmt: skip
    assert set(sessions) == {f"sess_e2e_{n}" for n in range(3 * PER_PHASE)}
    assert all(len(ids) == 1 for ids in sessions.values())  # copies of one event share its webhook-id
    for headers, raw, _ in sink.received:
        assert verify_webhook(raw.decode(), headers["x-webhook-signature"], secret)
        assert standard_webhooks_verify(secret, headers, raw)
    assert sum(a["outcome"] == "retry" for a in attempts) >= PER_PHASE  # the receiver-down phase's refusals
    delivered = {a["delivery_id"] for a in attempts if a["outcome"] == "delivered"}
    assert delivered == {h["webhook-id"] for h, _, _ in sink.received}
