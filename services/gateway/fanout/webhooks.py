"""Webhook subscriptions and fan-out: the API's operations (create, change, rotate, resend, replay) and turning one
domain event into one outbox delivery per matching subscription, shaped by the subscription's seed format."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import orjson

from libs.bus.envelope import derived_id
from libs.errors import Invalid
from services.gateway.dialects.kb_platform import webhooks as kb_platform
from services.gateway.dialects.support_agent import webhooks as support_agent
from services.gateway.dialects.tiered_cs import webhooks as tiered_cs
from services.gateway.fanout.domain import (
    ENDPOINT_DISABLED,
    Delivery,
    Format,
    Shaper,
    SigningSecret,
    Subscription,
    SubscriptionChanges,
    now_utc,
)
from services.gateway.fanout.egress import validate_subscription_url
from services.gateway.fanout.signing import SecretBox, new_secret
from services.gateway.fanout.store import WebhookStore

SHAPERS: dict[str, dict[str, Shaper]] = {
    "support_agent": support_agent.SHAPERS,
    "tiered_cs": tiered_cs.SHAPERS,
    "kb_platform": kb_platform.SHAPERS,
}
EVENTS: dict[str, tuple[str, ...]] = {
    "support_agent": (*support_agent.EVENTS, ENDPOINT_DISABLED),
    "tiered_cs": (*tiered_cs.EVENTS, ENDPOINT_DISABLED),
    "kb_platform": (*kb_platform.EVENTS, ENDPOINT_DISABLED),
}
ROTATION_GRACE = timedelta(hours=24)
REPLAY_LIMIT = 10_000


def zulu(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def check_events(events: list[str], fmt: Format) -> None:
    unknown = sorted(set(events) - {"*", *EVENTS[fmt]})
    if unknown or not events:
        raise Invalid("Unknown event", {"events": f"unknown {unknown}; {fmt} offers {list(EVENTS[fmt])} or ['*']"})


class Webhooks:
    def __init__(
        self, store: WebhookStore, box: SecretBox, *, allowed_hosts: frozenset[str], wake: Callable[[], None]
    ) -> None:
        self.store = store
        self._box = box
        self._allowed = allowed_hosts
        self._wake = wake  # tells the delivery worker that something is due now

    # -- subscriptions -----------------------------------------------------------------------------------
    async def create(
        self, tenant_id: str, *, url: str, events: list[str], fmt: Format, description: str | None
    ) -> tuple[Subscription, str]:
        """The new subscription and its secret in plaintext (shown once; stored encrypted)."""
        check_events(events, fmt)
        await validate_subscription_url(url, self._allowed)
        secret = new_secret()
        sub = Subscription(
            id=f"wh_{uuid.uuid4().hex[:16]}",
            tenant_id=tenant_id,
            url=url,
            events=sorted(set(events)),
            format=fmt,
            description=description,
            enabled=True,
            created_at=now_utc().isoformat(),
            secrets=[SigningSecret(self._box.seal(secret), now_utc().isoformat())],
        )
        await self.store.add_subscription(sub)
        return sub, secret

    async def update(self, tenant_id: str, sub_id: str, changes: SubscriptionChanges) -> Subscription:
        sub = await self.store.subscription(tenant_id, sub_id)
        if changes.url is not None:
            await validate_subscription_url(changes.url, self._allowed)
            sub.url = changes.url
        if changes.events is not None:
            check_events(changes.events, sub.format)
            sub.events = sorted(set(changes.events))
        if changes.enabled is not None:
            sub.enabled = changes.enabled
            if sub.enabled:  # re-enabling starts a fresh failure streak
                sub.disabled_reason, sub.failing_since = None, None
        await self.store.save_subscription(sub)
        return sub

    async def rotate(self, tenant_id: str, sub_id: str) -> tuple[Subscription, str]:
        """A new secret signs from now on; the current ones keep signing for 24 h, then drop out."""
        sub = await self.store.subscription(tenant_id, sub_id)
        moment = now_utc()
        for old in sub.secrets:
            if old.expires_at is None:
                old.expires_at = (moment + ROTATION_GRACE).isoformat()
        secret = new_secret()
        kept = [s for s in sub.secrets if s.valid_at(moment)]
        sub.secrets = [SigningSecret(self._box.seal(secret), moment.isoformat()), *kept]
        await self.store.save_subscription(sub)
        return sub, secret

    def signing_secrets(self, sub: Subscription) -> list[str]:
        """Plaintext secrets valid now, newest first."""
        moment = now_utc()
        return [self._box.open(s.ciphertext) for s in sub.secrets if s.valid_at(moment)]

    # -- redelivery --------------------------------------------------------------------------------------
    async def resend(self, tenant_id: str, sub_id: str, delivery_id: str) -> Delivery:
        await self.store.subscription(tenant_id, sub_id)
        delivery = await self.store.delivery(sub_id, delivery_id)
        await self._reopen(delivery)
        self._wake()
        return delivery

    async def replay(self, tenant_id: str, sub_id: str, since: datetime) -> int:
        """Every delivery of this endpoint created since `since` goes out again (same webhook-id, so receivers that
        already have one recognise it)."""
        await self.store.subscription(tenant_id, sub_id)
        deliveries = await self.store.deliveries_since(sub_id, since, REPLAY_LIMIT)
        for delivery in deliveries:
            await self._reopen(delivery)
        self._wake()
        return len(deliveries)

    async def _reopen(self, delivery: Delivery) -> None:
        delivery.status = "pending"
        delivery.next_attempt_at = now_utc().isoformat()
        await self.store.reopen(delivery.id, delivery.next_attempt_at)

    # -- fan-out -----------------------------------------------------------------------------------------
    async def fan_out(self, tenant_id: str, event_type: str, data: dict[str, Any], event_id: str, at: datetime) -> int:
        """One outbox delivery per enabled subscription of the tenant whose format shapes this event and who
        asked for it; returns how many were queued. Idempotent per (event id, subscription)."""
        queued = 0
        for sub in await self.store.subscriptions(tenant_id, enabled_only=True):
            shaper = SHAPERS[sub.format].get(event_type)
            if shaper is None:
                continue
            shaped = shaper(data, tenant_id)
            if sub.wants(shaped.event):
                queued += await self._enqueue(sub, shaped.event, shaped.data, shaped.ordering_key, event_id, at)
        if queued:
            self._wake()
        return queued

    async def emit_operational(self, tenant_id: str, event: str, data: dict[str, Any], event_id: str) -> None:
        """An event of the webhook system itself (endpoint.disabled), offered to every other endpoint that asks."""
        for sub in await self.store.subscriptions(tenant_id, enabled_only=True):
            if sub.wants(event):
                await self._enqueue(sub, event, data, data.get("endpoint_id", event), event_id, now_utc())
        self._wake()

    async def _enqueue(
        self, sub: Subscription, event: str, data: dict[str, Any], key: str, event_id: str, at: datetime
    ) -> int:
        body = orjson.dumps({"event": event, "timestamp": zulu(at), "data": data}).decode()
        moment = now_utc().isoformat()
        delivery = Delivery(
            id="msg_" + derived_id(event_id, sub.id),
            tenant_id=sub.tenant_id,
            subscription_id=sub.id,
            event=event,
            body=body,
            ordering_key=key,
            seq=time.time_ns(),
            created_at=moment,
            next_attempt_at=moment,
        )
        return int(await self.store.enqueue(delivery))
