"""All services in one process on one MemoryBus: the quickest way to try the platform, and the unit-test wiring."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Callable
from pathlib import Path

from libs.bus import MemoryBus
from libs.observability import setup_observability
from libs.runtime import Service, serve_forever
from services.launcher.catalog import available_services, bootstrap_function, settings_class
from services.launcher.credentials import Credentials


def build_all(bus: MemoryBus) -> list[Service]:
    return [bootstrap_function(name)(settings_class(name)(), bus=bus) for name in available_services()]


async def _run(port: int, on_ready: Callable[[], None]) -> None:
    bus = MemoryBus(service_name="switchboard")
    services = build_all(bus)
    gateway = next(s for s in services if s.name == "gateway")
    assert gateway.app is not None
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    for service in services:
        await service.start(start_bus=False)
    await bus.start()
    on_ready()
    try:
        await serve_forever(gateway.app, "127.0.0.1", port, stop)
    finally:
        await bus.stop()
        for service in reversed(services):
            await service.stop(stop_bus=False)


def run_inproc(data_dir: Path, port: int, creds: Credentials, *, on_ready: Callable[[], None]) -> None:
    os.environ.update(creds.env() | {"SWITCHBOARD_BUS": "memory", "SWITCHBOARD_DATA_DIR": str(data_dir.resolve())})
    setup_observability("switchboard", json_logs=True)
    asyncio.run(_run(port, on_ready))
