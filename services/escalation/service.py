"""EscalationService: the escalation service's use cases (policy evaluation, tickets, CS config, human
review) over EscalationRepository; takes request bodies (validated here) and returns domain objects."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from libs.errors import Conflict, Invalid, NotFound
from libs.store import DocumentStore

from . import review as rv
from . import tickets as tk
from .company_config import CompanyConfig, apply_patch
from .domain import (
    EscalationDecision,
    ReviewItem,
    ReviewStatus,
    Ticket,
    TicketStatus,
    Tier,
    TurnFacts,
    facts_from_dict,
    parse_enum,
)
from .policy import EscalationStep, Thresholds, check_manual_escalation, evaluate
from .store import EscalationRepository

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class EscalationService:
    """Every method takes the caller's tenant_id first and never reads or writes another tenant's data."""

    def __init__(self, store: DocumentStore, *, clock: Clock = utc_now, thresholds: Thresholds | None = None) -> None:
        self.repo = EscalationRepository(store)
        self._clock = clock
        self._thresholds = thresholds or Thresholds()

    async def start(self) -> None:
        await self.repo.store.recover()  # finish a commit a crash cut short (MongoDB journal), before serving
        await self.repo.ensure_indexes()

    def _now(self) -> datetime:
        return self._clock().astimezone(UTC)

    # policy
    async def evaluate(
        self,
        tenant_id: str,
        facts: TurnFacts | dict[str, Any],
        current_tier: Tier | str,
        *,
        negative_sentiment: bool = False,
        config: CompanyConfig | None = None,
    ) -> EscalationDecision:
        """The policy verdict for one turn under the tenant's config (facts may be a JSON mapping);
        `negative_sentiment` turns on seed 001's immediate escalation of a strongly negative customer. `config`:
        the tenant's config when the caller already read it (else it is read here)."""
        parsed = facts if isinstance(facts, TurnFacts) else facts_from_dict(facts)
        tier = parse_enum(Tier, current_tier, "current_tier")
        config = config or await self.company_config(tenant_id)
        return evaluate(parsed, config, tier, thresholds=self._thresholds, negative_sentiment=negative_sentiment)

    async def check_escalation(
        self, tenant_id: str, current_tier: Tier | str, *, target_tier: Any, reason: Any, notes: Any = None
    ) -> EscalationStep:
        """A manual escalation -> the step it makes, stamped now; InvalidEscalationTarget for a bad target."""
        config = await self.company_config(tenant_id)
        step = check_manual_escalation(current_tier, target_tier, reason, notes, config)
        return dataclasses.replace(step, timestamp=self._now().isoformat())

    # config
    async def company_config(self, tenant_id: str) -> CompanyConfig:
        """The saved config, or the documented defaults for a company that never saved one."""
        doc = await self.repo.get_config(tenant_id)
        return CompanyConfig(tenant_id, doc["config"]) if doc else CompanyConfig.default(tenant_id)

    async def update_config(self, tenant_id: str, patch: Any) -> CompanyConfig:
        """A validated deep merge of a partial config into the tenant's; returns the whole resulting config."""
        current = await self.company_config(tenant_id)
        merged = apply_patch(current.data, patch)
        await self.repo.save_config(tenant_id, merged, self._now().isoformat())
        return CompanyConfig(tenant_id, merged)

    # tickets
    async def create_ticket(
        self, tenant_id: str, body: tk.TicketRequest | Any, *, customer_id: str | None = None
    ) -> Ticket:
        """Validates (a raw body), numbers (TKT-<year>-<6 digits>, per tenant), estimates and stores a ticket."""
        request = body if isinstance(body, tk.TicketRequest) else tk.validate_create(body)
        now = self._now()
        ahead = await self.repo.count_open_tickets_at_least(tenant_id, request.priority.rank)
        minutes = tk.estimate_response_minutes(request.priority, ahead)
        sequence = await self.repo.next_sequence(tenant_id, f"ticket_{now.year}")
        ticket = Ticket(
            tenant_id=tenant_id,
            ticket_id=tk.format_ticket_id(now.year, sequence),
            customer_id=customer_id,
            **{f.name: getattr(request, f.name) for f in dataclasses.fields(request)},
            status=TicketStatus.OPEN,
            created_at=now.isoformat(),
            updated_at=now.isoformat(),
            estimated_response_minutes=minutes,
            estimated_response_time=tk.format_timeframe(minutes),
        )
        await self.repo.insert_ticket(ticket)
        return ticket

    async def get_ticket(self, tenant_id: str, ticket_id: str) -> Ticket:
        ticket = await self.repo.get_ticket(tenant_id, ticket_id)
        if ticket is None:
            raise NotFound("Escalation ticket not found", {"ticket_id": ticket_id})
        return ticket

    async def update_ticket(self, tenant_id: str, ticket_id: str, body: Any) -> Ticket:
        """Applies an update body; refused transitions raise Conflict (409)."""
        ticket = tk.apply_update(await self.get_ticket(tenant_id, ticket_id), body, self._now().isoformat())
        updated = await self.repo.save_ticket(ticket)
        if updated is None:
            raise NotFound("Escalation ticket not found", {"ticket_id": ticket_id})
        return updated

    async def list_tickets(
        self,
        tenant_id: str,
        *,
        session_id: str | None = None,
        status: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[Ticket], int]:
        """A page of tickets oldest first (e.g. a session's escalations) and the total that match."""
        filters: dict[str, Any] = {}
        if session_id is not None:
            filters["session_id"] = session_id
        if status is not None:
            filters["status"] = parse_enum(TicketStatus, status, "status").value
        _check_page(limit, offset)
        return await self.repo.find_tickets(tenant_id, filters, skip=offset, limit=limit)

    # human review
    async def queue_review(self, tenant_id: str, body: Any) -> ReviewItem:
        """Validates, numbers (rev-<6 digits>, per tenant), estimates and stores a review item."""
        request = rv.validate_queue(body)
        now = self._now()
        ahead = await self.repo.count_queued_reviews_at_most(tenant_id, request.priority)
        item = ReviewItem(
            tenant_id=tenant_id,
            item_id=rv.format_item_id(await self.repo.next_sequence(tenant_id, "review")),
            **{f.name: getattr(request, f.name) for f in dataclasses.fields(request)},
            status=ReviewStatus.QUEUED,
            created_at=now.isoformat(),
            estimated_review_time=rv.estimate_review_time(now, ahead).isoformat(),
        )
        await self.repo.insert_review(item)
        return item

    async def decide_review(self, tenant_id: str, body: Any, *, reviewer_id: str) -> ReviewItem:
        """Records a reviewer's decision; a second decision on an item raises Conflict (409)."""
        decision = rv.validate_decision(body)
        item = await self.repo.get_review(tenant_id, decision.item_id)
        if item is None:
            raise NotFound("Review item not found", {"item_id": decision.item_id})
        decided = dataclasses.replace(
            item,
            status=ReviewStatus.REVIEWED,
            approved=decision.approved,
            feedback=decision.feedback,
            edits=decision.edits,
            reviewer_id=reviewer_id,
            review_time=self._now().isoformat(),
            final_response=rv.final_response(item, decision),
        )
        if item.status is not ReviewStatus.QUEUED or not await self.repo.claim_decision(decided):
            raise _already_reviewed(item.item_id)
        updated = await self.repo.save_review(decided)
        assert updated is not None  # items are never deleted
        return updated

    async def list_reviews(
        self,
        tenant_id: str,
        *,
        status: str | None = ReviewStatus.QUEUED.value,
        category: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[ReviewItem], int]:
        """A page of review items most urgent first (pending ones by default) and the total that match."""
        filters: dict[str, Any] = {}
        if status is not None:
            if status not in rv.STATUSES:
                raise Invalid(f"status must be one of {list(rv.STATUSES)}", {"field": "status"})
            filters["status"] = status
        if category is not None:
            filters["category"] = category
        _check_page(limit, offset)
        return await self.repo.find_reviews(tenant_id, filters, skip=offset, limit=limit)


def _already_reviewed(item_id: str) -> Conflict:
    return Conflict("Review item already decided", {"item_id": item_id, "status": ReviewStatus.REVIEWED.value})


def _check_page(limit: int, offset: int) -> None:
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 500:
        raise Invalid("limit must be an integer from 1 to 500", {"field": "limit"})
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise Invalid("offset must be a non-negative integer", {"field": "offset"})
