"""Seed 001 POST /api/escalation, GET and PUT /api/escalation/{ticket_id}: escalation tickets answered by the
escalation service over the bus; errors in the support-agent envelope."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, ConfigDict, Field

from libs.contracts.models.escalation import CreateTicketV1, UpdateTicketV1
from services.gateway.deps import Caller, GatewayDep
from services.gateway.dialects.support_agent.envelope import DIALECT
from services.gateway.dialects.support_agent.responses import TicketReceiptV1, TicketV1
from services.gateway.idempotency import command_id
from services.gateway.input_policy import contract_length

router = APIRouter(prefix="/api/escalation", route_class=DIALECT.route_class(), tags=["support agent: escalation"])

# Reasons, priorities and statuses are plain strings here: the escalation service checks them and its error names
# the field and lists the allowed values (it also accepts the seed 002 reason codes on tickets). Their lengths are
# the contract's, so nothing the gateway accepts is refused on the bus.
TicketId = Annotated[str, Path(min_length=1, max_length=64)]


class CreateEscalationRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    session_id: Annotated[str, contract_length(CreateTicketV1, "session_id")]
    reason: Annotated[str, contract_length(CreateTicketV1, "reason")]
    priority: Annotated[str, contract_length(CreateTicketV1, "priority")]
    customer_sentiment: float | None = Field(default=None, ge=-1, le=1, strict=True)
    query_complexity: float | None = Field(default=None, ge=0, le=1, strict=True)
    additional_context: Annotated[str, contract_length(CreateTicketV1, "additional_context")] | None = None


class UpdateEscalationRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Annotated[str, contract_length(UpdateTicketV1, "status")] | None = None
    assigned_agent: Annotated[str, contract_length(UpdateTicketV1, "assigned_agent")] | None = None
    resolution_notes: Annotated[str, contract_length(UpdateTicketV1, "resolution_notes")] | None = None
    customer_satisfaction: int | None = Field(default=None, ge=1, le=5, strict=True)


@router.post("", response_model=TicketReceiptV1, response_model_exclude_unset=True)
async def create_escalation(
    body: CreateEscalationRequest, caller: Caller, gw: GatewayDep, request: Request
) -> TicketReceiptV1:
    """The ticket names the session's customer (seed 001 GET /api/escalation/{id} `customer_id`), read from the
    conversation service: an unknown session is a 404 and no ticket is opened. With an Idempotency-Key the command's
    event id comes from the key, so a retry after a 504 gets the ticket the first try opened."""
    caller.require("agent")
    conversations = gw.clients.conversation
    session = (await conversations.get_session(caller, body.session_id, message_limit=0)).session
    command = CreateTicketV1.model_validate({**body.model_dump(exclude_none=True), "customer_id": session.customer_id})
    # assigned_agent is left out until a ticket is assigned (the reply's unset fields stay unset).
    return await gw.clients.escalation.create_ticket(caller, command, event_id=command_id(request))


# GET and PUT answer every ticket field, the not-yet-known ones as null (so no response_model_exclude_unset).
@router.get("/{ticket_id}", response_model=TicketV1)
async def get_escalation(ticket_id: TicketId, caller: Caller, gw: GatewayDep) -> TicketV1:
    return await gw.clients.escalation.get_ticket(caller, ticket_id)


@router.put("/{ticket_id}", response_model=TicketV1)
async def update_escalation(
    ticket_id: TicketId, body: UpdateEscalationRequest, caller: Caller, gw: GatewayDep
) -> TicketV1:
    """Answers the updated ticket in the GET shape (the seed documents no PUT response body)."""
    caller.require("agent")
    command = UpdateTicketV1.model_validate({**body.model_dump(exclude_none=True), "ticket_id": ticket_id})
    return await gw.clients.escalation.update_ticket(caller, command)
