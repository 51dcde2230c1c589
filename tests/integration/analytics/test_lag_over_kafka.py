"""Consumer lag per partition on a real Kafka broker: what the analytics group has not handled and committed
yet, exported as switchboard_analytics_consumer_lag, and back to 0 once the service has caught up."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest
from prometheus_client import REGISTRY

from libs.bus.lag import lag_probe
from libs.runtime import PlatformSettings, make_bus
from libs.store import open_store
from services.analytics.bootstrap import EVENT_TOPICS, bootstrap
from services.analytics.settings import AnalyticsSettings
from tests.support.analytics_traffic import send_day
from tests.support.kafka import Broker, kafka_broker

__all__ = ["kafka_broker"]

pytestmark = pytest.mark.integration


def exported(topic: str, partition: int) -> float | None:
    labels = {"topic": topic, "partition": str(partition)}
    return REGISTRY.get_sample_value("switchboard_analytics_consumer_lag", labels)


async def test_lag_per_partition_follows_the_group(kafka_broker: Broker, tmp_path: Path) -> None:
    group = f"analytics-lag-{uuid.uuid4().hex[:8]}"
    platform = PlatformSettings(
        bus="kafka", kafka_bootstrap=kafka_broker.bootstrap, data_dir=tmp_path, kafka_session_timeout_ms=6000
    )
    settings = AnalyticsSettings(platform=platform, consumer_group=group, lag_interval_s=0.2)
    client = make_bus(platform, "gateway")
    await client.start()
    probe = lag_probe(client)
    service = bootstrap(settings, store=open_store(database="analytics", sqlite_dir=tmp_path))
    try:
        before = await probe.lag(group, EVENT_TOPICS)  # a new group: every retained event is still to read
        sent = await send_day(client, "acme")
        after = await probe.lag(group, EVENT_TOPICS)
        assert sum(after.values()) - sum(before.values()) == sent
        assert {topic for topic, _ in after} == set(EVENT_TOPICS)
        assert after[("conversation.events", 0)] >= 0

        await service.start()
        for _ in range(300):
            lag = await probe.lag(group, EVENT_TOPICS)
            if not any(lag.values()) and all(exported(t, p) == 0 for t, p in lag):
                break
            await asyncio.sleep(0.2)
        else:
            raise AssertionError(f"the analytics group never caught up: {lag}")
    finally:
        await service.stop()
        await probe.close()
        await client.stop()
