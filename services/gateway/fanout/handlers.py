"""The fan-out consumers. `FanoutHandler` (group `gateway-fanout`, one copy of each event across the replicas): each
domain event becomes outbox deliveries, written before the handler returns, so the bus commits the offset only once
nothing can be lost. `FeedHandler` (a live subscription per replica, `gateway-feed`): review-queue, sentiment and
analytics-rollup events become WebSocket frames for this replica's clients, whichever replica's group partitions
they fall in."""

from __future__ import annotations

from typing import Any

from libs.bus.envelope import Envelope
from libs.contracts.models.sentiment import SentimentAnalyzedV1
from services.gateway.fanout.hub import Hub
from services.gateway.fanout.webhooks import Webhooks

GROUP = "gateway-fanout"
FEED = "gateway-feed"
ANALYTICS_UPDATED = "analytics.RollupsUpdated.v1"  # -> `analytics_update` frames only (no webhook shapes it)
QUEUE_EVENTS = {"escalation.ReviewQueued.v1": "queued", "escalation.ReviewDecided.v1": "decided"}


class FanoutHandler:
    def __init__(self, webhooks: Webhooks) -> None:
        self._webhooks = webhooks

    async def __call__(self, env: Envelope) -> None:
        await self._webhooks.fan_out(env.tenantid, env.type, env.data, env.id, env.time)


class FeedHandler:
    def __init__(self, hub: Hub) -> None:
        self._hub = hub

    async def __call__(self, env: Envelope) -> None:
        if env.type == ANALYTICS_UPDATED:
            self._hub.publish(env.tenantid, "analytics_update", env.data)
        elif env.type in QUEUE_EVENTS:
            self._hub.publish(env.tenantid, "queue_update", {"action": QUEUE_EVENTS[env.type], **env.data})
        elif env.type == "sentiment.SentimentAnalyzed.v1":
            event = SentimentAnalyzedV1.model_validate(env.data)
            if self._hub.alerts_at(env.tenantid, event.cs_level):
                self._hub.publish(env.tenantid, "sentiment_alert", _alert(event, env.subject))


def _alert(event: SentimentAnalyzedV1, conversation_id: str | None) -> dict[str, Any]:
    return {
        "conversation_id": conversation_id,
        "text_id": event.id,
        "cs_level": event.cs_level,
        "label": event.label,
        "score": event.score,
        "satisfaction_score": event.satisfaction_score,
    }
