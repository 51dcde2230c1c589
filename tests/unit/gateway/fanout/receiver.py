"""A real HTTP webhook receiver on 127.0.0.1 (uvicorn on a free port, in the test's event loop): records every
request and answers with a scripted status, delay, Retry-After or oversized body."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import orjson
import uvicorn
from starlette.types import Receive, Scope, Send

from libs.runtime.websocket import FramedWebSocketProtocol


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float

    def json(self) -> Any:
        return orjson.loads(self.body)


@dataclass
class Reply:
    status: int = 200
    delay_s: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    body_bytes: int = 2


@dataclass
class Receiver:
    port: int = 0
    requests: list[Received] = field(default_factory=list)
    script: list[Reply] = field(default_factory=list)  # consumed in order; then `default`
    default: Reply = field(default_factory=Reply)
    by_path: dict[str, Reply] = field(default_factory=dict)  # a fixed answer per path, before script/default
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    def on(self, path: str) -> list[Received]:
        return [r for r in self.requests if r.path == path]

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    async def wait_for(self, count: int, timeout: float = 5.0) -> list[Received]:  # noqa: ASYNC109
        async with asyncio.timeout(timeout):
            while len(self.requests) < count:
                self.arrived.clear()
                await self.arrived.wait()
        return self.requests

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the sender died mid-request (a kill -9 test): no complete request arrived
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        reply = self.by_path.get(scope["path"]) or (self.script.pop(0) if self.script else self.default)
        self.requests.append(Received(scope["path"], headers, body, time.perf_counter()))
        self.arrived.set()
        await asyncio.sleep(reply.delay_s)
        extra = [(k.encode(), v.encode()) for k, v in reply.headers.items()]
        await send({"type": "http.response.start", "status": reply.status, "headers": extra})
        chunk = b"x" * min(reply.body_bytes, 1 << 20)
        left = reply.body_bytes
        while left > 0:
            part = chunk[: min(left, len(chunk))]
            left -= len(part)
            try:
                await send({"type": "http.response.body", "body": part, "more_body": left > 0})
            except (OSError, RuntimeError):
                return  # the sender hung up (it reads at most 64 KB)


@asynccontextmanager
async def serve_asgi(app: Any, ws: Any = FramedWebSocketProtocol) -> AsyncIterator[int]:
    """Serve `app` on a free 127.0.0.1 port inside this event loop; yields the port. `ws`: uvicorn's WebSocket
    protocol (by default the one libs.runtime serves the gateway with)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit it: without, the answer's second small write waits ~40 ms on delayed ACKs.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="off", ws=ws, ws_per_message_deflate=False)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:  # noqa: ASYNC110 - uvicorn offers no event for "listening"
        await asyncio.sleep(0.01)
    try:
        yield port
    finally:
        server.should_exit = True
        await task
        sock.close()


@asynccontextmanager
async def receiving() -> AsyncIterator[Receiver]:
    receiver = Receiver()
    async with serve_asgi(receiver) as port:
        receiver.port = port
        yield receiver
