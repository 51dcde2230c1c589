"""The delivery worker: sends what the outbox says is due, one task per attempt. Per endpoint at most
`per_endpoint` attempts run at once (a hung receiver only ties up its own slots), per (endpoint, conversation)
one at a time and in order, and every outcome is written back before the next step, so a restart resumes
from the rows alone."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections import Counter
from datetime import datetime, timedelta

from libs.observability import get_logger
from services.gateway.fanout.domain import (
    DISABLE_AFTER,
    ENDPOINT_DISABLED,
    MAX_ATTEMPTS,
    Attempt,
    Delivery,
    Outcome,
    Subscription,
    now_utc,
    retry_delay,
)
from services.gateway.fanout.sender import Sender, SendResult
from services.gateway.fanout.signing import signed_headers
from services.gateway.fanout.webhooks import Webhooks

log = get_logger("gateway.fanout")


class DeliveryWorker:
    def __init__(
        self,
        webhooks: Webhooks,
        sender: Sender,
        *,
        per_endpoint: int = 16,
        max_in_flight: int = 512,
        poll_s: float = 0.5,
        lease_s: float = 30.0,
        owner: str | None = None,
    ) -> None:
        self._webhooks = webhooks
        self._store = webhooks.store
        self._sender = sender
        self._per_endpoint = per_endpoint
        self._max_in_flight = max_in_flight
        self._poll_s = poll_s
        # A claim outlives the longest attempt (the send timeout) with a margin for the store writes around it.
        self._lease = timedelta(seconds=lease_s)
        self._owner = owner or f"worker-{uuid.uuid4().hex[:12]}"
        self._wake = asyncio.Event()
        self._in_flight: dict[str, asyncio.Task[None]] = {}  # delivery id -> attempt task
        self._lanes: set[tuple[str, str]] = set()  # (subscription, ordering key) with an attempt running
        self._per_sub: Counter[str] = Counter()
        self._loop_task: asyncio.Task[None] | None = None

    def notify(self) -> None:
        self._wake.set()

    async def start(self) -> None:
        self._loop_task = asyncio.create_task(self._run(), name="webhook-delivery-worker")

    async def stop(self) -> None:
        """Running attempts are cancelled: their rows stay pending, their claims are released, and they go out
        again after the restart (or at once from another replica)."""
        cut_off = list(self._in_flight)
        tasks = [t for t in (self._loop_task, *self._in_flight.values()) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for delivery_id in cut_off:
            with contextlib.suppress(Exception):  # a store already closed: the claim then simply expires
                await self._store.release(delivery_id, self._owner)

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                await self.dispatch_due()
            except Exception as exc:  # a store hiccup must not end delivery for good; the next tick retries
                log.error("fanout.dispatch_failed", error_type=type(exc).__name__, error=str(exc)[:200])
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._poll_s):
                    await self._wake.wait()

    async def dispatch_due(self) -> int:
        """Start an attempt for every due delivery that heads its lane and fits its endpoint's slots."""
        started = 0
        if len(self._in_flight) >= self._max_in_flight:
            return 0  # saturated: a finishing attempt wakes us again, no need to read the window for nothing
        busy = [sub for sub, n in self._per_sub.items() if n >= self._per_endpoint]
        moment = now_utc()
        for delivery in await self._store.due(moment, limit=self._max_in_flight, skip_subscriptions=busy):
            lane = (delivery.subscription_id, delivery.ordering_key)
            if len(self._in_flight) >= self._max_in_flight:
                break
            if delivery.id in self._in_flight or lane in self._lanes:
                continue
            if self._per_sub[delivery.subscription_id] >= self._per_endpoint:
                continue
            if not await self._is_head(delivery):
                continue
            if not await self._store.claim(delivery, self._owner, moment + self._lease, moment):
                continue  # another replica's worker is sending it
            self._lanes.add(lane)
            self._per_sub[delivery.subscription_id] += 1
            self._in_flight[delivery.id] = asyncio.create_task(self._attempt_then_release(delivery, lane))
            started += 1
        return started

    async def _postpone(self, delivery: Delivery) -> None:
        delivery.next_attempt_at = (now_utc() + retry_delay(max(delivery.attempts, 1))).isoformat()
        with contextlib.suppress(Exception):  # the store may be what failed; the row then keeps its old time
            await self._store.settle(delivery, self._owner)

    async def _is_head(self, delivery: Delivery) -> bool:
        """Only the oldest owed row of a lane may go. A row waiting behind one in backoff is deferred to that
        row's retry time, so blocked rows leave the due window instead of crowding it every tick."""
        head = await self._store.lane_neighbour(delivery, before=True)
        if head is None:
            return True
        if head.next_attempt_at > delivery.next_attempt_at:
            delivery.next_attempt_at = head.next_attempt_at
            await self._store.reschedule(delivery.id, {"next_attempt_at": head.next_attempt_at})
        return False

    async def _advance_lane(self, delivery: Delivery) -> None:
        """Once a row is settled (delivered or given up), the next one of its lane is due now, not at whatever
        time it was deferred to."""
        following = await self._store.lane_neighbour(delivery, before=False)
        moment = now_utc().isoformat()
        if following is not None and following.next_attempt_at > moment:
            await self._store.reschedule(following.id, {"next_attempt_at": moment})

    async def _attempt_then_release(self, delivery: Delivery, lane: tuple[str, str]) -> None:
        try:
            await self.attempt(delivery)
            if delivery.status != "pending":
                await self._advance_lane(delivery)
        except Exception as exc:  # the row stays pending, retried on the schedule (never in a tight loop)
            log.error("fanout.attempt_crashed", delivery_id=delivery.id, error_type=type(exc).__name__)
            await self._postpone(delivery)
        finally:
            self._lanes.discard(lane)
            self._per_sub[delivery.subscription_id] -= 1
            self._in_flight.pop(delivery.id, None)
            self._wake.set()  # the lane's next delivery may go now

    async def attempt(self, delivery: Delivery) -> SendResult | None:
        sub = await self._store.subscription_by_id(delivery.subscription_id)
        if sub is None or not sub.enabled:
            delivery.status = "failed"
            await self._store.settle(delivery, self._owner)
            return None
        body = delivery.body.encode()
        headers = signed_headers(self._webhooks.signing_secrets(sub), delivery.id, int(time.time()), body)
        result = await self._sender.send(sub.id, sub.url, body, headers)
        delivery.attempts += 1
        delivery.last_status_code = result.status_code
        outcome = await self._settle(sub, delivery, result)
        # The attempt is logged before the row is settled: a kill -9 between the two writes then leaves a logged
        # attempt whose row is still claimed (sent once more when the claim expires, same webhook-id), never a
        # delivered row with no attempt in the log that the deliveries endpoint shows.
        await self._store.log_attempt(
            Attempt(
                id=f"att_{uuid.uuid4().hex[:16]}",
                tenant_id=delivery.tenant_id,
                subscription_id=sub.id,
                delivery_id=delivery.id,
                event=delivery.event,
                attempt=delivery.attempts,
                at=now_utc().isoformat(),
                status_code=result.status_code,
                latency_ms=result.latency_ms,
                outcome=outcome,
                error=result.error,
                next_retry_at=delivery.next_attempt_at if delivery.status == "pending" else None,
            )
        )
        if not await self._store.settle(delivery, self._owner):
            log.warning("fanout.claim_lost", delivery_id=delivery.id)  # the attempt outlived its claim
        return result

    async def _settle(self, sub: Subscription, delivery: Delivery, result: SendResult) -> Outcome:
        """Decide the delivery's next state from one attempt's result; returns the attempt's outcome."""
        moment = now_utc()
        if result.ok:
            delivery.status = "delivered"
            if sub.failing_since is not None:
                await self._store.patch_subscription(sub.id, {"failing_since": None})
            return "delivered"
        if result.status_code == 410:  # the receiver says the endpoint is gone for good
            delivery.status = "failed"
            await self._disable(sub, "gone (410)")
            return "disabled"
        failing_since = sub.failing_since or moment.isoformat()
        if sub.failing_since is None:
            await self._store.patch_subscription(sub.id, {"failing_since": failing_since})
        if moment - datetime.fromisoformat(failing_since) >= DISABLE_AFTER:
            delivery.status = "failed"
            await self._disable(sub, "failing for 5 days")
            return "disabled"
        if delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = "failed"
            return "failed"
        delivery.next_attempt_at = (moment + retry_delay(delivery.attempts, result.retry_after)).isoformat()
        return "retry"

    async def _disable(self, sub: Subscription, reason: str) -> None:
        await self._store.patch_subscription(sub.id, {"enabled": False, "disabled_reason": reason})
        log.warning("fanout.endpoint_disabled", webhook_id=sub.id, reason=reason)
        data = {"endpoint_id": sub.id, "url": sub.url, "reason": reason, "failing_since": sub.failing_since}
        await self._webhooks.emit_operational(sub.tenant_id, ENDPOINT_DISABLED, data, f"{sub.id}:disabled:{reason}")
