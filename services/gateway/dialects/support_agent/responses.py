"""Seed 001 response bodies, with the seed's field names; the routes answer with `response_model_exclude_unset`.

Tickets pass through from the escalation service's replies unchanged, so their contract models are the schema.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from libs.contracts.models.escalation import TicketReceiptV1, TicketV1

__all__ = [
    "ClosedSession",
    "Health",
    "QueryOut",
    "SessionOut",
    "SessionView",
    "TestQueryOut",
    "TestTicketReceipt",
    "TicketReceiptV1",
    "TicketV1",
]


class QueryOut(BaseModel):
    response: str
    model_used: str
    sentiment_score: float | None  # -1..1; null when the sentiment service could not read the query
    complexity_score: float | None  # 0..1
    response_time_ms: int
    escalated: bool
    escalation_reason: str | None  # if escalated
    ticket_id: str | None  # if escalated
    cached: bool


class TestQueryOut(QueryOut):
    test: Literal[True]


class TestTicketReceipt(TicketReceiptV1):
    test: Literal[True]


class SessionOut(BaseModel):
    session_id: str
    customer_id: str
    created_at: str
    status: Literal["active", "closed"]


class MessageMetadata(BaseModel):
    model_used: str | None
    sentiment_score: float | None
    complexity_score: float | None


class SessionMessage(BaseModel):
    id: str
    timestamp: str
    role: Literal["user", "assistant"]
    content: str
    metadata: MessageMetadata


class SessionEscalation(BaseModel):
    ticket_id: str
    reason: str
    created_at: str
    status: str


class SessionView(SessionOut):
    updated_at: str
    messages: list[SessionMessage]
    escalations: list[SessionEscalation]


class ClosedSession(BaseModel):
    message: str
    session_id: str
    archived_at: str


class Health(BaseModel):
    status: Literal["healthy", "degraded"]
    timestamp: str
    version: str
    services: dict[str, Literal["healthy", "unhealthy"]]
    uptime_seconds: int
