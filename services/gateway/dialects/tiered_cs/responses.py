"""Seed 002 response bodies, camelCase as the seed writes them; the routes answer with `response_model_exclude_unset`,
so a field a body leaves out (a customer message's metadata, an open session's resolution) stays out."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

__all__ = [
    "CsConfig",
    "EscalatedOut",
    "MessageExchange",
    "ResolvedOut",
    "SessionList",
    "SessionView",
    "StartedSession",
]


class Tokens(BaseModel):
    input: int
    output: int


class MessageMetadata(BaseModel):
    aiGenerated: bool
    model: str | None
    tokens: Tokens | None
    latencyMs: int | None
    actionsTaken: list[str] | None = None  # on the answer of POST /sessions/{id}/messages
    suggestedActions: list[str] | None = None


class Message(BaseModel):
    id: str
    role: str  # customer, ai_rep, ai_manager, human_agent
    content: str
    timestamp: str
    sentiment: str | None = None  # customer messages
    metadata: MessageMetadata | None = None  # answers


class SentimentPoint(BaseModel):
    sentiment: str
    score: float  # 0..1, NEUTRAL 0.5
    timestamp: str


class Escalation(BaseModel):
    fromTier: str | None = None
    toTier: str | None = None
    reason: str | None = None
    timestamp: str | None = None
    notes: str | None = None


class Resolution(BaseModel):
    type: str
    summary: str
    actionsTaken: list[str]
    followUpRequired: bool


class SessionHead(BaseModel):
    id: str
    companyId: str
    customerId: str
    channel: str
    currentTier: str
    status: str


class SessionView(SessionHead):
    issueCategory: str | None
    issueSummary: str | None
    customerSentiment: str
    sentimentHistory: list[SentimentPoint]
    escalationHistory: list[Escalation]
    context: dict[str, Any]  # {"customer": {"id", ...the metadata the session was opened with}}
    createdAt: str
    updatedAt: str
    messages: list[Message] | None = None  # GET /sessions/{id} only
    resolution: Resolution | None = None  # resolved sessions
    resolvedAt: str | None = None


class StartedSession(SessionHead):
    customerSentiment: str
    messages: list[Message]
    createdAt: str


class SessionList(BaseModel):
    sessions: list[SessionView]
    total: int
    limit: int
    offset: int


class SessionUpdate(BaseModel):
    customerSentiment: str
    issueSummary: str | None
    currentTier: str | None = None  # when the turn escalated
    status: str | None = None


class MessageExchange(BaseModel):
    customerMessage: Message
    aiResponse: Message
    sessionUpdate: SessionUpdate


class EscalatedSession(BaseModel):
    id: str
    currentTier: str
    status: str
    escalationHistory: list[Escalation]


class EscalatedOut(BaseModel):
    success: Literal[True]
    session: EscalatedSession


class ResolvedSession(BaseModel):
    id: str
    status: str
    resolution: Resolution
    resolvedAt: str | None


class ResolvedOut(BaseModel):
    success: Literal[True]
    session: ResolvedSession


class CsConfig(BaseModel):
    """The documented GET /config body; PUT deep-merges a partial config, so further keys are kept as sent."""

    model_config = ConfigDict(extra="allow")
    companyId: str
    enabled: bool
    tiers: dict[str, Any]  # aiRep, aiManager, humanAgent
    irateProtocol: dict[str, Any]
