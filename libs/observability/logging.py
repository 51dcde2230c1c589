"""structlog configuration: JSON lines on stdout, contextvars (correlation/event ids) bound, PII scrubbed."""

from __future__ import annotations

import logging
import sys
from typing import Any

import structlog

from libs.observability.pii_scrub import scrub_pii


def configure_logging(service: str, *, level: str = "INFO", json_logs: bool = True) -> None:
    renderer: Any = structlog.processors.JSONRenderer() if json_logs else structlog.dev.ConsoleRenderer()
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            # Last before rendering so that nothing added later escapes the scrubber.
            scrub_pii,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stdout),
        cache_logger_on_first_use=True,
    )
    structlog.contextvars.bind_contextvars(service=service)
    # Libraries that log through the stdlib (uvicorn, aiokafka) go to stderr at WARNING so stdout stays JSON.
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s %(message)s")


def get_logger(name: str | None = None) -> Any:
    return structlog.get_logger(name)
