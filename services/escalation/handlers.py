"""Consumes escalation.commands (policy, tickets, CS config, human review), replies with the escalation.* reply
types and emits EscalationCreated/Updated and ReviewQueued/Decided on escalation.events."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from pydantic import BaseModel

from libs.bus import Publisher
from libs.bus.base import MessageContext
from libs.contracts.models.escalation import (
    CheckEscalationV1,
    CompanyConfigV1,
    CreateTicketV1,
    CsSettings,
    DecideReviewV1,
    EscalationDecisionV1,
    EscalationStepV1,
    EvaluateTurnV1,
    GetCompanyConfigV1,
    GetTicketV1,
    ListReviewsV1,
    ListTicketsV1,
    QueueReviewV1,
    ReviewListV1,
    ReviewReceiptV1,
    ReviewVerdictV1,
    TicketListV1,
    TicketReceiptV1,
    TicketV1,
    UpdateCompanyConfigV1,
    UpdateTicketV1,
)
from libs.contracts.registry import default_registry
from libs.store import DocumentStore, Insert, Write
from services.escalation import replies
from services.escalation import tickets as tk
from services.escalation.company_config import CompanyConfig
from services.escalation.domain import TurnFacts, facts_from_dict
from services.escalation.facts import extract_facts
from services.escalation.service import EscalationService
from services.escalation.store import EscalationRepository

HANDLED = "handled_commands"
UPDATE_FIELDS = ("status", "assigned_agent", "resolution_notes", "customer_satisfaction")

R = TypeVar("R", bound=BaseModel)
Outcome = tuple[BaseModel, list[tuple[BaseModel, str]]]  # the reply and the (event, key) pairs to publish


class CommandLog:
    """Outcomes of the commands that create something, by (tenant, command event id).

    A command redelivered after it was handled (crash before the offset commit) answers the recorded reply and
    re-emits the recorded events with the same derived ids, instead of opening a second ticket or review item."""

    def __init__(self, store: DocumentStore) -> None:
        self._store = store
        self._handled = store.collection(HANDLED)

    async def get(self, ctx: MessageContext) -> dict[str, Any] | None:
        return await self._handled.get(f"{ctx.tenant_id}/{ctx.event_id}")

    async def put(self, ctx: MessageContext, record: dict[str, Any], effects: list[Write]) -> None:
        """The record and the command's creations in ONE commit: both land, or neither (then it runs again)."""
        await self._store.commit([Insert(HANDLED, {"id": f"{ctx.tenant_id}/{ctx.event_id}", **record}), *effects])


async def _once(
    ctx: MessageContext,
    log: CommandLog,
    repo: EscalationRepository,
    publish: Publisher,
    reply_type: type[R],
    run: Callable[[], Awaitable[Outcome]],
) -> R:
    registry = default_registry()
    record = await log.get(ctx)
    if record is None:
        with repo.staging() as effects:
            reply, events = await run()
        if not events and not effects:
            # Nothing was created (a turn the policy kept at its tier): a redelivery re-runs the same pure
            # evaluation, so there is nothing to record; most turns end here, one store write less each.
            return reply_type.model_validate(reply)
        record = {
            "type": ctx.type,
            "reply": reply.model_dump(mode="json", exclude_none=True),
            "events": [
                {"type": registry.type_of(e), "data": e.model_dump(mode="json", exclude_none=True), "key": key}
                for e, key in events
            ],
        }
        await log.put(ctx, record, effects)
    for event in record["events"]:
        await publish(registry.model_for(event["type"]).model_validate(event["data"]), key=event["key"])
    return reply_type.model_validate(record["reply"])


# policy
def _turn_facts(cmd: EvaluateTurnV1, config: CompanyConfig) -> TurnFacts:
    facts = facts_from_dict(cmd.facts.model_dump(exclude_none=True) if cmd.facts else {})
    if cmd.text:
        facts = facts.merged(extract_facts(cmd.text, config.irate.get("trigger_keywords", ())))
    return facts


async def handle_evaluate_turn(
    cmd: EvaluateTurnV1, *, ctx: MessageContext, service: EscalationService, log: CommandLog, publish: Publisher
) -> EscalationDecisionV1:
    async def run() -> Outcome:
        config = await service.company_config(ctx.tenant_id)  # read once per turn: facts and policy share it
        facts = _turn_facts(cmd, config)
        decision = await service.evaluate(
            ctx.tenant_id, facts, cmd.current_tier, negative_sentiment=bool(cmd.negative_sentiment), config=config
        )
        if not (cmd.create_ticket and decision.escalate):
            return replies.decision(decision, ticket_id=None), []
        request = tk.request_from_decision(decision, cmd.session_id, facts)
        ticket = await service.create_ticket(ctx.tenant_id, request, customer_id=cmd.customer_id)
        event = replies.ticket_created(
            ticket,
            source="policy",
            from_tier=cmd.current_tier,
            to_tier=decision.target_tier.value,
            reasons=[r.value for r in decision.reasons],
        )
        return replies.decision(decision, ticket_id=ticket.ticket_id), [(event, cmd.session_id)]

    if not cmd.create_ticket:  # a pure evaluation has no effect to protect: nothing to record per turn
        return EscalationDecisionV1.model_validate((await run())[0])
    return await _once(ctx, log, service.repo, publish, EscalationDecisionV1, run)


