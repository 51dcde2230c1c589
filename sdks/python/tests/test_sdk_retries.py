"""Retries, timeouts and odd bodies: the gateway's own 429s, plus a tiny local server for what it never sends."""

from __future__ import annotations

import email.utils
import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from switchboard_sdk import (
    APIConnectionError,
    APITimeoutError,
    AsyncSwitchboard,
    InternalServerError,
    RateLimitError,
    RetryPolicy,
    ServiceUnavailableError,
    Switchboard,
    models,
)

from sdk_stack import Stack, free_port


def test_gateway_burst_limit_is_waited_out(stack: Stack) -> None:
    # Seed 004 allows bursts of 10 requests a second per client: 25 in a row need the reset header honoured.
    impatient = Switchboard(stack.api_key, base_url=stack.url, max_retries=0)
    with impatient, pytest.raises(RateLimitError) as caught:
        for _ in range(25):
            impatient.crm_chat.rag_stats()
    assert caught.value.code == "RATE_LIMITED" and caught.value.headers["x-ratelimit-remaining"] == "0"
    with Switchboard(stack.api_key, base_url=stack.url, max_retries=3) as patient:
        results = [patient.crm_chat.rag_stats() for _ in range(25)]
    assert all(r.success for r in results)


# A seed 003 answer, as the generated ConversationOut model reads it.
ANSWER = json.dumps(
    {"conversation_id": "conv_1", "response": "ok", "confidence": 0.9, "sources": [], "escalated": False,
     "timestamp": "2026-01-01T00:00:00Z"}
).encode()  # fmt: skip


class Scripted(BaseHTTPRequestHandler):
    """Answers each request with the next scripted (status, headers, body); records what it was sent."""

    script: list[tuple[int, dict[str, str], bytes]] = []  # noqa: RUF012 - per-test, reset by the fixture
    seen: list[tuple[float, dict[str, str]]] = []  # noqa: RUF012

    def _answer(self) -> None:
        Scripted.seen.append((time.monotonic(), dict(self.headers)))
        length = int(self.headers.get("content-length") or 0)
        self.rfile.read(length)
        status, headers, body = Scripted.script.pop(0) if Scripted.script else (200, {}, ANSWER)
        self.send_response(status)
        for name, value in {"Content-Type": "application/json", **headers}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def scripted() -> Iterator[str]:
    Scripted.script, Scripted.seen = [], []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Scripted)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_503_retry_after_is_honoured_with_one_idempotency_key(scripted: str) -> None:
    Scripted.script = [(503, {"Retry-After": "1"}, b'{"error": {"code": "service_unavailable", "message": "busy"}}')]
    with Switchboard("k", base_url=scripted) as client:
        answer = client.kb_platform.converse(message="hi", user_id="u1")
    assert isinstance(answer, models.ConversationOut) and answer.conversation_id == "conv_1"
    (first, h1), (second, h2) = Scripted.seen
    assert second - first >= 0.95
    assert h1["Idempotency-Key"] == h2["Idempotency-Key"] and h1["Authorization"] == "Bearer k"


def test_retries_run_out_into_a_typed_error(scripted: str) -> None:
    Scripted.script = [(503, {}, b"")] * 3
    with Switchboard("k", base_url=scripted, max_retries=2) as client, pytest.raises(ServiceUnavailableError):
        client.insights.ai_providers()
    assert len(Scripted.seen) == 3


def test_an_hourly_quota_is_not_waited_for(scripted: str) -> None:
    reset = str(int(time.time()) + 3000)
    Scripted.script = [(429, {"X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": reset}, b'{"error": true}')]
    with Switchboard("k", base_url=scripted) as client, pytest.raises(RateLimitError) as caught:
        client.insights.ai_providers()
    assert len(Scripted.seen) == 1 and caught.value.dialect == "insights"


def test_unexpected_body_is_still_a_typed_error(scripted: str) -> None:
    Scripted.script = [(502, {"Content-Type": "text/html", "X-Request-ID": "req_proxy"}, b"<html>Bad gateway</html>")]
    with Switchboard("k", base_url=scripted) as client, pytest.raises(InternalServerError) as caught:
        client.support_agent.health()
    error = caught.value
    assert (error.status_code, error.code, error.dialect, error.request_id) == (502, None, None, "req_proxy")
    assert "Bad gateway" in error.message


def test_unreachable_gateway_is_one_clear_error() -> None:
    client = Switchboard("k", base_url=f"http://127.0.0.1:{free_port()}", max_retries=2)
    with client, pytest.raises(APIConnectionError) as caught:
        client.insights.ai_providers()
    assert caught.value.attempts == 3


async def test_a_silent_gateway_times_out() -> None:
    with socket.socket() as listener:  # accepts connections, never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        async with AsyncSwitchboard("k", base_url=url, timeout=0.2, max_retries=1) as client:
            started = time.monotonic()
            with pytest.raises(APITimeoutError) as caught:
                await client.insights.ai_providers()
    assert caught.value.attempts == 2 and time.monotonic() - started < 5


def test_retry_after_forms() -> None:
    policy, now = RetryPolicy(), time.time()
    assert policy.server_wait(httpx.Headers({"Retry-After": "3"}), now) == 3.0
    in_two = email.utils.formatdate(now + 2, usegmt=True)
    assert 0.9 <= (policy.server_wait(httpx.Headers({"Retry-After": in_two}), now) or 0) <= 2.1
    assert policy.server_wait(httpx.Headers({"Retry-After": "soon"}), now) is None
    reset = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(now) + 5)}
    assert 4 <= (policy.server_wait(httpx.Headers(reset), now) or 0) <= 5.1
    assert policy.server_wait(httpx.Headers({**reset, "X-RateLimit-Remaining": "3"}), now) is None
