"""The Bus port: publish, subscribe with a consumer group, and request/reply; transports implement it."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel

from libs.bus.envelope import Envelope

# A topic handler receives the decoded, contract-validated envelope. When the envelope carries `replyto`,
# the consumer loop sends the returned message (or the raised DomainError) back as the reply.
TopicHandler = Callable[[Envelope], Awaitable[BaseModel | None]]


@dataclass(frozen=True)
class MessageContext:
    """What a handler needs to know about the message it is handling (never the transport)."""

    event_id: str
    tenant_id: str
    correlation_id: str
    key: str | None
    type: str
    deadline: datetime | None = None  # when the requester stops waiting (commands sent by `request`)


class Bus(ABC):
    """Service code depends on this interface only; `KafkaBus` and `MemoryBus` implement it."""

    @abstractmethod
    async def start(self) -> None:
        """Create declared topics, start producers and every subscription's consumer loop."""

    @abstractmethod
    async def stop(self) -> None:
        """Stop consumers (finishing the message in hand), flush producers."""

    @abstractmethod
    def subscribe(self, topic: str, *, group: str, handler: TopicHandler, max_in_flight: int | None = None) -> None:
        """Register a consumer-group handler for `topic`; call before `start()`.

        Messages with the same key are handled strictly in order; different keys run concurrently, at most
        `max_in_flight` messages at once (None: the bus's default).
        """

    @abstractmethod
    async def publish(
        self,
        topic: str,
        message: BaseModel,
        *,
        key: str | None,
        tenant_id: str,
        correlation_id: str | None = None,
        event_id: str | None = None,
        reply_to: str | None = None,
        deadline: datetime | None = None,
    ) -> Envelope:
        """Validate `message` against its contract, wrap it in an Envelope and send it (acks=all).

        A `deadline` tells consumers to drop the message, unhandled, once it has passed (`request` sets it)."""

    @abstractmethod
    async def request(
        self,
        topic: str,
        message: BaseModel,
        *,
        key: str | None,
        tenant_id: str,
        timeout: float,  # noqa: ASYNC109 - the bounded wait is the contract of request/reply
        correlation_id: str | None = None,
        event_id: str | None = None,
    ) -> Envelope:
        """Send a command and wait for its reply on this instance's reply topic.

        Raises `libs.errors.Timeout` when no reply comes in `timeout` seconds, `Unavailable` when the broker
        cannot be reached, and the typed DomainError when the handler answered with an error reply.
        `event_id` (default: a new one) lets a caller retry one operation under one id (e.g. from an
        Idempotency-Key): the handler's inbox then answers the recorded reply instead of acting twice.
        """

    @abstractmethod
    def request_stream(
        self,
        topic: str,
        message: BaseModel,
        *,
        key: str | None,
        tenant_id: str,
        timeout: float,
        idle_timeout: float | None = None,
        correlation_id: str | None = None,
    ) -> AsyncGenerator[Envelope, None]:
        """Send a command whose handler streams (`reply_stream`): yields each streamed reply in order, then the
        final reply, and ends. `timeout` bounds the whole exchange and `idle_timeout` each wait for the next
        reply (`libs.errors.Timeout`); an error reply, even after some streamed ones, raises the typed error."""

    @property
    @abstractmethod
    def healthy(self) -> bool:
        """True while the transport is connected (readiness probes read it)."""
