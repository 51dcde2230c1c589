"""The analytics service through bootstrap() on MemoryBus, with a client bus to publish events and query."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from libs.bus import MemoryBroker, MemoryBus
from libs.runtime import PlatformSettings, Service
from libs.store import DocumentStore, open_store
from services.analytics.bootstrap import bootstrap
from services.analytics.settings import AnalyticsSettings


@pytest.fixture
def analytics_store() -> DocumentStore:
    return open_store(database="a")


@pytest.fixture
async def stack(tmp_path, analytics_store: DocumentStore) -> AsyncIterator[tuple[Service, MemoryBus]]:
    broker = MemoryBroker()
    settings = AnalyticsSettings(platform=PlatformSettings(bus="memory", data_dir=tmp_path))
    service = bootstrap(settings, bus=MemoryBus(broker, service_name="analytics"), store=analytics_store)
    client = MemoryBus(broker, service_name="gateway")
    await service.start()
    await client.start()
    yield service, client
    await client.stop()
    await service.stop()
