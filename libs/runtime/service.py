"""A built service (bus + hooks + health) and the loop that runs it until SIGTERM/SIGINT."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field

import uvicorn
from fastapi import FastAPI

from libs.bus.base import Bus
from libs.observability import HealthState, get_logger, health_app, setup_observability
from libs.runtime.settings import PlatformSettings
from libs.runtime.websocket import FramedWebSocketProtocol

Hook = Callable[[], Awaitable[None]]


@dataclass
class Service:
    """What `bootstrap()` returns: the wired bus, readiness checks and start/stop hooks of one service."""

    name: str
    bus: Bus
    health: HealthState
    on_start: list[Hook] = field(default_factory=list)
    on_stop: list[Hook] = field(default_factory=list)
    app: FastAPI | None = None  # the gateway brings its own HTTP app; others get a health app

    async def start(self, *, start_bus: bool = True) -> None:
        for hook in self.on_start:
            await hook()
        if start_bus:
            await self.bus.start()

    async def stop(self, *, stop_bus: bool = True) -> None:
        if stop_bus:
            await self.bus.stop()
        for hook in reversed(self.on_stop):
            await hook()


class _QuietServer(uvicorn.Server):
    """uvicorn without its own signal handling: the service's loop owns SIGTERM/SIGINT and stops every part."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def serve_forever(app: FastAPI, host: str, port: int, stop: asyncio.Event) -> None:
    """Run uvicorn until `stop` is set (signals are handled by the caller, not by uvicorn)."""
    # proxy_headers off: uvicorn would otherwise trust X-Forwarded-For from loopback, letting any local client (or
    # one behind a same-host proxy) pick its own address; an app that has a trusted proxy says so itself.
    # permessage-deflate off: WebSocket frames here are small JSON, and compressing one frame per client (each
    # connection keeps its own zlib context) made a 1,000-client broadcast cost ~30 us more per client.
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="off",
        proxy_headers=False,
        ws=FramedWebSocketProtocol,  # uvicorn's default WebSocket protocol, plus a direct frame writer for broadcasts
        ws_per_message_deflate=False,
    )
    server = _QuietServer(config)
    task = asyncio.create_task(server.serve())
    await stop.wait()
    server.should_exit = True
    await task


async def run_service(service: Service, *, host: str, port: int) -> None:
    """Start the service, serve its HTTP app (or health app) on host:port, stop cleanly on SIGTERM/SIGINT."""
    log = get_logger("runtime")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await service.start()
    log.info("service.started", port=port)
    try:
        app = service.app or health_app(service.health)
        if port:
            await serve_forever(app, host, port, stop)
        else:
            await stop.wait()
    finally:
        await service.stop()
        log.info("service.stopped")


def run_process(
    name: str,
    platform: PlatformSettings,
    build: Callable[[], Service],
    *,
    host: str | None = None,
    port: int | None = None,
) -> None:
    """A service process's whole `main`: observability first (so bootstrap logs are shaped), then build the
    service and run it until SIGTERM; host and port default to the platform's."""
    setup_observability(name, level=platform.log_level, json_logs=platform.json_logs)
    os.umask(0o077)  # stores, vaults and secrets this process writes are readable by its own user only
    asyncio.run(
        run_service(
            build(),
            host=platform.http_host if host is None else host,
            port=platform.http_port if port is None else port,
        )
    )
