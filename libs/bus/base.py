"""The Bus port: publish, subscribe with a consumer group, and request/reply; transports implement it."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from libs.bus.envelope import Envelope
from libs.contracts.registry import ContractRegistry, ContractViolation, ReplySpec
from libs.errors import PermanentError

R = TypeVar("R", bound=BaseModel)
D = TypeVar("D", bound=BaseModel)

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
    """Service code depends on this interface only; `KafkaBus` and `MemoryBus` implement it.

    Services use the typed calls (`ask`, `ask_part`, `ask_stream`, `emit`), which take the topic from
    contracts/topics.yaml; `publish`/`request`/`request_stream` with a topic are the transport's primitives.
    """

    registry: ContractRegistry

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
    def subscribe_live(self, topic: str, *, name: str, handler: TopicHandler) -> None:
        """Register a handler that sees every message published to `topic` from `start()` on, on this instance
        alone: no consumer group (each instance gets its own copy), no committed offsets, nothing older replayed.
        For per-instance views (a gateway replica's WebSocket feed); work that must happen once needs a group."""

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

    # -- typed calls: the topic and the reply type come from contracts/topics.yaml -------------------
    async def ask(
        self,
        command: BaseModel,
        reply: type[R],
        *,
        key: str | None,
        tenant_id: str,
        timeout: float,  # noqa: ASYNC109 - the bounded wait is the contract of request/reply
        correlation_id: str | None = None,
        event_id: str | None = None,
    ) -> R:
        """Send `command` on its declared topic and return its declared reply as `reply` (which must be the
        declared reply type: the static type of the answer, checked against topics.yaml). Raises as `request`."""
        answer = await self.ask_part(
            command, reply, key=key, tenant_id=tenant_id, timeout=timeout,
            correlation_id=correlation_id, event_id=event_id,
        )  # fmt: skip
        if answer is None:
            raise ContractViolation(f"{self.registry.type_of(command)} was answered with its interim reply")
        return answer

    async def ask_part(
        self,
        command: BaseModel,
        reply: type[R],
        *,
        key: str | None,
        tenant_id: str,
        timeout: float,  # noqa: ASYNC109 - the bounded wait is the contract of request/reply
        correlation_id: str | None = None,
        event_id: str | None = None,
    ) -> R | None:
        """`ask` for one part of an ordered upload: None when the service acknowledged it with the command's
        declared `interim` reply (more parts expected), else the final reply."""
        spec = self._reply_spec(command, reply)
        env = await self.request(
            spec.topic, command, key=key, tenant_id=tenant_id, timeout=timeout,
            correlation_id=correlation_id, event_id=event_id,
        )  # fmt: skip
        if spec.interim is not None and env.type == spec.interim:
            return None
        return self._reply_model(env, spec.reply, reply)

    async def ask_stream(
        self,
        command: BaseModel,
        delta: type[D],
        reply: type[R],
        *,
        key: str | None,
        tenant_id: str,
        timeout: float,  # noqa: ASYNC109 - the bounded wait is the contract of request/reply
        idle_timeout: float | None = None,
        correlation_id: str | None = None,
    ) -> AsyncGenerator[D | R, None]:
        """`request_stream` typed: the declared `stream` replies as `delta`, in order, then the reply as `reply`."""
        spec = self._reply_spec(command, reply)
        if spec.stream is None or self.registry.type_of(delta) != spec.stream:
            raise ContractViolation(f"{spec.command} does not stream {delta.__name__}", {"type": spec.command})
        replies = self.request_stream(
            spec.topic, command, key=key, tenant_id=tenant_id, timeout=timeout, idle_timeout=idle_timeout,
            correlation_id=correlation_id,
        )  # fmt: skip
        try:
            async for env in replies:
                if env.type == spec.stream:
                    yield self._reply_model(env, spec.stream, delta)
                else:
                    yield self._reply_model(env, spec.reply, reply)
        finally:
            await replies.aclose()  # stop waiting on the bus at once when the caller stops early

    async def emit(
        self,
        event: BaseModel,
        *,
        key: str | None,
        tenant_id: str,
        correlation_id: str | None = None,
        event_id: str | None = None,
    ) -> Envelope:
        """Publish `event` on the one topic topics.yaml declares its type on."""
        topic = self.registry.topic_of(self.registry.type_of(event))
        return await self.publish(
            topic, event, key=key, tenant_id=tenant_id, correlation_id=correlation_id, event_id=event_id
        )

    def _reply_spec(self, command: BaseModel, reply: type[BaseModel]) -> ReplySpec:
        spec = self.registry.reply_of(self.registry.type_of(command))
        if self.registry.type_of(reply) != spec.reply:
            raise ContractViolation(
                f"{spec.command} is answered with {spec.reply}, not {reply.__name__}", {"type": spec.command}
            )
        return spec

    def _reply_model(self, env: Envelope, declared: str, model: type[R]) -> R:
        """The reply's data as its declared model; a reply of another type is a broken contract, not data."""
        if env.type != declared:
            raise ContractViolation(f"expected {declared}, got {env.type}", {"type": env.type})
        try:
            return model.model_validate(env.data)  # the bus drops null fields: the model puts the documented nulls back
        except ValidationError as exc:
            fields = [".".join(map(str, e["loc"])) for e in exc.errors(include_input=False)]
            raise PermanentError(f"{env.type}: data does not fit its model (fields: {', '.join(fields)})") from None
