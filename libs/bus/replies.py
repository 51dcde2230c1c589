"""Request/reply bookkeeping of one bus instance: which reply ids its requests wait for (one reply, or a stream of
partial replies then the final one), how an arriving reply finds its waiter, and the bounded waits themselves."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass, field

from libs.bus.envelope import Envelope, derived_id
from libs.errors import Timeout, error_from_dict

ERROR_REPLY_TYPE = "common.ErrorReply.v1"

Send = Callable[[], Awaitable[None]]  # publishes the command (with this instance's reply topic)


def reply_id(request_id: str) -> str:
    """The id a reply to `request_id` carries: the requester waits on it, and redelivery re-emits the same."""
    return derived_id(request_id, "reply")


def delta_id(request_id: str, n: int) -> str:
    """The id of the n-th streamed reply before the final one: deterministic, so a redelivery re-sends the same."""
    return derived_id(request_id, "delta", str(n))


@dataclass
class _Stream:
    """A streaming request in flight: its replies in arrival order and the next delta id it expects."""

    request_id: str
    queue: asyncio.Queue[Envelope] = field(default_factory=asyncio.Queue)
    next_delta: int = 0


def _answer(reply: Envelope) -> Envelope:
    """The reply, or the typed DomainError an error reply carries."""
    if reply.type == ERROR_REPLY_TYPE:
        raise error_from_dict(reply.data)
    return reply


class ReplyWaiters:
    """Reply id -> its waiting request. Late or foreign replies find no waiter and are dropped."""

    def __init__(self) -> None:
        self._pending: dict[str, asyncio.Future[Envelope]] = {}
        # Expected reply id (the next delta, and the final reply) -> its streaming request.
        self._streams: dict[str, _Stream] = {}

    async def request(self, event_id: str, send: Send, *, topic: str, timeout: float) -> Envelope:  # noqa: ASYNC109
        """Send, then wait for the one reply to `event_id` within `timeout` seconds overall."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        future: asyncio.Future[Envelope] = loop.create_future()
        self._pending[reply_id(event_id)] = future
        try:
            await send()
            try:
                reply = await asyncio.wait_for(future, max(0.0, deadline - loop.time()))
            except TimeoutError:
                raise Timeout(
                    f"no reply from {topic} within {timeout:g}s",
                    {"topic": topic, "timeout_s": timeout, "event_id": event_id},
                ) from None
        finally:
            self._pending.pop(reply_id(event_id), None)
        return _answer(reply)

    async def stream(
        self,
        event_id: str,
        send: Send,
        *,
        topic: str,
        timeout: float,  # noqa: ASYNC109 - the bounded wait is the contract of request/reply
        idle_timeout: float | None,
    ) -> AsyncGenerator[Envelope, None]:
        """Send, then yield the partial replies in order and the final one; `timeout` bounds the whole exchange,
        `idle_timeout` each wait."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        stream = _Stream(event_id)
        final_id = reply_id(event_id)
        self._streams[final_id] = stream
        self._streams[delta_id(event_id, 0)] = stream
        try:
            await send()
            while True:
                wait = deadline - loop.time() if idle_timeout is None else min(deadline - loop.time(), idle_timeout)
                try:
                    reply = await asyncio.wait_for(stream.queue.get(), max(0.0, wait))
                except TimeoutError:
                    raise Timeout(
                        f"no reply from {topic} in time (stream)",
                        {"topic": topic, "timeout_s": timeout, "idle_timeout_s": idle_timeout, "event_id": event_id},
                    ) from None
                yield _answer(reply) if reply.id == final_id else reply
                if reply.id == final_id:
                    return
        finally:
            self._streams.pop(final_id, None)
            self._streams.pop(delta_id(event_id, stream.next_delta), None)

    @property
    def waiting(self) -> int:
        """Reply ids still awaited (0 once every request and stream has ended, however it ended)."""
        return len(self._pending) + len(self._streams)

    def deliver(self, env: Envelope) -> None:
        """Hand an arriving reply to its waiter, if any."""
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
