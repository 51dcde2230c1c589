"""Fixtures for KafkaBus tests on a real Apache Kafka broker: one broker per session, unique topics per test."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from libs.bus import KafkaBus, RetryPolicy
from libs.contracts.registry import ContractRegistry
from tests.support.bus_conformance.harness import wait_until
from tests.support.contracts import COMMAND, EVENT, RESULT, scratch_registry
from tests.support.kafka import Broker, kafka_broker, own_broker

__all__ = ["kafka_broker", "own_broker", "wait_until"]

FAST_RETRY = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.05)
BusFactory = Callable[..., KafkaBus]


class Topics:
    def __init__(self) -> None:
        prefix = f"it{uuid.uuid4().hex[:8]}"
        self.events = f"{prefix}.events"
        self.commands = f"{prefix}.commands"
        self.single = f"{prefix}.single"  # one partition: every key shares it (offset-prefix commit tests)


@pytest.fixture
def topics() -> Topics:
    return Topics()


@pytest.fixture
def registry(tmp_path: Path, topics: Topics) -> ContractRegistry:
    return scratch_registry(
        tmp_path / "contracts",
        {
            topics.events: {"partitions": 3, "messages": [EVENT]},
            topics.commands: {"partitions": 2, "messages": [COMMAND], "replies": [RESULT]},
            topics.single: {"partitions": 1, "messages": [EVENT]},
        },
    )


def make_factory(registry: ContractRegistry, made: list[KafkaBus]) -> Callable[..., KafkaBus]:
    def make(broker: Broker, service: str = "svc", instance: str | None = None, **kwargs: object) -> KafkaBus:
        options: dict[str, object] = {"retry": FAST_RETRY, "session_timeout_ms": 2000, "stop_timeout": 5.0}
        bus = KafkaBus(broker.bootstrap, service, instance or uuid.uuid4().hex[:6], registry, **(options | kwargs))
        made.append(bus)
        return bus

    return make


@pytest.fixture
async def kafka_bus(registry: ContractRegistry) -> AsyncIterator[BusFactory]:
    """Makes KafkaBus objects on the given broker; stops them all after the test."""
    made: list[KafkaBus] = []
    yield make_factory(registry, made)
    await asyncio.gather(*(bus.stop() for bus in made), return_exceptions=True)
