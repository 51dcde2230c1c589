"""Logging, tracing, metrics and health for every service: configured once per process by `setup_observability`."""

from libs.observability.health import HealthState, health_app
from libs.observability.logging import configure_logging, get_logger
from libs.observability.tracing import configure_tracing

__all__ = ["HealthState", "configure_logging", "configure_tracing", "get_logger", "health_app", "setup_observability"]


def setup_observability(service: str, *, level: str = "INFO", json_logs: bool = True) -> None:
    """Configure structlog JSON logs and OpenTelemetry for `service`; call once from __main__."""
    configure_logging(service, level=level, json_logs=json_logs)
    configure_tracing(service)
