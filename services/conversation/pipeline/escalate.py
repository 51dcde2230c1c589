"""Escalation step: the turn's facts in, the policy's verdict (tier, reasons, ticket) out (EvaluateTurn.v1)."""

from __future__ import annotations

from typing import Any

from libs.bus.base import Bus
from libs.contracts.models.escalation import (
    CheckEscalationV1,
    EscalationDecisionV1,
    EscalationStepV1,
    EvaluateTurnV1,
    ListTicketsV1,
    TicketListV1,
)
from libs.errors import DomainError
from libs.observability import get_logger
from services.conversation.intents import asks_for_human
from services.conversation.pipeline.ports import EscalationQuery, EscalationVerdict

UNAVAILABLE_REASON = "escalation_service_unavailable"
log = get_logger("conversation.escalate")


class BusEscalation:
    def __init__(self, bus: Bus) -> None:
        self._bus = bus

    async def evaluate(self, query: EscalationQuery, *, deadline_s: float) -> EscalationVerdict:
        command = EvaluateTurnV1.model_validate(
            {
                "session_id": query.session_id,
                "current_tier": query.current_tier,
                "facts": dict(query.facts),
                "text": query.text,
                "create_ticket": query.create_ticket,
                "customer_id": query.customer_id,
                "negative_sentiment": query.negative_sentiment,
            }
        )
        decision = await self._bus.ask(
            command, EscalationDecisionV1, key=query.session_id, tenant_id=query.tenant_id, timeout=deadline_s
        )
        return EscalationVerdict(
            escalate=decision.escalate,
            target_tier=decision.target_tier,
            reasons=tuple(decision.reasons),
            priority=decision.priority,
            explanation=decision.explanation,
            support_reason=decision.support_reason,
            irate=decision.irate,
            ticket_id=decision.ticket_id,
        )


class BusTickets:
    """Whether the escalation service holds a ticket for a session. A ticket opened through the API (seed 001 POST
    /api/escalation) never passes through this service, so a session's end asks once, for `escalated`."""

    def __init__(self, bus: Bus, *, timeout_s: float = 2.0) -> None:
        self._bus = bus
        self._timeout_s = timeout_s

    async def any_for(self, tenant_id: str, session_id: str) -> bool:
        command = ListTicketsV1(session_id=session_id, limit=1, offset=0)
        try:
            tickets = await self._bus.ask(
                command, TicketListV1, key=session_id, tenant_id=tenant_id, timeout=self._timeout_s
            )
        except DomainError as exc:  # the session still ends; its own escalation history decides
            log.warning("conversation.tickets_unknown", error_type=type(exc).__name__)
            return False
        return tickets.total > 0


class BusManualEscalation:
    """A manual escalation is the escalation service's decision (target above the current tier, enabled for the
    company, a known reason): this service only records the move it allows. No local fallback: while the policy
    cannot be asked, the escalation is refused as Unavailable rather than decided by a second copy of the rule."""

    def __init__(self, bus: Bus, *, timeout_s: float = 5.0) -> None:
        self._bus = bus
        self._timeout_s = timeout_s

    async def check(self, tenant_id: str, session_id: str, current_tier: str, body: dict[str, Any]) -> str:
        """The tier to move to; raises InvalidEscalationTarget or Invalid (reason, notes) when refused."""
        command = CheckEscalationV1(
            current_tier=current_tier, reason=body["reason"], target_tier=body["target_tier"], notes=body.get("notes")
        )
        wait = self._timeout_s
        step = await self._bus.ask(command, EscalationStepV1, key=session_id, tenant_id=tenant_id, timeout=wait)
        return step.to_tier


def fallback_verdict(query: EscalationQuery) -> EscalationVerdict:
    """The policy could not be asked: flag the turn for a person (fail safe), and honour an explicit request
    for a human locally so a customer can always reach one."""
    if asks_for_human(query.text) and query.current_tier != "HUMAN_AGENT":
        return EscalationVerdict(
            escalate=True,
            target_tier="HUMAN_AGENT",
            reasons=("CUSTOMER_REQUEST",),
            priority="medium",
            explanation=f"{query.current_tier} -> HUMAN_AGENT: customer asked for a human (policy unavailable)",
            support_reason="manual_request",
            available=False,
        )
    return EscalationVerdict(
        escalate=True,
        target_tier=query.current_tier,
        reasons=(),
        priority="medium",
        explanation="escalation policy unavailable: flagged for human review",
        support_reason=UNAVAILABLE_REASON,
        available=False,
    )
