"""The bus conformance suite (tests/support/bus_conformance) on KafkaBus against a real Apache Kafka broker."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support.bus_conformance import BusConformance, KafkaHarness
from tests.support.kafka import Broker

pytestmark = pytest.mark.integration


class TestKafkaBus(BusConformance):
    @pytest.fixture
    async def harness(self, tmp_path: Path, kafka_broker: Broker) -> AsyncIterator[KafkaHarness]:
        harness = KafkaHarness(tmp_path, kafka_broker)
        yield harness
        await harness.close()
