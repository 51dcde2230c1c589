"""Turns a service's HANDLERS table into a TopicHandler; Publisher re-emits effects with deterministic ids and
ReplyStream sends a request's ordered partial replies before its final one."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping
from functools import partial
from typing import Any

from pydantic import BaseModel, ValidationError

from libs.bus import deferred
from libs.bus.base import Bus, MessageContext, TopicHandler
from libs.bus.envelope import Envelope, derived_id
from libs.bus.replies import delta_id
from libs.contracts.registry import ContractRegistry, default_registry
from libs.errors import PermanentError

HandlerFn = Callable[..., Awaitable[BaseModel | None]]


def context_of(env: Envelope) -> MessageContext:
    return MessageContext(
        event_id=env.id,
        tenant_id=env.tenantid,
        correlation_id=env.correlationid,
        key=env.subject,
        type=env.type,
        deadline=env.deadline,
    )


def decode_data(env: Envelope, registry: ContractRegistry | None = None) -> BaseModel:
    """The envelope's `data` as its generated model (e.g. a request() reply)."""
    model = (registry or default_registry()).model_for(env.type)
    try:
        return model.model_validate(env.data)
    except ValidationError as exc:
        # Field paths only: pydantic's own message would echo the input values.
        fields = [".".join(map(str, e["loc"])) for e in exc.errors(include_input=False)]
        raise PermanentError(f"{env.type}: data does not fit its model (fields: {', '.join(fields)})") from None


class Publisher:
    """Publishes on behalf of the message being handled: same tenant and correlation, derived event ids.

    The n-th message of a given (topic, type) gets `derived_id(ctx.event_id, topic, type, n)`, so handling a
    redelivered message re-emits identical ids and downstream consumers dedupe them.
    """

    def __init__(self, bus: Bus, ctx: MessageContext, registry: ContractRegistry | None = None) -> None:
        self._bus = bus
        self._ctx = ctx
        self._registry = registry or default_registry()
        self._counts: dict[tuple[str, str], int] = {}

    async def __call__(self, message: BaseModel, *, key: str | None = None, topic: str | None = None) -> None:
        """Publish now, or, while a request is handled, right after its reply (libs/bus/deferred.py). The topic is
        the one topics.yaml declares the type on; `topic` names it only for a type declared on several."""
        message_type = self._registry.type_of(message)
        topic = topic or self._registry.topic_of(message_type)
        n = self._counts.get((topic, message_type), 0)
        self._counts[(topic, message_type)] = n + 1
        send = partial(
            self._bus.publish,
            topic,
            message,
            key=key if key is not None else self._ctx.key,
            tenant_id=self._ctx.tenant_id,
            correlation_id=self._ctx.correlation_id,
            event_id=derived_id(self._ctx.event_id, topic, message_type, str(n)),
        )
        if not deferred.defer(send):
            await send()


class ReplyStream:
    """Sends partial replies to the requester of the message being handled, in order, before the handler's
    return value (the final reply). The n-th gets `delta_id(request id, n)`: `Bus.request_stream` waits for
    exactly that id, so replies re-sent by a redelivery are recognised and dropped. Without a requester
    (`replyto` unset) it sends nothing."""

    def __init__(self, bus: Bus, env: Envelope) -> None:
        self._bus = bus
        self._env = env
        self.sent = 0

    async def __call__(self, message: BaseModel) -> None:
        if not self._env.replyto:
            return
        n, self.sent = self.sent, self.sent + 1
        await self._bus.publish(
            self._env.replyto,
            message,
            key=None,
            tenant_id=self._env.tenantid,
            correlation_id=self._env.correlationid,
            event_id=delta_id(self._env.id, n),
        )


def build_topic_handler(
    bus: Bus | None,
    handlers: Mapping[str, HandlerFn],
    deps: Mapping[str, Any] | None = None,
    *,
    registry: ContractRegistry | None = None,
) -> TopicHandler:
    """Route each envelope by type: `await fn(model, ctx=MessageContext, **deps)`.

    Handlers that declare a `publish` parameter also get a `Publisher` bound to the message, and those that
    declare `reply_stream` a `ReplyStream` (both need `bus`).
    Unknown types raise PermanentError (parked on the DLQ): the topic carries a type this service cannot handle.
    """
    reg = registry or default_registry()
    static = dict(deps or {})
    # Each handler gets only the dependencies it names, so one table can mix handlers with different needs.
    params = {t: inspect.signature(fn).parameters for t, fn in handlers.items()}
    own_deps = {t: {k: v for k, v in static.items() if k in params[t]} for t in handlers}
    wants_publish = {t: "publish" in params[t] for t in handlers}
    wants_stream = {t: "reply_stream" in params[t] for t in handlers}
    for message_type in handlers:
        reg.model_for(message_type)  # a table naming an unknown type fails at wiring time
        if (wants_publish[message_type] or wants_stream[message_type]) and bus is None:
            raise ValueError(f"handler for {message_type!r} takes `publish` or `reply_stream`: pass the bus")

    async def handle(env: Envelope) -> BaseModel | None:
        fn = handlers.get(env.type)
        if fn is None:
            raise PermanentError(f"no handler for {env.type!r}")
        message = decode_data(env, reg)
        ctx = context_of(env)
        kwargs = dict(own_deps[env.type])
        if bus is not None and wants_publish[env.type]:
            kwargs["publish"] = Publisher(bus, ctx, reg)
        if bus is not None and wants_stream[env.type]:
            kwargs["reply_stream"] = ReplyStream(bus, env)
        return await fn(message, ctx=ctx, **kwargs)

    return handle
