"""Events that a request's handler publishes leave after its reply.

Why: aiokafka keeps one produce request in flight per broker connection, so an event sent before the reply makes
the requester wait one more broker acknowledgement on every request/reply hop (four hops in a turn). Sending the
reply first and the handler's events right behind it takes that wait off the requester's path while keeping the
delivery promise: the consumer marks the request handled, and its offset becomes committable, only once every
deferred event is acknowledged. A crash in between redelivers the request, and the handler re-publishes the same
derived event ids, so consumers still see each event once.

Only a `Publisher` (the handler's own events) defers; a command a handler sends with `bus.request` is never held
back, since its reply is awaited inside the handler.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

Send = Callable[[], Awaitable[object]]


class Held(list[Send]):
    """The sends held for one handler attempt; closed when the handler returns, so a task it started that outlives
    it (e.g. background indexing) sends its events itself instead of into a list nobody reads any more."""

    open = True


_HELD: ContextVar[Held | None] = ContextVar("switchboard_deferred_sends", default=None)


@contextmanager
def holding(sends: Held, *, enabled: bool) -> Iterator[None]:
    """While the block runs, `defer()` appends to `sends` instead of letting the caller send (when enabled).
    Tasks the handler starts (e.g. `asyncio.gather`) copy the context and append to the same list."""
    if not enabled:
        yield
        return
    token = _HELD.set(sends)
    try:
        yield
    finally:
        sends.open = False
        _HELD.reset(token)


def defer(send: Send) -> bool:
    """Hold `send` for after the reply; False when no request is being handled (the caller sends it now)."""
    held = _HELD.get()
    if held is None or not held.open:
        return False
    held.append(send)
    return True


def start(sends: list[Send]) -> list[asyncio.Future[object]]:
    """Start the held sends in order (each queues its record before its first suspension, so order is kept)."""
    return [asyncio.ensure_future(send()) for send in sends]


async def settle(started: list[asyncio.Future[object]]) -> None:
    """Wait for every started send; the first failure is raised once all have finished (none left running)."""
    if not started:
        return
    results = await asyncio.gather(*started, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
