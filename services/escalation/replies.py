"""Domain objects -> the escalation contract's replies and events (the one change of form at the bus boundary).

The replies are the neutral contract models; how a dialect shows a ticket or a review item (which fields, what
names, which envelope) is decided in the gateway's dialect routes, never here."""

from __future__ import annotations

from enum import Enum
from typing import Any, TypeVar

from pydantic import BaseModel

from libs.contracts.models.escalation import (
    EscalationCreatedV1,
    EscalationDecisionV1,
    EscalationStepV1,
    EscalationUpdatedV1,
    ReviewDecidedV1,
    ReviewListV1,
    ReviewQueuedV1,
    ReviewReceiptV1,
    ReviewVerdictV1,
    TicketListV1,
    TicketReceiptV1,
    TicketV1,
    TicketView,
)
from libs.contracts.models.escalation import (
    ReviewItem as ReviewItemReply,
)

from .domain import EscalationDecision, ReviewItem, Ticket
from .policy import EscalationStep

M = TypeVar("M", bound=BaseModel)


def _as(model: type[M], obj: object, **extra: Any) -> M:
    """`model` filled from the same-named attributes of `obj` (enums as their values) and `extra`."""
    values = {name: getattr(obj, name) for name in model.model_fields if hasattr(obj, name)}
    values = {k: v.value if isinstance(v, Enum) else v for k, v in values.items()}
    return model.model_validate(values | extra)


def decision(verdict: EscalationDecision, *, ticket_id: str | None) -> EscalationDecisionV1:
    """The policy's verdict, with the ticket it opened (when the command asked for one and it escalates)."""
    return EscalationDecisionV1.model_validate({**verdict.to_dict(), "ticket_id": ticket_id})


def escalation_step(step: EscalationStep) -> EscalationStepV1:
    return _as(EscalationStepV1, step)


def ticket(t: Ticket) -> TicketV1:
    return _as(TicketV1, t)


def ticket_receipt(t: Ticket) -> TicketReceiptV1:
    return _as(TicketReceiptV1, t)


def ticket_page(tickets: list[Ticket], total: int, *, limit: int, offset: int) -> TicketListV1:
    return TicketListV1(tickets=[_as(TicketView, t) for t in tickets], total=total, limit=limit, offset=offset)


def ticket_created(t: Ticket, *, source: str, **extra: Any) -> EscalationCreatedV1:
    """`extra`: what the policy adds for an automatic escalation (from_tier, to_tier, reasons)."""
    return _as(EscalationCreatedV1, t, source=source, **extra)


def ticket_updated(before: Ticket, after: Ticket, changed: list[str]) -> EscalationUpdatedV1:
    return _as(EscalationUpdatedV1, after, previous_status=before.status.value, changed=changed)


def review_receipt(item: ReviewItem) -> ReviewReceiptV1:
    return _as(ReviewReceiptV1, item)


def review_verdict(item: ReviewItem) -> ReviewVerdictV1:
    return _as(ReviewVerdictV1, item)


def review_page(items: list[ReviewItem], total: int, *, limit: int, offset: int) -> ReviewListV1:
    return ReviewListV1(items=[_as(ReviewItemReply, i) for i in items], total=total, limit=limit, offset=offset)


def review_queued(item: ReviewItem, queue_length: int) -> ReviewQueuedV1:
    return _as(ReviewQueuedV1, item, queue_length=queue_length)


def review_decided(item: ReviewItem, queue_length: int) -> ReviewDecidedV1:
    return _as(ReviewDecidedV1, item, edited=bool(item.edits), queue_length=queue_length)
