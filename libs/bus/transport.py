"""What every Bus transport shares: envelope building + validation on publish, request/reply bookkeeping, DLQ."""

from __future__ import annotations

import asyncio
from abc import abstractmethod
from collections.abc import AsyncGenerator, Awaitable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import structlog
from opentelemetry import trace
from pydantic import BaseModel

from libs.bus import sealing
from libs.bus.base import Bus, TopicHandler
from libs.bus.consumer import (
    ConsumerCore,
    DeadLetter,
    Headers,
    MemoryProcessedLog,
    ProcessedLog,
    Record,
    RetryPolicy,
    decode,
)
from libs.bus.envelope import SPEC_VERSION, Envelope, derived_id, new_id
from libs.bus.lanes import DEFAULT_MAX_IN_FLIGHT
from libs.bus.trace_context import derived_traceparent, inject, recording, tracer
from libs.contracts.registry import ContractRegistry, ContractViolation, default_registry
from libs.errors import Timeout, Unavailable, error_from_dict

log = structlog.get_logger("libs.bus")

ERROR_REPLY_TYPE = "common.ErrorReply.v1"


def reply_id(request_id: str) -> str:
    """The id a reply to `request_id` carries: the requester waits on it, and redelivery re-emits the same."""
    return derived_id(request_id, "reply")


def delta_id(request_id: str, n: int) -> str:
    """The id of the n-th streamed reply before the final one: deterministic, so a redelivery re-sends the same."""
    return derived_id(request_id, "delta", str(n))


@dataclass
class _ReplyStream:
    """A streaming request in flight: its replies in arrival order and the next delta id it expects."""

    request_id: str
    queue: asyncio.Queue[Envelope] = field(default_factory=asyncio.Queue)
    next_delta: int = 0


@dataclass(frozen=True)
class Subscription:
    topic: str
    group: str
    handler: TopicHandler
    max_in_flight: int