async def handle_check_escalation(
    cmd: CheckEscalationV1, *, ctx: MessageContext, service: EscalationService
) -> EscalationStepV1:
    step = await service.check_escalation(
        ctx.tenant_id, cmd.current_tier, target_tier=cmd.target_tier, reason=cmd.reason, notes=cmd.notes
    )
    return replies.escalation_step(step)


# tickets
async def handle_create_ticket(
    cmd: CreateTicketV1, *, ctx: MessageContext, service: EscalationService, log: CommandLog, publish: Publisher
) -> TicketReceiptV1:
    async def run() -> Outcome:
        body = cmd.model_dump(exclude_none=True, exclude={"customer_id"})
        ticket = await service.create_ticket(ctx.tenant_id, body, customer_id=cmd.customer_id)
        event = replies.ticket_created(ticket, source="manual")
        return replies.ticket_receipt(ticket), [(event, cmd.session_id)]

    return await _once(ctx, log, service.repo, publish, TicketReceiptV1, run)


async def handle_get_ticket(cmd: GetTicketV1, *, ctx: MessageContext, service: EscalationService) -> TicketV1:
    return replies.ticket(await service.get_ticket(ctx.tenant_id, cmd.ticket_id))


async def handle_update_ticket(
    cmd: UpdateTicketV1, *, ctx: MessageContext, service: EscalationService, publish: Publisher
) -> TicketV1:
    before = await service.get_ticket(ctx.tenant_id, cmd.ticket_id)
    body = cmd.model_dump(exclude_none=True, exclude={"ticket_id"})
    after = await service.update_ticket(ctx.tenant_id, cmd.ticket_id, body)
    changed = [name for name in UPDATE_FIELDS if getattr(before, name) != getattr(after, name)]
    if changed:
        await publish(replies.ticket_updated(before, after, changed), key=after.session_id)
    return replies.ticket(after)


async def handle_list_tickets(cmd: ListTicketsV1, *, ctx: MessageContext, service: EscalationService) -> TicketListV1:
    tickets, total = await service.list_tickets(
        ctx.tenant_id, session_id=cmd.session_id, status=cmd.status, limit=cmd.limit, offset=cmd.offset
    )
    return replies.ticket_page(tickets, total, limit=cmd.limit, offset=cmd.offset)


# CS config (the company is the envelope's tenant)
async def handle_get_company_config(
    cmd: GetCompanyConfigV1, *, ctx: MessageContext, service: EscalationService
) -> CompanyConfigV1:
    config = await service.company_config(ctx.tenant_id)
    return CompanyConfigV1(company_id=ctx.tenant_id, config=CsSettings.model_validate(config.data))


async def handle_update_company_config(
    cmd: UpdateCompanyConfigV1, *, ctx: MessageContext, service: EscalationService
) -> CompanyConfigV1:
    # exclude_unset: the patch is exactly the fields the caller sent (a field sent as null clears it)
    patch = cmd.patch.model_dump(mode="json", exclude_unset=True)
    config = await service.update_config(ctx.tenant_id, patch)
    return CompanyConfigV1(company_id=ctx.tenant_id, config=CsSettings.model_validate(config.data))


# human review
async def _queue_length(service: EscalationService, tenant_id: str) -> int:
    return await service.repo.count_queued_reviews_at_most(tenant_id, 5)  # 5 = least urgent: every queued item


async def handle_queue_review(
    cmd: QueueReviewV1, *, ctx: MessageContext, service: EscalationService, log: CommandLog, publish: Publisher
) -> ReviewReceiptV1:
    async def run() -> Outcome:
        item = await service.queue_review(ctx.tenant_id, cmd.model_dump(exclude_none=True))
        event = replies.review_queued(item, await _queue_length(service, ctx.tenant_id))
        return replies.review_receipt(item), [(event, item.item_id)]

    return await _once(ctx, log, service.repo, publish, ReviewReceiptV1, run)


async def handle_decide_review(
    cmd: DecideReviewV1, *, ctx: MessageContext, service: EscalationService, publish: Publisher
) -> ReviewVerdictV1:
    body = cmd.model_dump(exclude_none=True, exclude={"reviewer_id"})
    item = await service.decide_review(ctx.tenant_id, body, reviewer_id=cmd.reviewer_id)
    await publish(replies.review_decided(item, await _queue_length(service, ctx.tenant_id)), key=item.item_id)
    return replies.review_verdict(item)


async def handle_list_reviews(cmd: ListReviewsV1, *, ctx: MessageContext, service: EscalationService) -> ReviewListV1:
    status = None if cmd.status == "all" else cmd.status
    items, total = await service.list_reviews(
        ctx.tenant_id, status=status, category=cmd.category, limit=cmd.limit, offset=cmd.offset
    )
    return replies.review_page(items, total, limit=cmd.limit, offset=cmd.offset)


HANDLERS: dict[str, Callable[..., Awaitable[BaseModel]]] = {
    "escalation.EvaluateTurn.v1": handle_evaluate_turn,
    "escalation.CheckEscalation.v1": handle_check_escalation,
    "escalation.CreateTicket.v1": handle_create_ticket,
    "escalation.GetTicket.v1": handle_get_ticket,
    "escalation.UpdateTicket.v1": handle_update_ticket,
    "escalation.ListTickets.v1": handle_list_tickets,
    "escalation.GetCompanyConfig.v1": handle_get_company_config,
    "escalation.UpdateCompanyConfig.v1": handle_update_company_config,
    "escalation.QueueReview.v1": handle_queue_review,
    "escalation.DecideReview.v1": handle_decide_review,
    "escalation.ListReviews.v1": handle_list_reviews,
}
