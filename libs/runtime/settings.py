"""Platform-wide settings (env prefix SWITCHBOARD_) embedded in every service's settings, and their factories."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from libs.bus.base import Bus
from libs.store import DocumentStore, open_store


class PlatformSettings(BaseSettings):
    """Where the shared infrastructure is: broker, stores, data folder; identical for every service."""

    model_config = SettingsConfigDict(env_prefix="SWITCHBOARD_", extra="ignore")

    bus: Literal["kafka", "memory"] = "kafka"
    kafka_bootstrap: str = "127.0.0.1:9092"
    # How long a crashed member holds its partitions before the group moves them; Kafka refuses values under
    # its group.min.session.timeout.ms (6000 by default), which the local stack uses.
    kafka_session_timeout_ms: int = 10_000
    # Bounds only idle polling: Kafka answers a waiting fetch as soon as data arrives.
    kafka_fetch_max_wait_ms: int = 500
    # Messages one subscription handles at once (different keys in parallel, each key in order): request/reply
    # handlers spend most of a turn waiting on other services, so one-at-a-time would cap throughput.
    bus_max_in_flight: int = Field(default=64, ge=1)
    # AES-256-GCM key (urlsafe base64) sealing command and reply payloads on the bus (libs/bus/sealing.py); the same
    # in every service. Empty: payloads travel in clear (the in-process bus, unit tests).
    bus_seal_key: SecretStr = SecretStr("")
    data_dir: Path = Path(".switchboard")
    mongodb_url: str | None = None
    redis_url: str | None = None
    qdrant_url: str | None = None
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=0, description="health/ready/metrics port of a non-gateway service; 0 = none")
    log_level: str = "INFO"
    json_logs: bool = True
    instance_id: str = Field(default_factory=lambda: uuid.uuid4().hex[:12])


def make_bus(platform: PlatformSettings, service: str) -> Bus:
    """KafkaBus on a real broker, or MemoryBus for single-process mode and unit tests."""
    from libs.bus import KafkaBus, MemoryBus, sealing

    sealing.configure(platform.bus_seal_key.get_secret_value())
    if platform.bus == "memory":
        return MemoryBus(service_name=service, max_in_flight=platform.bus_max_in_flight)
    return KafkaBus(
        platform.kafka_bootstrap,
        service_name=service,
        instance_id=platform.instance_id,
        session_timeout_ms=platform.kafka_session_timeout_ms,
        fetch_max_wait_ms=platform.kafka_fetch_max_wait_ms,
        max_in_flight=platform.bus_max_in_flight,
    )


def open_service_store(platform: PlatformSettings, service: str) -> DocumentStore:
    """Each service owns one database: MongoDB when configured, else a SQLite file under the data folder."""
    sqlite_dir = platform.data_dir / "db"
    if not platform.mongodb_url:
        sqlite_dir.mkdir(parents=True, exist_ok=True)
    return open_store(database=service, mongodb_url=platform.mongodb_url, sqlite_dir=sqlite_dir)
