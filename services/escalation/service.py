"""EscalationService: the escalation service's use cases (policy evaluation, tickets, CS config, human
review) over EscalationRepository; consumes validated-or-raw request dicts, returns documented shapes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from libs.errors import Conflict, Forbidden, Invalid, NotFound
from libs.store import DocumentStore

from . import review as rv
from . import tickets as tk
from .company_config import CompanyConfig, apply_patch
from .domain import EscalationDecision, Tier, TurnFacts, facts_from_dict, parse_enum
from .policy import Thresholds, check_manual_escalation, evaluate
from .store import EscalationRepository, scoped_id

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
        tier = parse_enum(Tier, current_tier, "currentTier")
        config = config or await self.company_config(tenant_id)
        return evaluate(parsed, config, tier, thresholds=self._thresholds, negative_sentiment=negative_sentiment)

    async def check_escalation(self, tenant_id: str, current_tier: Tier | str, body: dict[str, Any]) -> dict[str, Any]:
        """A manual escalation -> its escalation history entry; InvalidEscalationTarget for a bad target."""
        entry = check_manual_escalation(current_tier, body, await self.company_config(tenant_id))
        return {**entry, "timestamp": self._now().isoformat()}

    # config
    async def company_config(self, tenant_id: str) -> CompanyConfig:
        """The saved config, or the documented defaults for a company that never saved one."""
        doc = await self.repo.get_config(tenant_id)
        return CompanyConfig(tenant_id, doc["config"]) if doc else CompanyConfig.default(tenant_id)

    async def update_config(self, tenant_id: str, body: Any) -> CompanyConfig:
        """PUT /config: validated deep merge; returns the whole resulting config."""
        if not isinstance(body, dict):
            raise Invalid("request body must be a JSON object", {"field": "body"})
        patch = dict(body)
        company_id = patch.pop("companyId", tenant_id)
        if company_id != tenant_id:
            raise Forbidden("companyId is not the caller's company", {"field": "companyId"})
        current = await self.company_config(tenant_id)
        merged = apply_patch(current.data, patch)
        await self.repo.save_config(tenant_id, merged, self._now().isoformat())
        return CompanyConfig(tenant_id, merged)

    # tickets
    async def create_ticket(self, tenant_id: str, body: Any, *, customer_id: str | None = None) -> dict[str, Any]:
        """POST /api/escalation: validates, numbers (TKT-<year>-<6 digits>, per tenant), estimates, stores."""
        fields = tk.validate_create(body)
        priority = fields.pop("priority")
        now = self._now()
        ahead = await self.repo.count_open_tickets_at_least(tenant_id, priority.rank)
        minutes = tk.estimate_response_minutes(priority, ahead)
        sequence = await self.repo.next_sequence(tenant_id, f"ticket_{now.year}")
        ticket_id = tk.format_ticket_id(now.year, sequence)
        doc = {
            "id": scoped_id(tenant_id, ticket_id),
            "tenant_id": tenant_id,
            "ticket_id": ticket_id,
            "customer_id": customer_id,
            **fields,
            "priority": priority.value,
            "priority_rank": priority.rank,
            "status": tk.TicketStatus.OPEN.value,
            "created_at": now.isoformat(),
            "updated_at": now.isoformat(),
            "assigned_agent": None,
            "resolution_notes": None,
            "customer_satisfaction": None,
            "estimated_response_minutes": minutes,
            "estimated_response_time": tk.format_timeframe(minutes),
        }
        await self.repo.insert_ticket(doc)
        return tk.created_view(doc)

    async def _ticket_doc(self, tenant_id: str, ticket_id: str) -> dict[str, Any]:
        doc = await self.repo.get_ticket(tenant_id, ticket_id)
        if doc is None:
            raise NotFound("Escalation ticket not found", {"ticket_id": ticket_id})
        return doc

    async def get_ticket(self, tenant_id: str, ticket_id: str) -> dict[str, Any]:
        return tk.ticket_view(await self._ticket_doc(tenant_id, ticket_id))

    async def update_ticket(self, tenant_id: str, ticket_id: str, body: Any) -> dict[str, Any]:
        """PUT /api/escalation/{id}; returns the GET view. Refused transitions raise Conflict (409)."""
        doc = await self._ticket_doc(tenant_id, ticket_id)
        changes = tk.plan_update(doc, body, self._now().isoformat())
        updated = await self.repo.update_ticket(tenant_id, ticket_id, changes)
        if updated is None:
            raise NotFound("Escalation ticket not found", {"ticket_id": ticket_id})
        return tk.ticket_view(updated)

    async def list_tickets(
        self,
        tenant_id: str,
        *,
        session_id: str | None = None,
        status: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> dict[str, Any]:
        """Tickets oldest first, e.g. a session's escalations (seed 001 GET /api/session/{id})."""
        filters: dict[str, Any] = {}
        if session_id is not None:
            filters["session_id"] = session_id
        if status is not None:
            filters["status"] = parse_enum(tk.TicketStatus, status, "status").value
        _check_page(limit, offset)
        docs, total = await self.repo.find_tickets(tenant_id, filters, skip=offset, limit=limit)
        return {
            "tickets": [tk.ticket_view(d) for d in docs],
            "total": total,
            "limit": limit,
            "offset": offset,
        }

    # human review
    async def queue_review(self, tenant_id: str, body: Any) -> dict[str, Any]:
        """POST /api/v1/review/queue `data`."""
        fields = rv.validate_queue(body)
        now = self._now()
        ahead = await self.repo.count_queued_reviews_at_most(tenant_id, fields["priority"])
        item_id = rv.format_item_id(await self.repo.next_sequence(tenant_id, "review"))
        doc = {
            "id": scoped_id(tenant_id, item_id),
            "tenant_id": tenant_id,
            "item_id": item_id,
            **fields,
            "status": rv.QUEUED,
            "created_at": now.isoformat(),
            "estimated_review_time": rv.estimate_review_time(now, ahead).isoformat(),
        }
        await self.repo.insert_review(doc)
        return rv.queued_view(doc)

    async def decide_review(self, tenant_id: str, body: Any, *, reviewer_id: str) -> dict[str, Any]:
        """POST /api/v1/review/decision `data`; a second decision on an item raises Conflict (409)."""
        fields = rv.validate_decision(body)
        item = await self.repo.get_review(tenant_id, fields["item_id"])
        if item is None:
            raise NotFound("Review item not found", {"item_id": fields["item_id"]})
        now = self._now().isoformat()
        decision = {**{k: fields[k] for k in ("approved", "feedback", "edits")}, "reviewer_id": reviewer_id}
        decision |= {"review_time": now, "final_response": rv.final_response(item, fields)}
        if item["status"] != rv.QUEUED or not await self.repo.claim_decision(tenant_id, item["item_id"], decision):
            raise _already_reviewed(item["item_id"])
        updated = await self.repo.update_review(tenant_id, item["item_id"], {**decision, "status": rv.REVIEWED})
        assert updated is not None  # items are never deleted
        return rv.decided_view(updated)

    async def list_reviews(
        self,
        tenant_id: str,
        *,
        status: str | None = rv.QUEUED,
        category: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> dict[str, Any]:
        """Review items most urgent first (pending ones by default), originals beside edits."""
        filters: dict[str, Any] = {}
        if status is not None:
            if status not in rv.STATUSES:
                raise Invalid(f"status must be one of {list(rv.STATUSES)}", {"field": "status"})
            filters["status"] = status
        if category is not None:
            filters["category"] = category
        _check_page(limit, offset)
        docs, total = await self.repo.find_reviews(tenant_id, filters, skip=offset, limit=limit)
        return {"items": [rv.item_view(d) for d in docs], "total": total, "limit": limit, "offset": offset}


def _already_reviewed(item_id: str) -> Conflict:
    return Conflict("Review item already decided", {"item_id": item_id, "status": rv.REVIEWED})


def _check_page(limit: int, offset: int) -> None:
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 500:
        raise Invalid("limit must be an integer from 1 to 500", {"field": "limit"})
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise Invalid("offset must be a non-negative integer", {"field": "offset"})
