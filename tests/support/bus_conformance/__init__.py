"""One bus test suite for every transport (like eventsourcing's one base test case per port).

`BusConformance` holds the cases; each transport's test module subclasses it and provides a `harness` fixture
(tests/unit/bus/test_conformance.py: MemoryBus; tests/integration/bus/test_conformance.py: KafkaBus on a real
broker), so MemoryBus and KafkaBus run the very same test functions and cannot drift apart unnoticed.
"""

from __future__ import annotations

from tests.support.bus_conformance.context_cases import ContextCases
from tests.support.bus_conformance.delivery_cases import DeliveryCases
from tests.support.bus_conformance.envelope_cases import EnvelopeCases
from tests.support.bus_conformance.harness import BusHarness, KafkaHarness, MemoryHarness
from tests.support.bus_conformance.pubsub_cases import PubSubCases
from tests.support.bus_conformance.reply_cases import ReplyCases
from tests.support.bus_conformance.typed_cases import TypedCases

__all__ = ["BusConformance", "BusHarness", "KafkaHarness", "MemoryHarness"]


class BusConformance(PubSubCases, DeliveryCases, ReplyCases, TypedCases, EnvelopeCases, ContextCases):
    """Every behaviour the `Bus` port promises; a subclass supplies the `harness` fixture of its transport."""
