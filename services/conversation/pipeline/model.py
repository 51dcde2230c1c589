"""The turn pipeline's value types: what a turn is given (TurnRequest, Ports) and what it produces (TurnOutcome).

Kept apart from the pipeline's steps so the service's event and fact builders can read an outcome without
importing the machinery that makes one."""

from __future__ import annotations

from dataclasses import dataclass, field

from libs.llm import ComplianceCheck
from services.conversation.domain import Session
from services.conversation.pipeline.deadline import Deadline
from services.conversation.pipeline.generate import Answer
from services.conversation.pipeline.ports import (
    EscalationPort,
    EscalationVerdict,
    LLMPort,
    Redaction,
    Redactor,
    Retrieval,
    RetrievalPort,
    SentimentPort,
    SentimentReading,
)
from services.conversation.pipeline.steps import StepLog


@dataclass(frozen=True)
class TurnRequest:
    tenant_id: str
    session: Session  # the stored session before this turn
    text: str  # as the customer sent it; only the redacted form leaves this service
    message_id: str
    want_category: bool = False
    want_agent: bool = False
    want_alternatives: bool = False
    local_only: bool = False  # a test turn: the local provider, never a cloud call
    # The caller's policy profile: a strongly negative message escalates at once (else the company's irate
    # protocol runs its de-escalation attempts first).
    escalate_on_negative_sentiment: bool = False
    deadline: Deadline = field(default_factory=Deadline)  # the requester's; steps are capped to it


@dataclass
class TurnOutcome:
    redaction: Redaction
    sentiment: SentimentReading
    retrieval: Retrieval
    answer: Answer | None  # None at HUMAN_AGENT (handoff) or when every provider failed
    verdict: EscalationVerdict
    compliance: ComplianceCheck
    complexity: float
    failed_attempts: int
    handoff: bool
    steps: StepLog
    agent: str | None = None
    issue_category: str | None = None
    insight_category: str | None = None
    crm_category: str = "general"
    alternatives: list[str] = field(default_factory=list)


@dataclass
class Ports:
    redactor: Redactor
    sentiment: SentimentPort
    retrieval: RetrievalPort
    escalation: EscalationPort
    llm: LLMPort
