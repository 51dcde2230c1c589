"""Gateway → escalation service: ticket, CS-config and human-review commands on escalation.commands, each answered
with its typed contract reply (domain errors come back raised, for the dialect to render)."""

from __future__ import annotations

from typing import Literal

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
        self, caller: Principal, command: CreateTicketV1, *, event_id: str | None = None
    ) -> TicketReceiptV1:
        """`event_id`: the same for every retry of one create (from its Idempotency-Key), so one ticket is opened."""
        return await self.ask(caller, command, TicketReceiptV1, key=command.session_id, event_id=event_id)

    async def get_ticket(self, caller: Principal, ticket_id: str) -> TicketV1:
        return await self.ask(caller, GetTicketV1(ticket_id=ticket_id), TicketV1, key=ticket_id)

    async def update_ticket(self, caller: Principal, command: UpdateTicketV1) -> TicketV1:
        return await self.ask(caller, command, TicketV1, key=command.ticket_id)

    async def list_tickets(
        self,
        caller: Principal,
        *,
        session_id: str | None = None,
        status: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> TicketListV1:
        """Tickets in the GET shape, oldest first; e.g. one session's escalations."""
        command = ListTicketsV1(session_id=session_id, status=status, limit=limit, offset=offset)
        return await self.ask(caller, command, TicketListV1, key=session_id or caller.tenant_id)

    # CS config (seed 002): the company is the caller's tenant
    async def get_config(self, caller: Principal) -> CompanyConfigV1:
        return await self.ask(caller, GetCompanyConfigV1(), CompanyConfigV1, key=caller.tenant_id)

    async def update_config(self, caller: Principal, patch: CsSettingsPatch) -> CompanyConfigV1:
        return await self.ask(caller, UpdateCompanyConfigV1(patch=patch), CompanyConfigV1, key=caller.tenant_id)

    # human review (seed 000)
    async def queue_review(self, caller: Principal, command: QueueReviewV1) -> ReviewReceiptV1:
        return await self.ask(caller, command, ReviewReceiptV1, key=caller.tenant_id)

    async def decide_review(self, caller: Principal, command: DecideReviewV1) -> ReviewVerdictV1:
        return await self.ask(caller, command, ReviewVerdictV1, key=command.item_id)

    async def list_reviews(
        self,
        caller: Principal,
        *,
        status: ReviewStatus,
        category: str | None,
        limit: int,
        offset: int,
    ) -> ReviewListV1:
        command = ListReviewsV1(status=status, category=category, limit=limit, offset=offset)
        return await self.ask(caller, command, ReviewListV1, key=caller.tenant_id)
