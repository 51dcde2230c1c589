"""Webhook subscriptions (admin, or an API key with the admin role; per tenant) in the seed 000 envelope: create,
list, read, change, delete, rotate the secret, the delivery log, resend one delivery, replay since a moment."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from fastapi import APIRouter, Depends, Query
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from services.gateway.deps import Caller
from services.gateway.dialects.insights.envelope import DIALECT, ok
from services.gateway.fanout.domain import Format, Subscription, SubscriptionChanges
from services.gateway.fanout.service import Fanout, fanout_of

router = APIRouter(prefix="/api/v1/webhooks", route_class=DIALECT.route_class(), tags=["insights: webhooks"])
FanoutDep = Annotated[Fanout, Depends(fanout_of)]
EventName = Annotated[str, Field(min_length=1, max_length=100)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class CreateWebhook(Strict):
    url: str = Field(min_length=1, max_length=2048)
    events: list[EventName] = Field(min_length=1, max_length=50)
    format: Format
    description: str | None = Field(default=None, max_length=500)


class PatchWebhook(Strict):
    url: str | None = Field(default=None, min_length=1, max_length=2048)
    events: list[EventName] | None = Field(default=None, min_length=1, max_length=50)
    enabled: bool | None = None


class ReplayRequest(Strict):
    since: AwareDatetime


class WebhookView(BaseModel):
    id: str
    url: str
    events: list[str]
    format: Format
    description: str | None
    enabled: bool
    created_at: str
    disabled_reason: str | None
    secret: str | None = Field(default=None, description="whsec_...: only in the create and rotate answers")


class AttemptView(BaseModel):
    delivery_id: str
    event: str
    attempt: int
    at: str
    status_code: int | None
    latency_ms: float
    outcome: Literal["delivered", "retry", "failed", "disabled"]
    error: str | None
    next_retry_at: str | None


class DeliveryPage(BaseModel):
    deliveries: list[AttemptView]
    total: int
    limit: int
    offset: int


T = TypeVar("T")


class Envelope(BaseModel, Generic[T]):
    error: bool
    status_code: int
    data: T
    timestamp: str


class WebhookList(BaseModel):
    webhooks: list[WebhookView]


class Queued(BaseModel):
    webhook_id: str
    queued: int
    delivery_id: str | None = None


def _view(sub: Subscription, secret: str | None = None) -> WebhookView:
    """What the API shows of a subscription: never its stored secrets; a new secret only when one was just made."""
    return WebhookView.model_validate(sub, from_attributes=True).model_copy(update={"secret": secret})


@router.post("", status_code=201, response_model=Envelope[WebhookView])
async def create_webhook(body: CreateWebhook, caller: Caller, fanout: FanoutDep) -> dict[str, Any]:
    caller.require("admin")
    sub, secret = await fanout.webhooks.create(
        caller.tenant_id, url=body.url, events=body.events, fmt=body.format, description=body.description
    )
    return ok(_view(sub, secret), 201)


@router.get("", response_model=Envelope[WebhookList])
async def list_webhooks(caller: Caller, fanout: FanoutDep) -> dict[str, Any]:
    caller.require("admin")
    return ok(WebhookList(webhooks=[_view(s) for s in await fanout.store.subscriptions(caller.tenant_id)]))


@router.get("/{webhook_id}", response_model=Envelope[WebhookView])
async def get_webhook(webhook_id: str, caller: Caller, fanout: FanoutDep) -> dict[str, Any]:
    caller.require("admin")
    return ok(_view(await fanout.store.subscription(caller.tenant_id, webhook_id)))


@router.patch("/{webhook_id}", response_model=Envelope[WebhookView])
async def patch_webhook(webhook_id: str, body: PatchWebhook, caller: Caller, fanout: FanoutDep) -> dict[str, Any]:
    caller.require("admin")
    changes = SubscriptionChanges(url=body.url, events=body.events, enabled=body.enabled)
    return ok(_view(await fanout.webhooks.update(caller.tenant_id, webhook_id, changes)))


@router.delete("/{webhook_id}", response_model=Envelope[WebhookView])
async def delete_webhook(webhook_id: str, caller: Caller, fanout: FanoutDep) -> dict[str, Any]:
    caller.require("admin")
    sub = await fanout.store.subscription(caller.tenant_id, webhook_id)
    await fanout.store.delete_subscription(sub)
    return ok(_view(sub))


@router.post("/{webhook_id}/rotate-secret", response_model=Envelope[WebhookView])
async def rotate_secret(webhook_id: str, caller: Caller, fanout: FanoutDep) -> dict[str, Any]:
    """The new secret is shown once; the previous one keeps signing alongside it for 24 hours."""
    caller.require("admin")
    sub, secret = await fanout.webhooks.rotate(caller.tenant_id, webhook_id)
    return ok(_view(sub, secret))


@router.get("/{webhook_id}/deliveries", response_model=Envelope[DeliveryPage])
async def list_deliveries(
    webhook_id: str,
    caller: Caller,
    fanout: FanoutDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> dict[str, Any]:
    """Every attempt, newest first: event, attempt number, status code, latency, outcome, next retry."""
    caller.require("admin")
    await fanout.store.subscription(caller.tenant_id, webhook_id)
    attempts, total = await fanout.store.attempts(webhook_id, offset=offset, limit=limit)
    rows = [AttemptView.model_validate(attempt, from_attributes=True) for attempt in attempts]
    return ok(DeliveryPage(deliveries=rows, total=total, limit=limit, offset=offset))


@router.post("/{webhook_id}/deliveries/{delivery_id}/resend", response_model=Envelope[Queued])
async def resend(webhook_id: str, delivery_id: str, caller: Caller, fanout: FanoutDep) -> dict[str, Any]:
    caller.require("admin")
    await fanout.webhooks.resend(caller.tenant_id, webhook_id, delivery_id)
    return ok({"webhook_id": webhook_id, "queued": 1, "delivery_id": delivery_id})


@router.post("/{webhook_id}/replay", response_model=Envelope[Queued])
async def replay(webhook_id: str, body: ReplayRequest, caller: Caller, fanout: FanoutDep) -> dict[str, Any]:
    caller.require("admin")
    since: datetime = body.since
    count = await fanout.webhooks.replay(caller.tenant_id, webhook_id, since)
    return ok({"webhook_id": webhook_id, "queued": count})
