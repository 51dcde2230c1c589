"""What every Bus transport shares: envelope building + validation on publish, request/reply bookkeeping, DLQ."""

from __future__ import annotations

import uuid
from abc import abstractmethod
from collections.abc import AsyncGenerator, Awaitable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial

import structlog
from opentelemetry import trace
from pydantic import BaseModel

from libs.bus import sealing
from libs.bus.base import Bus, TopicHandler
from libs.bus.consumer import ConsumerCore
from libs.bus.envelope import SPEC_VERSION, Envelope, new_id
from libs.bus.lanes import DEFAULT_MAX_IN_FLIGHT
from libs.bus.records import DeadLetter, Headers, MemoryProcessedLog, ProcessedLog, Record, RetryPolicy, decode
from libs.bus.replies import ReplyWaiters, reply_id
from libs.bus.trace_context import derived_traceparent, inject, recording, tracer
from libs.contracts.registry import ContractRegistry, ContractViolation, default_registry
from libs.errors import Unavailable
from libs.observability.context import current_correlation_id

log = structlog.get_logger("libs.bus")


@dataclass(frozen=True)
class Subscription:
    topic: str
    group: str
    handler: TopicHandler
    max_in_flight: int
    live: bool = False  # subscribe_live: no group, starts at the end, never commits


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
        self.waiters = ReplyWaiters()  # this instance's requests waiting for their replies
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

    def subscribe_live(self, topic: str, *, name: str, handler: TopicHandler) -> None:
        if self._started:
            raise RuntimeError("subscribe_live() must be called before start()")
        self.registry.topic(topic)
        # Unique per instance and start: it names no broker group, only this copy (metrics, dedupe log).
        group = f"{name}.{self.instance_id}.{uuid.uuid4().hex[:8]}"
        self._subscriptions.append(Subscription(topic, group, handler, self.max_in_flight, live=True))

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
        event_id = event_id or new_id()  # a caller's own id: a retried command the consumer's inbox recognises
        send = partial(self._send_request, topic, message, key, tenant_id, correlation_id, event_id, timeout)
        return await self.waiters.request(event_id, send, topic=topic, timeout=timeout)

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
        event_id = new_id()
        send = partial(self._send_request, topic, message, key, tenant_id, correlation_id, event_id, timeout)
        return self.waiters.stream(event_id, send, topic=topic, timeout=timeout, idle_timeout=idle_timeout)

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
            # Unnamed, it is the one of the work in hand (a gateway request, a handled message), else its own id.
            "correlationid": correlation_id or current_correlation_id() or event_id,
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
        self.waiters.deliver(env)

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
