"""Consumer core shared by every transport: raw record → envelope → contract → dedupe → handler → reply/DLQ."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from enum import StrEnum

import structlog
from prometheus_client import Counter, Histogram
from pydantic import BaseModel

from libs.bus import deferred
from libs.bus.base import TopicHandler
from libs.bus.envelope import Envelope
from libs.bus.records import DeadLetter, ProcessedLog, Record, RetryPolicy, decode
from libs.bus.trace_context import begin_consuming, end_consuming
from libs.contracts.models.common import ErrorReplyV1
from libs.contracts.registry import ContractRegistry, ContractViolation
from libs.errors import DomainError, PermanentError, RetryableError, Unavailable
from libs.observability.context import log_id_vars
from libs.observability.metrics import BUS_HANDLE_SECONDS, BUS_MESSAGES

log = structlog.get_logger("libs.bus")


class Outcome(StrEnum):
    HANDLED = "handled"
    DUPLICATE = "duplicate"
    DEAD_LETTERED = "dead_lettered"
    EXPIRED = "expired"  # read after its deadline: nobody waits for the result any more


ReplySender = Callable[[str, BaseModel, Envelope], Awaitable[None]]
DeadLetterSink = Callable[[DeadLetter], Awaitable[None]]


class ConsumerCore:
    """Runs one consumer group's handler on records; transports commit after `process()` returns.

    `process()` raises only when the transport itself failed (a reply or dead letter could not be sent):
    the caller must then not commit, so the record is delivered again.
    """

    def __init__(
        self,
        *,
        group: str,
        handler: TopicHandler,
        registry: ContractRegistry,
        processed: ProcessedLog,
        retry: RetryPolicy,
        send_reply: ReplySender,
        dead_letter: DeadLetterSink,
    ) -> None:
        self.group = group
        self._handler = handler
        self._registry = registry
        self._processed = processed
        self._retry = retry
        self._send_reply = send_reply
        self._dead_letter = dead_letter
        # Labelled metric children, looked up once: `labels()` per message costs more than the update itself.
        self._counters: dict[tuple[str, Outcome], Counter] = {}
        self._timers: dict[str, Histogram] = {}

    async def process(self, record: Record) -> Outcome:
        started = time.perf_counter()
        outcome = await self._process(record)
        topic = record.topic
        counter = self._counters.get((topic, outcome))
        if counter is None:
            counter = self._counters[(topic, outcome)] = BUS_MESSAGES.labels(topic, self.group, outcome.value)
        timer = self._timers.get(topic)
        if timer is None:
            timer = self._timers[topic] = BUS_HANDLE_SECONDS.labels(topic, self.group)
        counter.inc()
        timer.observe(time.perf_counter() - started)
        return outcome

    async def _process(self, record: Record) -> Outcome:
        try:
            env = decode(record, self._registry)
        except ContractViolation as exc:
            log.warning("bus.contract_violation", topic=record.topic, group=self.group, details=exc.details)
            await self._park(record, None, exc, attempts=0)
            return Outcome.DEAD_LETTERED
        # A request seen before is a retry whose reply was lost: its handler's inbox answers the recorded reply.
        if env.replyto is None and await self._processed.seen(self.group, env.id):
            log.info("bus.duplicate", topic=record.topic, group=self.group, event_id=env.id)
            return Outcome.DUPLICATE
        if env.deadline is not None and env.deadline <= datetime.now(UTC):
            # The requester has timed out: handling it now would only queue more work behind it (overload
            # collapse), so it is dropped and committed. Clocks are assumed NTP-synchronised across hosts.
            log.info("bus.expired", topic=record.topic, group=self.group, event_id=env.id, type=env.type)
            await self._processed.mark(self.group, env.id)
            return Outcome.EXPIRED
        # Continue the producer's trace (traceparent) and bind the ids to every log line of the handler.
        handling = begin_consuming(record.topic, self.group, env.id, env.type, env.traceparent)
        event_var, correlation_var = log_id_vars()
        event_token, correlation_token = event_var.set(env.id), correlation_var.set(env.correlationid)
        try:
            outcome = await self._handle(record, env)
        finally:
            correlation_var.reset(correlation_token)
            event_var.reset(event_token)
            end_consuming(handling)
        await self._processed.mark(self.group, env.id)
        return outcome

    async def _handle(self, record: Record, env: Envelope) -> Outcome:
        attempt = 0
        while True:
            attempt += 1
            held = deferred.Held()  # this attempt's events, sent after the reply (dropped if it fails)
            try:
                with deferred.holding(held, enabled=env.replyto is not None):
                    result: object = await self._handler(env)
            except DomainError as exc:
                if isinstance(exc, Unavailable) and env.replyto is None and attempt < self._retry.attempts:
                    # Nobody waits on an event: a dependency outage is worth retrying, not answering.
                    await self._backoff(env, attempt, exc)
                    continue
                log.info("bus.domain_error", event_id=env.id, type=env.type, code=exc.code)
                result = exc
            except PermanentError as exc:
                await self._park(record, env, exc, attempts=attempt)
                return Outcome.DEAD_LETTERED
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the one place that catches everything: retry, then park
                if attempt >= self._retry.attempts:
                    await self._park(record, env, exc, attempts=attempt)
                    return Outcome.DEAD_LETTERED
                await self._backoff(env, attempt, exc)
                continue
            try:
                return await self._answer_then_events(record, env, result, attempt, held)
            except (DomainError, OSError, TimeoutError) as exc:  # an event was not acknowledged: handle it again
                if attempt >= self._retry.attempts:
                    await self._park(record, env, exc, attempts=attempt)
                    return Outcome.DEAD_LETTERED
                await self._backoff(env, attempt, exc)

    async def _answer_then_events(
        self, record: Record, env: Envelope, result: object, attempt: int, held: deferred.Held
    ) -> Outcome:
        """The reply is queued first (its task starts first), the held events right behind it; the message counts
        as handled once all are acknowledged."""
        if not env.replyto or result is None:
            await deferred.settle(deferred.start(held))
            return Outcome.HANDLED  # an event, or nothing to answer
        answer = asyncio.ensure_future(self._answer(record, env, result, attempt))
        events = deferred.start(held)
        try:
            return await answer
        finally:  # awaited even when the reply failed, so no send is left running behind a retry
            await deferred.settle(events)

    async def _answer(self, record: Record, env: Envelope, result: object, attempt: int) -> Outcome:
        """Send the handler's answer to `replyto`; an answer that breaks its contract parks the request."""
        if not env.replyto or result is None:
            return Outcome.HANDLED
        try:
            if isinstance(result, DomainError):
                result = ErrorReplyV1(code=result.code[:64], message=result.message[:4000], details=result.details)
            if not isinstance(result, BaseModel):
                raise ContractViolation(f"handler returned {type(result).__name__}, not a contract model")
            await self._send_reply(env.replyto, result, env)
        except (ContractViolation, TypeError, ValueError) as exc:
            await self._park(record, env, exc, attempts=attempt)
            return Outcome.DEAD_LETTERED
        return Outcome.HANDLED

    async def _backoff(self, env: Envelope, attempt: int, exc: BaseException) -> None:
        delay = self._retry.delay(attempt)
        log.warning(
            "bus.retry",
            event_id=env.id,
            type=env.type,
            attempt=attempt,
            delay_s=round(delay, 3),
            error_type=type(exc).__name__,
            error_at=_where(exc),
        )
        await asyncio.sleep(delay)

    async def _park(self, record: Record, env: Envelope | None, exc: BaseException, *, attempts: int) -> None:
        # Only messages of our own typed errors are kept verbatim; an arbitrary exception text may hold data.
        ours = isinstance(exc, PermanentError | RetryableError | DomainError)
        error = str(exc) if ours else f"{type(exc).__name__} at {_where(exc)}"
        letter = DeadLetter(record, self.group, type(exc).__name__, error, attempts, env.id if env else None)
        log.error(
            "bus.dead_lettered",
            topic=record.topic,
            group=self.group,
            event_id=letter.event_id,
            error_type=letter.error_type,
            error_at=_where(exc),
            attempts=attempts,
        )
        await self._dead_letter(letter)
        if env is not None and env.replyto:
            code = "invalid" if isinstance(exc, ContractViolation) else "unavailable"
            details = {"event_id": env.id, "error_type": letter.error_type}
            message = "the command could not be processed"
            reply = ErrorReplyV1.model_validate({"code": code, "message": message, "details": details})
            await self._send_reply(env.replyto, reply, env)


def _where(exc: BaseException) -> str:
    """`file:line in function` of the innermost frame: enough to debug without logging locals or data."""
    tb = exc.__traceback__
    if tb is None:
        return "?"
    while tb.tb_next is not None:
        tb = tb.tb_next
    code = tb.tb_frame.f_code
    return f"{code.co_filename.rsplit('/', 1)[-1]}:{tb.tb_lineno} in {code.co_name}"