class TransportBus(Bus):
    """Bus logic above the wire; subclasses move bytes (`_send`) and run consumer loops over `ConsumerCore`."""

    def __init__(
        self,
        *,
        service_name: str,
        instance_id: str,
        registry: ContractRegistry | None = None,
        processed: ProcessedLog | None = None,
        retry: RetryPolicy | None = None,
        send_timeout: float = 10.0,
        max_in_flight: int = DEFAULT_MAX_IN_FLIGHT,
    ) -> None:
        if max_in_flight < 1:
            raise ValueError("max_in_flight must be at least 1")
        self.send_timeout = send_timeout
        self.max_in_flight = max_in_flight
        self.service_name = service_name
        self.instance_id = instance_id
        self.registry = registry or default_registry()
        self.processed = processed or MemoryProcessedLog()
        self.retry = retry or RetryPolicy()
        self.reply_topic = self.registry.reply_topics.name(service_name, instance_id)
        self._subscriptions: list[Subscription] = []
        self._pending: dict[str, asyncio.Future[Envelope]] = {}
        # Expected reply id (the next delta, and the final reply) -> its streaming request.
        self._streams: dict[str, _ReplyStream] = {}
        self._started = False
        self._source = f"/switchboard/{service_name}"
        self._types: dict[type[BaseModel], str] = {}

    @abstractmethod
    async def _send(self, topic: str, value: bytes, key: bytes | None, headers: Headers, within: float) -> None:
        """Deliver one record (acks=all) or raise `Unavailable` within `within` seconds."""

    # -- Bus API -------------------------------------------------------------------------------------
    def subscribe(self, topic: str, *, group: str, handler: TopicHandler, max_in_flight: int | None = None) -> None:
        if self._started:
            raise RuntimeError("subscribe() must be called before start()")
        if max_in_flight is not None and max_in_flight < 1:
            raise ValueError("max_in_flight must be at least 1")
        self.registry.topic(topic)  # undeclared topics fail at wiring time, not at the first message
        self._subscriptions.append(Subscription(topic, group, handler, max_in_flight or self.max_in_flight))

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
        timeout: float | None = None,  # noqa: ASYNC109 - bounds the broker acknowledgement
        deadline: datetime | None = None,
    ) -> Envelope:
        # Without a span processor nobody records spans: the child traceparent is derived directly instead of an SDK
        # span per message. A real span is not made current: attaching a context per message costs more than the send.
        span = tracer.start_span(f"send {topic}", kind=trace.SpanKind.PRODUCER) if recording() else None
        try:
            env = self.envelope(
                topic,
                message,
                key=key,
                tenant_id=tenant_id,
                correlation_id=correlation_id,
                event_id=event_id,
                reply_to=reply_to,
                traceparent=derived_traceparent() if span is None else inject(span),
                deadline=deadline,
            )
            await self._send_envelope(topic, env, timeout)
        finally:
            if span is not None:
                span.end()
        return env

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
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        event_id = event_id or new_id()  # a caller's own id: a retried command the consumer's inbox recognises
        future: asyncio.Future[Envelope] = loop.create_future()
        self._pending[reply_id(event_id)] = future
        try:
            await self._send_request(topic, message, key, tenant_id, correlation_id, event_id, timeout)
            remaining = max(0.0, deadline - loop.time())
            try:
                reply = await asyncio.wait_for(future, remaining)
            except TimeoutError:
                raise Timeout(
                    f"no reply from {topic} within {timeout:g}s",
                    {"topic": topic, "timeout_s": timeout, "event_id": event_id},
                ) from None
        finally:
            self._pending.pop(reply_id(event_id), None)
        if reply.type == ERROR_REPLY_TYPE:
            raise error_from_dict(reply.data)
        return reply

    async def _send_request(
        self,
        topic: str,
        message: BaseModel,
        key: str | None,
        tenant_id: str,
        correlation_id: str | None,
        event_id: str,
        within: float,
    ) -> None:
        """Publish a command whose replies come to this instance's reply topic."""
        await self.publish(
            topic,
            message,
            key=key,
            tenant_id=tenant_id,
            correlation_id=correlation_id,
            event_id=event_id,
            reply_to=self.reply_topic,
            timeout=within,
            deadline=datetime.now(UTC) + timedelta(seconds=within),
        )

    async def request_stream(
        self,
        topic: str,
        message: BaseModel,
        *,
        key: str | None,
        tenant_id: str,
        timeout: float,  # noqa: ASYNC109 - the bounded wait is the contract of request/reply
        idle_timeout: float | None = None,
        correlation_id: str | None = None,
    ) -> AsyncGenerator[Envelope, None]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        event_id = new_id()
        stream = _ReplyStream(event_id)
        final_id = reply_id(event_id)
        self._streams[final_id] = stream
        self._streams[delta_id(event_id, 0)] = stream
        try:
            await self._send_request(topic, message, key, tenant_id, correlation_id, event_id, timeout)
            while True:
                wait = deadline - loop.time()
                if idle_timeout is not None:
                    wait = min(wait, idle_timeout)
                try:
                    reply = await asyncio.wait_for(stream.queue.get(), max(0.0, wait))
                except TimeoutError:
                    raise Timeout(
                        f"no reply from {topic} in time (stream)",
                        {"topic": topic, "timeout_s": timeout, "idle_timeout_s": idle_timeout, "event_id": event_id},
                    ) from None
                if reply.id != final_id:
                    yield reply
                    continue
                if reply.type == ERROR_REPLY_TYPE:
                    raise error_from_dict(reply.data)
                yield reply
                return
        finally:
            self._streams.pop(final_id, None)
            self._streams.pop(delta_id(event_id, stream.next_delta), None)

    # -- building and sending ------------------------------------------------------------------------
    def envelope(
        self,
        topic: str,
        message: BaseModel,
        *,
        key: str | None,
        tenant_id: str,
        correlation_id: str | None = None,
        event_id: str | None = None,
        reply_to: str | None = None,
        traceparent: str | None = None,
        deadline: datetime | None = None,
    ) -> Envelope:
        """Check `message` against its contract and topic and wrap it; `traceparent` defaults to a child of the
        current trace."""
        message_type = self._types.get(type(message))
        if message_type is None:
            message_type = self._types[type(message)] = self.registry.type_of(message)
        self.registry.check_topic(topic, message_type)
        data = self.registry.dump(message_type, message)  # validates against the JSON Schema
        event_id = event_id or new_id()
        fields = {
            "specversion": SPEC_VERSION,
            "id": event_id,
            "source": self._source,
            "type": message_type,
            "time": datetime.now(UTC),
            "subject": key,
            "datacontenttype": "application/json",
            "data": data,
            "tenantid": tenant_id,
            "correlationid": correlation_id or event_id,
            "traceparent": traceparent if traceparent is not None else self._traceparent(),
            "replyto": reply_to,
            "deadline": deadline,
        }
        if _plain_strings(event_id, tenant_id, fields["correlationid"], key, reply_to, fields["traceparent"], deadline):
            return Envelope.trusted(fields)
        return Envelope.model_validate(fields)  # a caller passed a wrong type: the model says which field

    @staticmethod
    def _traceparent() -> str | None:
        if not recording():
            return derived_traceparent()
        return inject(trace.get_current_span())

    def _send_envelope(self, topic: str, env: Envelope, within: float | None) -> Awaitable[None]:
        """The `_send` of `env`, to await (a plain function: one coroutine frame less per publish)."""
        # The trace also rides as a Kafka header, for tools that read headers and not payloads.
        headers = (("traceparent", env.traceparent.encode()),) if env.traceparent else ()
        key = env.subject.encode() if env.subject is not None else None
        return self._send(topic, sealing.wire_bytes(topic, env), key, headers, within or self.send_timeout)

    async def _send_reply(self, reply_to: str, message: BaseModel, request: Envelope) -> None:
        env = self.envelope(
            reply_to,
            message,
            key=None,
            tenant_id=request.tenantid,
            correlation_id=request.correlationid,
            event_id=reply_id(request.id),
        )
        await self._send_envelope(reply_to, env, None)

    async def _send_dead_letter(self, letter: DeadLetter) -> None:
        await self._send(
            letter.dlq_topic, letter.record.value, letter.record.key, tuple(letter.headers()), self.send_timeout
        )

    def _core(self, sub: Subscription) -> ConsumerCore:
        return ConsumerCore(
            group=sub.group,
            handler=sub.handler,
            registry=self.registry,
            processed=self.processed,
            retry=self.retry,
            send_reply=self._send_reply,
            dead_letter=self._send_dead_letter,
        )

    def _on_reply(self, record: Record) -> None:
        """Resolve the waiting request; late or foreign replies are dropped (their requester gave up)."""
        try:
            env = decode(record, self.registry)
        except ContractViolation as exc:
            log.warning("bus.bad_reply", topic=record.topic, details=exc.details)
            return
        future = self._pending.get(env.id)
        if future is not None and not future.done():
            future.set_result(env)
            return
        stream = self._streams.get(env.id)
        if stream is None:
            return
        if env.id == delta_id(stream.request_id, stream.next_delta):
            # The reply topic has one partition, so deltas arrive in order: wait for the next one only. A
            # redelivered handler re-sends deltas already seen; their ids are no longer expected and are dropped.
            del self._streams[env.id]
            stream.next_delta += 1
            self._streams[delta_id(stream.request_id, stream.next_delta)] = stream
        stream.queue.put_nowait(env)

    def _unavailable(self, topic: str, why: str) -> Unavailable:
        return Unavailable(f"message bus unavailable: {why}", {"topic": topic})


def _plain_strings(
    event_id: object,
    tenant_id: object,
    correlation_id: object,
    key: object,
    reply_to: object,
    traceparent: object,
    deadline: object,
) -> bool:
    """The caller-supplied envelope fields have the types the model demands (checked without the model)."""
    return (
        type(event_id) is str
        and type(tenant_id) is str
        and type(correlation_id) is str
        and (key is None or type(key) is str)
        and (reply_to is None or type(reply_to) is str)
        and (traceparent is None or type(traceparent) is str)
        and (deadline is None or (type(deadline) is datetime and deadline.tzinfo is not None))
    )
