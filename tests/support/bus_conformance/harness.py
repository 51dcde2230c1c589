"""What the bus conformance suite needs from a transport, and the two transports behind it.

Every case in the suite talks to the bus only through the `Bus` API plus the few things a test needs from the
"broker" itself: raw records to inject (the receive side's contract check), the dead-letter topic to read, and a way
to make buses. Both harnesses declare the same scratch topics, with unique names, so a case runs unchanged on both.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from prometheus_client import REGISTRY

from libs.bus import Envelope, KafkaBus, MemoryBroker, MemoryBus, RetryPolicy
from libs.bus.records import Record
from libs.bus.transport import TransportBus
from libs.contracts.registry import ContractRegistry
from tests.support.contracts import COMMAND, EVENT, GENERATE, RESULT, SINGLE_HOME_EVENT, UPLOAD_PART, scratch_registry
from tests.support.kafka import Broker

FAST_RETRY = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.05)


class Topics:
    """Unique topic names per test; `single` has one partition, so every key shares it (commit-prefix cases)."""

    def __init__(self) -> None:
        prefix = f"cf{uuid.uuid4().hex[:8]}"
        self.events = f"{prefix}.events"
        self.commands = f"{prefix}.commands"
        self.single = f"{prefix}.single"

    def declared(self) -> dict[str, dict[str, object]]:
        return {
            self.events: {"partitions": 3, "messages": [EVENT, SINGLE_HOME_EVENT]},
            self.commands: {
                "partitions": 2,
                "messages": [COMMAND, GENERATE, UPLOAD_PART],
                "replies": {
                    COMMAND: RESULT,
                    GENERATE: {"reply": "conversation.GenerateResult.v1", "stream": "conversation.GenerationDelta.v1"},
                    UPLOAD_PART: {"reply": "rag.UploadResult.v1", "interim": "rag.UploadProgress.v1"},
                },
            },
            self.single: {"partitions": 1, "messages": [EVENT]},
        }


class BusHarness(ABC):
    """Makes buses of one transport over one broker and stops them all at the end of the test."""

    def __init__(self, root: Path) -> None:
        self.topics = Topics()
        self.registry: ContractRegistry = scratch_registry(root / "contracts", self.topics.declared())
        self.made: list[TransportBus] = []

    def bus(
        self,
        service: str = "svc",
        *,
        retry: RetryPolicy = FAST_RETRY,
        max_in_flight: int | None = None,
        stop_timeout: float = 5.0,
    ) -> TransportBus:
        """A new bus instance (a service process) with its own reply topic and processed-ids log."""
        bus = self._make(service, uuid.uuid4().hex[:6], retry, stop_timeout, max_in_flight)
        self.made.append(bus)
        return bus

    async def recorder(self, topic: str, group: str = "g") -> tuple[TransportBus, list[str]]:
        """Start a bus whose `group` member records the `data.id` of each message of `topic`, in handling order."""
        seen: list[str] = []

        async def record(env: Envelope) -> None:
            seen.append(env.data["id"])

        bus = self.bus()
        bus.subscribe(topic, group=group, handler=record)
        await bus.start()
        return bus, seen

    @abstractmethod
    def _make(
        self, service: str, instance: str, retry: RetryPolicy, stop_timeout: float, max_in_flight: int | None
    ) -> TransportBus: ...

    @abstractmethod
    async def inject(self, topic: str, value: bytes, key: bytes | None) -> None:
        """Put raw bytes on `topic`, past the publishing bus's contract check (a foreign or broken producer)."""

    @abstractmethod
    async def dead_letters(self, topic: str, expected: int) -> list[Record]:
        """The records on `<topic>.dlq`, once `expected` are there (or whatever is there after a bounded wait)."""

    async def close(self) -> None:
        await asyncio.gather(*(bus.stop() for bus in self.made), return_exceptions=True)


class MemoryHarness(BusHarness):
    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.broker = MemoryBroker()

    def _make(
        self, service: str, instance: str, retry: RetryPolicy, stop_timeout: float, max_in_flight: int | None
    ) -> TransportBus:
        options = {"max_in_flight": max_in_flight} if max_in_flight else {}
        return MemoryBus(
            self.broker,
            service_name=service,
            instance_id=instance,
            registry=self.registry,
            retry=retry,
            stop_timeout=stop_timeout,
            **options,
        )

    async def inject(self, topic: str, value: bytes, key: bytes | None) -> None:
        self.broker.send(topic, value, key, (), self.registry.partitions(topic))

    async def dead_letters(self, topic: str, expected: int) -> list[Record]:
        await wait_until(lambda: len(self.broker.records(f"{topic}.dlq")) >= expected, within=2, strict=False)
        return self.broker.records(f"{topic}.dlq")


class KafkaHarness(BusHarness):
    def __init__(self, root: Path, broker: Broker) -> None:
        super().__init__(root)
        self.broker = broker

    def _make(
        self, service: str, instance: str, retry: RetryPolicy, stop_timeout: float, max_in_flight: int | None
    ) -> TransportBus:
        # A 2 s group session (the test broker allows it) keeps hand-overs between members to about a second.
        options = {"max_in_flight": max_in_flight} if max_in_flight else {}
        return KafkaBus(
            self.broker.bootstrap,
            service,
            instance,
            self.registry,
            retry=retry,
            session_timeout_ms=2000,
            stop_timeout=stop_timeout,
            **options,
        )

    async def inject(self, topic: str, value: bytes, key: bytes | None) -> None:
        producer = AIOKafkaProducer(bootstrap_servers=self.broker.bootstrap, acks="all")
        await producer.start()
        try:
            await producer.send_and_wait(topic, value=value, key=key)
        finally:
            await producer.stop()

    async def dead_letters(self, topic: str, expected: int) -> list[Record]:
        reader = AIOKafkaConsumer(
            f"{topic}.dlq", bootstrap_servers=self.broker.bootstrap, auto_offset_reset="earliest", group_id=None
        )
        await reader.start()
        found: list[Record] = []
        deadline = time.monotonic() + (10 if expected else 0.5)
        try:
            while time.monotonic() < deadline and (len(found) < expected or not expected):
                batch = await reader.getmany(timeout_ms=200)
                found += [
                    Record(m.topic, m.value, m.partition, m.offset, m.key, tuple(m.headers))
                    for records in batch.values()
                    for m in records
                ]
        finally:
            await reader.stop()
        return found


async def wait_until(
    predicate: Callable[[], bool], within: float = 15.0, what: str = "condition", *, strict: bool = True
) -> None:
    """Poll `predicate` (both transports deliver asynchronously); fail after `within` s unless `strict` is off."""
    deadline = time.monotonic() + within
    while not predicate():
        if time.monotonic() > deadline:
            if strict:
                raise AssertionError(f"timed out waiting for {what}")
            return
        await asyncio.sleep(0.01)


def bus_messages(topic: str, group: str, outcome: str) -> float:
    """`switchboard_bus_messages_total` for one (topic, group, outcome), read through the public registry API."""
    value = REGISTRY.get_sample_value(
        "switchboard_bus_messages_total", {"topic": topic, "group": group, "outcome": outcome}
    )
    return value or 0.0
