"""What a consumer works on and with, transport-free: the raw record, its decoding into a contract-checked envelope,
the retry policy, the processed-ids log that dedupes redeliveries, and the dead letter a failed record becomes."""

from __future__ import annotations

import random
from collections import OrderedDict
from dataclasses import dataclass
from typing import NamedTuple, Protocol

from pydantic import ValidationError

from libs.bus.envelope import Envelope
from libs.bus.sealing import unseal
from libs.contracts.registry import ContractRegistry, ContractViolation

Headers = tuple[tuple[str, bytes], ...]


@dataclass(frozen=True)
class RetryPolicy:
    """How often a failing handler is retried (in place, so its partition keeps its order) before the DLQ."""

    attempts: int = 4
    base_delay: float = 0.2
    max_delay: float = 5.0

    def delay(self, attempt: int) -> float:
        """Exponential backoff with ±20 % jitter so that failing consumers do not retry in lockstep."""
        return min(self.max_delay, self.base_delay * 2 ** (attempt - 1)) * random.uniform(0.8, 1.2)


class ProcessedLog(Protocol):
    """Remembers which event ids a consumer group has handled; services may plug in a store-backed one."""

    async def seen(self, group: str, event_id: str) -> bool: ...

    async def mark(self, group: str, event_id: str) -> None: ...


class MemoryProcessedLog:
    """Bounded in-process LRU of handled (group, event id): dedupes redeliveries while the process lives.

    Redeliveries are the records after the last commit (at most the in-flight window), so a few thousand ids
    cover them; services that change state keep their own inbox. 100,000 ids (~25 MB) grew every consumer of
    events through a whole soak."""

    def __init__(self, capacity: int = 10_000) -> None:
        self._capacity = capacity
        self._ids: OrderedDict[tuple[str, str], None] = OrderedDict()

    async def seen(self, group: str, event_id: str) -> bool:
        key = (group, event_id)
        if key in self._ids:
            self._ids.move_to_end(key)
            return True
        return False

    async def mark(self, group: str, event_id: str) -> None:
        ids, key = self._ids, (group, event_id)
        if key in ids:
            ids.move_to_end(key)
            return
        ids[key] = None
        while len(ids) > self._capacity:
            ids.popitem(last=False)


class Record(NamedTuple):
    """One message as a transport received it (a NamedTuple: immutable, and built once per message at tuple cost)."""

    topic: str
    value: bytes
    partition: int = 0
    offset: int = -1
    key: bytes | None = None
    headers: Headers = ()


@dataclass(frozen=True)
class DeadLetter:
    """A message parked on `<topic>.dlq`: the original bytes and headers plus why and where it failed."""

    record: Record
    group: str
    error_type: str
    error: str
    attempts: int
    event_id: str | None = None

    @property
    def dlq_topic(self) -> str:
        return f"{self.record.topic}.dlq"

    def headers(self) -> list[tuple[str, bytes]]:
        extra = {
            "x-dlq-source-topic": self.record.topic,
            "x-dlq-source-partition": str(self.record.partition),
            "x-dlq-source-offset": str(self.record.offset),
            "x-dlq-group": self.group,
            "x-dlq-error-type": self.error_type,
            "x-dlq-error": self.error[:1000],
            "x-dlq-attempts": str(self.attempts),
        }
        return [*self.record.headers, *((k, v.encode()) for k, v in extra.items())]


def decode(record: Record, registry: ContractRegistry) -> Envelope:
    """Parse and contract-check a record; ContractViolation names what is wrong, never the payload."""
    try:
        env = Envelope.model_validate_json(record.value)
    except ValidationError as exc:
        fields = [".".join(map(str, e["loc"])) or e["type"] for e in exc.errors(include_input=False)]
        raise ContractViolation("undecodable envelope", {"topic": record.topic, "fields": fields}) from None
    registry.check_topic(record.topic, env.type)
    unseal(env)  # commands and replies travel sealed (sealing.py)
    registry.validate(env.type, env.data)
    return env
