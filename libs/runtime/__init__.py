"""What every service process shares: platform settings, building the bus and store, and the run loop."""

from libs.runtime.service import Service, run_process, run_service, serve_forever
from libs.runtime.settings import PlatformSettings, make_bus, open_service_store

__all__ = [
    "PlatformSettings",
    "Service",
    "make_bus",
    "open_service_store",
    "run_process",
    "run_service",
    "serve_forever",
]
