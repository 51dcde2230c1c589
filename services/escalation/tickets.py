"""Escalation tickets: request validation, ids, the open → assigned → resolved → closed lifecycle and the
estimated-response-time formula, over the Ticket domain object. Pure."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

from libs.errors import Conflict, Invalid

from .domain import EscalationDecision, Priority, Reason, SupportReason, Ticket, TicketStatus, TurnFacts, parse_enum


@dataclass(frozen=True, slots=True)
class TicketRequest:
    """A validated request for a new ticket (what the caller chose; ids, times and the ETA are the service's)."""

    session_id: str
    reason: str
    priority: Priority
    customer_sentiment: float | None = None
    query_complexity: float | None = None
    additional_context: str | None = None


# Forward along the documented chain, plus the two moves a help desk needs: releasing an assigned
# ticket back to the queue and reopening a resolved one. Closed is terminal.
TRANSITIONS: dict[TicketStatus, frozenset[TicketStatus]] = {
    TicketStatus.OPEN: frozenset({TicketStatus.ASSIGNED}),
    TicketStatus.ASSIGNED: frozenset({TicketStatus.RESOLVED, TicketStatus.OPEN}),
    TicketStatus.RESOLVED: frozenset({TicketStatus.CLOSED, TicketStatus.ASSIGNED}),
    TicketStatus.CLOSED: frozenset(),
}

# estimated_response_time = BASE_MINUTES[priority] + MINUTES_PER_TICKET_AHEAD × (open tickets of the
# tenant at least as urgent), rounded up to 5 minutes and written as minutes, hours or days.
BASE_MINUTES = {Priority.URGENT: 15, Priority.HIGH: 60, Priority.MEDIUM: 240, Priority.LOW: 1440}
MINUTES_PER_TICKET_AHEAD = 10

ALLOWED_REASONS = tuple(r.value for r in SupportReason) + tuple(r.value for r in Reason)
_CREATE_FIELDS = frozenset(
    {"session_id", "reason", "priority", "customer_sentiment", "query_complexity", "additional_context"}
)
_UPDATE_FIELDS = frozenset({"status", "assigned_agent", "resolution_notes", "customer_satisfaction"})


def format_ticket_id(year: int, sequence: int) -> str:
    return f"TKT-{year}-{sequence:06d}"


def estimate_response_minutes(priority: Priority, tickets_ahead: int) -> int:
    minutes = BASE_MINUTES[priority] + MINUTES_PER_TICKET_AHEAD * max(0, tickets_ahead)
    return 5 * math.ceil(minutes / 5)


def format_timeframe(minutes: int) -> str:
    """'15 minutes', '1 hour', '5 hours', '2 days' (rounded up: a promise, not an average)."""
    if minutes < 60:
        return f"{minutes} minutes"
    if minutes < 48 * 60:
        hours = math.ceil(minutes / 60)
        return "1 hour" if hours == 1 else f"{hours} hours"
    return f"{math.ceil(minutes / 1440)} days"


def _text(body: dict[str, Any], key: str, max_len: int, *, required: bool = False) -> str | None:
    value = body.get(key)
    if value is None:
        if required:
            raise Invalid(f"Missing required field: {key}", {"field": key})
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > max_len:
        raise Invalid(f"{key} must be a non-empty string of at most {max_len} characters", {"field": key})
    return value


def _score(body: dict[str, Any], key: str, low: float, high: float) -> float | None:
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise Invalid(f"{key} must be a number in [{low}, {high}]", {"field": key, "min": low, "max": high})
    return float(value)


def _reject_unknown(body: Any, allowed: frozenset[str]) -> None:
    if not isinstance(body, dict):
        raise Invalid("request body must be a JSON object", {"field": "body"})
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise Invalid(f"unknown field: {unknown[0]}", {"field": unknown[0]})


def validate_create(body: Any) -> TicketRequest:
    """A create-ticket body -> a TicketRequest; wrong or missing fields raise Invalid naming them."""
    _reject_unknown(body, _CREATE_FIELDS)
    session_id = _text(body, "session_id", 200, required=True)
    assert session_id is not None  # required
    if body.get("reason") is None:
        raise Invalid("Missing required field: reason", {"field": "reason"})
    if body["reason"] not in ALLOWED_REASONS:
        raise Invalid("reason is not a known escalation reason", {"field": "reason", "allowed": list(ALLOWED_REASONS)})
    if body.get("priority") is None:
        raise Invalid("Missing required field: priority", {"field": "priority"})
    return TicketRequest(
        session_id=session_id,
        reason=body["reason"],
        priority=parse_enum(Priority, body["priority"], "priority"),
        customer_sentiment=_score(body, "customer_sentiment", -1.0, 1.0),
        query_complexity=_score(body, "query_complexity", 0.0, 1.0),
        additional_context=_text(body, "additional_context", 10_000),
    )


def apply_update(ticket: Ticket, body: Any, now: str) -> Ticket:
    """The ticket after an update-ticket body (status, assigned_agent, resolution_notes, customer_satisfaction).

    Invalid (400) for a malformed field; Conflict (409) for a transition the lifecycle forbids, with
    details {field, current, requested, allowed}. Assigning an agent to an open ticket assigns it."""
    _reject_unknown(body, _UPDATE_FIELDS)
    if not body:
        raise Invalid("nothing to update", {"field": "body", "allowed": sorted(_UPDATE_FIELDS)})
    current = ticket.status
    agent = _text(body, "assigned_agent", 200)
    notes = _text(body, "resolution_notes", 10_000)
    satisfaction = body.get("customer_satisfaction")
    if satisfaction is not None and (
        isinstance(satisfaction, bool) or not isinstance(satisfaction, int) or not 1 <= satisfaction <= 5
    ):
        raise Invalid("customer_satisfaction must be an integer from 1 to 5", {"field": "customer_satisfaction"})
    if body.get("status") is not None:
        target = parse_enum(TicketStatus, body["status"], "status")
    else:
        target = TicketStatus.ASSIGNED if agent and current is TicketStatus.OPEN else current
    updated = _transition(ticket, target, agent or ticket.assigned_agent, now)
    updated.updated_at = now
    if agent is not None:
        if current is TicketStatus.CLOSED:
            raise Conflict("a closed ticket cannot be reassigned", {"field": "assigned_agent", "current": "closed"})
        updated.assigned_agent = agent
    if notes is not None:
        updated.resolution_notes = notes
    if satisfaction is not None:
        updated.customer_satisfaction = satisfaction
    return updated


def _transition(ticket: Ticket, target: TicketStatus, agent: str | None, now: str) -> Ticket:
    """A copy of the ticket moved to `target` (itself unchanged when it is there already)."""
    current = ticket.status
    if target is current:
        return dataclasses.replace(ticket)
    if target not in TRANSITIONS[current]:
        allowed = sorted(s.value for s in TRANSITIONS[current])
        raise Conflict(
            f"ticket cannot move from {current.value} to {target.value}",
            {"field": "status", "current": current.value, "requested": target.value, "allowed": allowed},
        )
    if target is TicketStatus.ASSIGNED and not agent:
        raise Invalid("assigning a ticket needs assigned_agent", {"field": "assigned_agent"})
    moved = dataclasses.replace(ticket, status=target)
    if target is TicketStatus.OPEN:
        moved.assigned_agent = None  # released back to the queue
    else:
        setattr(moved, f"{target.value}_at", now)  # assigned_at, resolved_at, closed_at
    return moved


def request_from_decision(decision: EscalationDecision, session_id: str, facts: TurnFacts) -> TicketRequest:
    """The ticket an automatic escalation opens (a support reason word, no customer text)."""
    return TicketRequest(
        session_id=session_id,
        reason=(decision.support_reason or SupportReason.MANUAL_REQUEST).value,
        priority=decision.priority,
        customer_sentiment=facts.sentiment_score,
        query_complexity=facts.complexity_score,
        additional_context=decision.explanation or None,
    )
