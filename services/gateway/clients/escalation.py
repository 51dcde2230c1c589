"""Gateway → escalation service: ticket, CS-config and human-review commands on escalation.commands, answered as
plain dicts in the documented shapes (domain errors come back raised, for the dialect to render)."""

from __future__ import annotations

from typing import Any, Literal

from libs.contracts.models.escalation import (
    CompanyConfigV1,
    CreateTicketV1,
    CsSettingsPatch,
    DecideReviewV1,
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
from services.gateway.auth import Principal
from services.gateway.clients.base import BusClient

ReviewStatus = Literal["queued", "reviewed", "all"]


class EscalationClient(BusClient):
    """One method per command; every call runs inside the caller's tenant."""

    # tickets (seed 001)
    async def create_ticket(
        self, caller: Principal, body: dict[str, Any], *, event_id: str | None = None
    ) -> dict[str, Any]:
        """`event_id`: the same for every retry of one create (from its Idempotency-Key), so one ticket is opened."""
        command = CreateTicketV1.model_validate(body)
        receipt = await self.ask(caller, command, TicketReceiptV1, key=command.session_id, event_id=event_id)
        return receipt.model_dump(mode="json", exclude_none=True)  # assigned_agent only once assigned

    async def get_ticket(self, caller: Principal, ticket_id: str) -> dict[str, Any]:
        command = GetTicketV1(ticket_id=ticket_id)
        ticket = await self.ask(caller, command, TicketV1, key=ticket_id)
        return ticket.model_dump(mode="json")

    async def update_ticket(self, caller: Principal, ticket_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        command = UpdateTicketV1.model_validate({**changes, "ticket_id": ticket_id})
        ticket = await self.ask(caller, command, TicketV1, key=ticket_id)
        return ticket.model_dump(mode="json")

    async def list_tickets(
        self,
        caller: Principal,
        *,
        session_id: str | None = None,
        status: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> dict[str, Any]:
        """{tickets (GET shape, oldest first), total, limit, offset}; e.g. one session's escalations."""
        command = ListTicketsV1(session_id=session_id, status=status, limit=limit, offset=offset)
        key = session_id or caller.tenant_id
        page = await self.ask(caller, command, TicketListV1, key=key)
        return page.model_dump(mode="json")

    # CS config (seed 002): the company is the caller's tenant
    async def get_config(self, caller: Principal) -> CompanyConfigV1:
        return await self.ask(caller, GetCompanyConfigV1(), CompanyConfigV1, key=caller.tenant_id)

    async def update_config(self, caller: Principal, patch: CsSettingsPatch) -> CompanyConfigV1:
        return await self.ask(caller, UpdateCompanyConfigV1(patch=patch), CompanyConfigV1, key=caller.tenant_id)

    # human review (seed 000)
    async def queue_review(self, caller: Principal, body: dict[str, Any]) -> dict[str, Any]:
        command = QueueReviewV1.model_validate(body)
        receipt = await self.ask(caller, command, ReviewReceiptV1, key=caller.tenant_id)
        return receipt.model_dump(mode="json")

    async def decide_review(self, caller: Principal, body: dict[str, Any]) -> dict[str, Any]:
        command = DecideReviewV1.model_validate({**body, "reviewer_id": caller.subject_id})
        verdict = await self.ask(caller, command, ReviewVerdictV1, key=command.item_id)
        return verdict.model_dump(mode="json")

    async def list_reviews(
        self,
        caller: Principal,
        *,
        status: ReviewStatus,
        category: str | None,
        limit: int,
        offset: int,
    ) -> dict[str, Any]:
        command = ListReviewsV1(status=status, category=category, limit=limit, offset=offset)
        page = await self.ask(caller, command, ReviewListV1, key=caller.tenant_id)
        return page.model_dump(mode="json")
