"""Wires the fan-out parts inside the gateway process: repositories, secret box, sender, worker, WebSocket hub and
the `gateway-fanout` subscriptions; `start`/`stop` are the gateway's hooks."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

from fastapi import Request

from libs.bus.base import Bus
from libs.observability import HealthState, get_logger
from libs.store import DocumentStore
from services.gateway.fanout.domain import now_utc
from services.gateway.fanout.handlers import FEED, GROUP, FanoutHandler, FeedHandler
from services.gateway.fanout.hub import Hub
from services.gateway.fanout.sender import Sender
from services.gateway.fanout.signing import SecretBox
from services.gateway.fanout.store import WebhookStore
from services.gateway.fanout.webhooks import Webhooks
from services.gateway.fanout.worker import DeliveryWorker
from services.gateway.settings import GatewaySettings

log = get_logger("gateway.fanout")

# The subscriptions this module wires (the fan-out's bootstrap): webhooks and queue frames, and the live feed.
TOPICS = ("conversation.events", "escalation.events", "sentiment.events")
FEED_TOPICS = ("escalation.events", "sentiment.events", "analytics.events")


class Fanout:
    def __init__(self, settings: GatewaySettings, store: DocumentStore, *, key_material: str, health: HealthState):
        # Several gateway replicas share the outbox: each worker claims a row before sending it, for the send
        # timeout plus a margin (a worker killed mid-attempt holds its rows that long, then another takes them).
        allowed = frozenset(h.lower() for h in settings.webhook_allowed_hosts)
        self.store = WebhookStore(store)
        self.sender = Sender(
            allowed_hosts=allowed, timeout_s=settings.webhook_timeout_s, per_endpoint=settings.webhook_per_endpoint
        )
        self.webhooks = Webhooks(self.store, SecretBox(key_material), allowed_hosts=allowed, wake=self._notify)
        self.worker = DeliveryWorker(
            self.webhooks,
            self.sender,
            per_endpoint=settings.webhook_per_endpoint,
            max_in_flight=settings.webhook_max_in_flight,
            lease_s=settings.webhook_timeout_s + 15.0,
            owner=f"gateway-{settings.platform.instance_id}",
        )
        self.hub = Hub(
            health,
            buffer_bytes=settings.ws_client_buffer_bytes,
            alert_level=settings.sentiment_alert_level,
            alert_levels=settings.sentiment_alert_levels,
        )
        self.handler = FanoutHandler(self.webhooks)
        self.feed = FeedHandler(self.hub)
        self._status_interval_s = settings.ws_status_interval_s
        self._retention = timedelta(days=settings.webhook_retention_days)
        self._prune_interval_s = settings.webhook_prune_interval_s
        self._tasks: list[asyncio.Task[None]] = []

    def _notify(self) -> None:
        self.worker.notify()

    def subscribe(self, bus: Bus) -> None:
        for topic in TOPICS:
            bus.subscribe(topic, group=GROUP, handler=self.handler)
        for topic in FEED_TOPICS:  # every replica's WebSocket clients see every event, not only its partitions
            bus.subscribe_live(topic, name=FEED, handler=self.feed)

    async def start(self) -> None:
        await self.store.ensure_indexes()
        await self.worker.start()
        self._tasks = [
            asyncio.create_task(self.hub.status_loop(self._status_interval_s), name="ws-status"),
            asyncio.create_task(self._prune_loop(), name="webhook-prune"),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.worker.stop()
        await self.sender.close()

    async def _prune_loop(self) -> None:
        """Every replica prunes (deleting what is already gone is a no-op); a failure waits for the next round."""
        while True:
            try:
                removed = await self.store.prune(now_utc() - self._retention)
                if removed:
                    log.info("fanout.pruned", removed=removed)
            except Exception as exc:
                log.error("fanout.prune_failed", error_type=type(exc).__name__, error=str(exc)[:200])
            await asyncio.sleep(self._prune_interval_s)


async def fanout_of(request: Request) -> Fanout:
    fanout: Fanout = request.app.state.fanout
    return fanout
