"""A real Apache Kafka broker for tests (libs.bus.local_kafka): one per session, or a test's own to kill and restart."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from libs.bus.local_kafka import KAFKA_VERSION, LocalKafka, is_fetched

# Tests stop consumers on purpose and wait for their partitions to move: a short group session keeps that to
# about a second. The broker refuses sessions under this minimum (6 s by default).
TEST_BROKER_SETTINGS = {"group.min.session.timeout.ms": 1000}

Broker = LocalKafka


def start_broker(data_dir: Path) -> LocalKafka:
    if not is_fetched():
        pytest.fail(f"Apache Kafka {KAFKA_VERSION} is not installed: run `make install` (it fetches the broker)")
    return LocalKafka(data_dir, overrides=TEST_BROKER_SETTINGS).start()


@pytest.fixture(scope="session")
def kafka_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalKafka]:
    """One broker for the whole session: tests use unique topic/group names (see `Topics`)."""
    broker = start_broker(tmp_path_factory.mktemp("kafka"))
    try:
        yield broker
    finally:
        broker.stop()


@pytest.fixture
def own_broker(tmp_path: Path) -> Iterator[LocalKafka]:
    """A broker of the test's own, for tests that kill, stop or restart it (same port, same log)."""
    broker = start_broker(tmp_path / "kafka")
    try:
        yield broker
    finally:
        broker.stop()
