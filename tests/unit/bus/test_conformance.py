"""The bus conformance suite (tests/support/bus_conformance) on MemoryBus."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support.bus_conformance import BusConformance, BusHarness, MemoryHarness


class TestMemoryBus(BusConformance):
    @pytest.fixture
    async def harness(self, tmp_path: Path) -> AsyncIterator[MemoryHarness]:
        harness = MemoryHarness(tmp_path)
        yield harness
        await harness.close()

    # A known gap, kept visible: strict, so this fails (and the mark must go) the day MemoryBus closes it.
    @pytest.mark.xfail(
        strict=True,
        raises=ValueError,
        reason="MemoryBroker allows one member per consumer group: a second one is refused at subscribe()",
    )
    async def test_members_of_one_group_share_its_partitions(self, harness: BusHarness) -> None:
        await super().test_members_of_one_group_share_its_partitions(harness)

    @pytest.mark.xfail(strict=True, reason="MemoryBus sends before start(); KafkaBus has no producer yet: Unavailable")
    async def test_publishing_on_a_bus_that_is_not_started_fails_unavailable(self, harness: BusHarness) -> None:
        await super().test_publishing_on_a_bus_that_is_not_started_fails_unavailable(harness)
