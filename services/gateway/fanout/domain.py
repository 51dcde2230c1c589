"""Fan-out domain: subscriptions, outbox deliveries, delivery attempts, the payload shaper type, the retry schedule.
The records are plain dataclasses; store.py maps them to and from their rows."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

Format = Literal["support_agent", "tiered_cs", "kb_platform"]
FORMATS: tuple[Format, ...] = ("support_agent", "tiered_cs", "kb_platform")
DeliveryStatus = Literal["pending", "delivered", "failed"]
Outcome = Literal["delivered", "retry", "failed", "disabled"]
ENDPOINT_DISABLED = "endpoint.disabled"  # operational event, offered in every format


@dataclass(frozen=True)
class Shaped:
    """One outbound webhook: the seed's event name and its `data`, plus the key deliveries are ordered by."""

    event: str
    data: dict[str, Any]
    ordering_key: str


# A dialect's shaper turns one domain event (contract `data`, tenant id) into its seed's webhook, or None.
Shaper = Callable[[dict[str, Any], str], Shaped]


@dataclass
class SigningSecret:
    """One signing secret, encrypted at rest; `expires_at` is set on the old secret when it is rotated out."""

    ciphertext: str
    created_at: str
    expires_at: str | None = None

    def valid_at(self, moment: datetime) -> bool:
        return self.expires_at is None or datetime.fromisoformat(self.expires_at) > moment


@dataclass
class Subscription:
    id: str
    tenant_id: str
    url: str
    events: list[str]
    format: Format
    description: str | None
    enabled: bool
    created_at: str
    secrets: list[SigningSecret]
    disabled_reason: str | None = None
    failing_since: str | None = None  # first failure of the current failing streak; cleared by a success

    def wants(self, event: str) -> bool:
        return self.enabled and ("*" in self.events or event in self.events)


@dataclass(frozen=True)
class SubscriptionChanges:
    """An admin's change to a subscription: None leaves that field as it is."""

    url: str | None = None
    events: list[str] | None = None
    enabled: bool | None = None


@dataclass
class Delivery:
    """One webhook to one subscription: an outbox row. Its id is the `webhook-id`, the same on every attempt."""

    id: str
    tenant_id: str
    subscription_id: str
    event: str
    body: str  # the exact JSON bytes (as text) that are signed and sent
    ordering_key: str
    seq: int  # creation order; deliveries with one (subscription, ordering_key) go out in this order
    created_at: str
    status: DeliveryStatus = "pending"
    attempts: int = 0
    next_attempt_at: str = ""
    last_status_code: int | None = None
    # The claim of the worker sending it now (several gateway replicas share the outbox): "" when none. A claim
    # whose time has passed (its worker died mid-attempt) may be taken over.
    lease_until: str = ""
    lease_owner: str = ""
    reopened: bool = False  # resent or replayed while an attempt held the row (see WebhookStore.settle)


@dataclass
class Attempt:
    """One try of a delivery, kept for the delivery log."""

    id: str
    tenant_id: str
    subscription_id: str
    delivery_id: str
    event: str
    attempt: int
    at: str
    status_code: int | None
    latency_ms: float
    outcome: Outcome
    error: str | None = None
    next_retry_at: str | None = None


def now_utc() -> datetime:
    return datetime.now(UTC)


# Retry schedule after attempt n fails (documented in fanout/README.md): quick retries for blips, then hourly
# growth capped at 12 h; 16 attempts span ~3.7 days (jitter aside) before a delivery is given up.
RETRY_DELAYS = (
    timedelta(seconds=5),
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(minutes=30),
    timedelta(hours=1),
    timedelta(hours=2),
    timedelta(hours=4),
    timedelta(hours=8),
    *(timedelta(hours=12),) * 6,
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
DISABLE_AFTER = timedelta(days=5)
MAX_RETRY_AFTER = timedelta(hours=12)


def retry_delay(attempts: int, retry_after: timedelta | None = None, rng: random.Random | None = None) -> timedelta:
    """The wait before attempt `attempts + 1`: the schedule with ±20 % jitter (receivers recovering from an outage
    are not hit by every sender at once), or the receiver's Retry-After when it asks for longer (capped)."""
    base = RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]
    jitter = (rng or random).uniform(0.8, 1.2)
    delay = base * jitter
    if retry_after is not None:
        delay = max(delay, min(retry_after, MAX_RETRY_AFTER))
    return delay
