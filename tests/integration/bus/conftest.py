"""Fixtures for KafkaBus tests on a real Apache Kafka broker: one broker per session, unique topics per test."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from libs.bus import KafkaBus
from libs.contracts.registry import ContractRegistry
from tests.support.bus_conformance.harness import FAST_RETRY, Topics, wait_until
from tests.support.contracts import scratch_registry
from tests.support.kafka import Broker, kafka_broker, own_broker

__all__ = ["Topics", "kafka_broker", "own_broker", "wait_until"]

BusFactory = Callable[..., KafkaBus]


@pytest.fixture
def topics() -> Topics:
    return Topics()


@pytest.fixture
def registry(tmp_path: Path, topics: Topics) -> ContractRegistry:
    return scratch_registry(tmp_path / "contracts", topics.declared())


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
