"""Models of the conversation messages, generated from contracts/conversation/ by libs.contracts.generate.

Never edit by hand: change the JSON Schema (a breaking change is a new .vN file) and run `make contracts`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from pydantic import BaseModel, ConfigDict, Field
from typing_extensions import TypeAliasType




class CloseSessionV1(BaseModel):
    """
    Command: close and archive a session (seed 001 DELETE /api/session/{id}); answered with SessionView.v1.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    session_id: Annotated[str, Field(max_length=200, min_length=1)]
    """
    Session (conversation) id as the caller sees it.
    """


Flag = Annotated[str, Field(max_length=300)]


class ComplianceCheck(BaseModel):
    model_config = ConfigDict(
        extra='forbid',
    )
    passed: bool
    flags: Annotated[list[Flag], Field(max_length=100)]


class ConversationCreatedV1(BaseModel):
    """
    Event: a session was opened.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    session_id: Annotated[str, Field(max_length=200, min_length=1)]
    """
    Session (conversation) id as the caller sees it.
    """
    customer_id: Annotated[str, Field(max_length=200, min_length=1)]
    channel: Annotated[str, Field(max_length=32, min_length=1)]
    dialect: Literal['insights', 'support_agent', 'tiered_cs', 'kb_platform', 'crm_chat']
    tier: Literal['AI_REP', 'AI_MANAGER', 'HUMAN_AGENT']
    """
    The tiers of support, lowest first: an AI representative, an AI manager, a human agent.
    """
    created_at: Annotated[str, Field(max_length=64, min_length=1)]
    """
    ISO 8601 UTC timestamp.
    """
    test: bool | None = None
    """
    The session is a test (seed 001 /api/test/*): analytics leaves it and its events out.
    """


Phone = Annotated[str, Field(max_length=64)]


Company = Annotated[str, Field(max_length=200)]


Role = Annotated[str, Field(max_length=200)]


class CreateCrmUserV1(BaseModel):
    """
    Command: create a CRM user (seed 004 POST /crm/create_user); answered with CrmUser.v1.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    name: Annotated[str, Field(max_length=200, min_length=1)]
    email: Annotated[str, Field(max_length=320, min_length=1)]
    phone: Phone | None = None
    company: Company | None = None
    role: Role | None = None
    preferences: dict[str, Any] | None = None
    """
    Free-form user preferences.
    """


class CrmPageV1(BaseModel):
    """
    Reply: a page of CRM records (users or conversation summaries).
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    items: Annotated[list[dict[str, Any]], Field(max_length=100)]
    total: Annotated[int, Field(ge=0)]
    page: Annotated[int, Field(ge=1)]
    per_page: Annotated[int, Field(ge=1)]


class CrmUserV1(BaseModel):
    """
    Reply: one CRM user record (with `stats` when read).
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    user: dict[str, Any]
    """
    The user record.
    """


SessionToken = Annotated[str, Field(max_length=512)]


class CustomerTokenV1(BaseModel):
    """
    Reply: an end-customer session token's state; `session_token` is present only when just issued.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    valid: bool
    session_id: Annotated[str, Field(max_length=200, min_length=1)]
    user_id: Annotated[str, Field(max_length=200, min_length=1)]
    tenant_id: Annotated[str, Field(max_length=200, min_length=1)]
    session_token: SessionToken | None
    expires_at: Annotated[str, Field(max_length=64, min_length=1)]
    """
    ISO 8601 UTC timestamp.
    """
    created_at: Annotated[str, Field(max_length=64, min_length=1)]
    """
    ISO 8601 UTC timestamp.
    """


Notes = Annotated[str, Field(max_length=4000)]


class EscalateSessionV1(BaseModel):
    """
    Command: manual escalation to a higher tier (seed 002 POST /sessions/:id/escalate); answered with SessionView.v1.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    session_id: Annotated[str, Field(max_length=200, min_length=1)]
    """
    Session (conversation) id as the caller sees it.
    """
    reason: Annotated[str, Field(max_length=64, min_length=1)]
    target_tier: Literal['AI_REP', 'AI_MANAGER', 'HUMAN_AGENT']
    """
    The tiers of support, lowest first: an AI representative, an AI manager, a human agent.
    """
    notes: Notes | None = None


Comment = Annotated[str, Field(max_length=4000)]


class FeedbackReceiptV1(BaseModel):
    """
    Reply to SubmitFeedback: the stored rating.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    session_id: Annotated[str, Field(max_length=200, min_length=1)]
    """
    Session (conversation) id as the caller sees it.
    """
    rating: Annotated[int, Field(ge=1, le=5)]
    comment: Comment | None
    """
    The customer's words: sent only to consumers that show feedback (webhooks); never logged.
    """
    submitted_at: Annotated[str, Field(max_length=64, min_length=1)]
    """
    ISO 8601 UTC timestamp.
    """


class FeedbackSubmittedV1(BaseModel):
    """
    Event: a customer rated a session (seed 003 webhook feedback.submitted); satisfaction figures count these.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    session_id: Annotated[str, Field(max_length=200, min_length=1)]
    """
    Session (conversation) id as the caller sees it.
    """
    customer_id: Annotated[str | None, Field(max_length=200, min_length=1)] = None
    rating: Annotated[int, Field(ge=1, le=5)]
    comment: Comment | None
    """
    The customer's words: sent only to consumers that show feedback (webhooks); never logged.
    """
    submitted_at: Annotated[str, Field(max_length=64, min_length=1)]
    """
    ISO 8601 UTC timestamp.
    """


FallbackChainTriedItem = Annotated[str, Field(max_length=200)]


Source = Annotated[str, Field(max_length=1000)]


class GenerateV1(BaseModel):
    """
    Command: generate text with the model registry (seed 000 POST /api/v1/ai/generate); answered with GenerateResult.v1, preceded by GenerationDelta.v1 replies in order when `stream` is true. Ranges (max_tokens per model, temperature 0-2, non-empty prompt, known model) are checked by the service, which answers Invalid naming the field. Carries the caller's prompt: the prompt is redacted before any provider sees it.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    prompt: Annotated[str, Field(max_length=100000)]
    model: Annotated[str | None, Field(max_length=200, min_length=1)] = None
    """
    Registry model id; absent = routed by query complexity.
    """
    max_tokens: int | None = 512
    temperature: float | None = 0.7
    system_prompt: Annotated[str | None, Field(max_length=20000)] = None
    stream: bool | None = False
    context: dict[str, Any] | None = None
    """
    Caller context passed to the model as labelled facts.
    """


class GenerationDeltaV1(BaseModel):
    """
    Streamed reply to Generate.v1 (stream=true): the next piece of generated text, sent before the final GenerateResult.v1; concatenated in `index` order they are the generated text.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    index: Annotated[int, Field(ge=0)]
    text: Annotated[str, Field(max_length=200000)]


class GetCrmUserV1(BaseModel):
    """
    Command: read a CRM user with conversation stats (seed 004 GET /crm/users/{id}); answered with CrmUser.v1.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    user_id: Annotated[str, Field(max_length=200, min_length=1)]


class GetSessionV1(BaseModel):
    """
    Command: read one session with its messages; answered with SessionView.v1 (NotFound when unknown).
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    session_id: Annotated[str, Field(max_length=200, min_length=1)]
    """
    Session (conversation) id as the caller sees it.
    """
    message_limit: Annotated[int | None, Field(ge=0, le=10000)] = None


class IssueCustomerTokenV1(BaseModel):
    """
    Command: issue an end-customer session token (seed 004 POST /sessions/create); answered with CustomerToken.v1.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    user_id: Annotated[str, Field(max_length=200, min_length=1)]
    ttl_s: Annotated[int | None, Field(ge=60, le=2592000)] = None


class ListCrmUsersV1(BaseModel):
    """
    Command: page through CRM users (seed 004 GET /crm/users); answered with CrmPage.v1.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    page: Annotated[int, Field(ge=1, le=1000000)]
    per_page: Annotated[int, Field(ge=1, le=100)]
    active_only: bool


class ListProvidersV1(BaseModel):
    """
    Command: list the model registry with live availability (seed 000 GET /api/v1/ai/providers); answered with ProviderList.v1.
    """
    model_config = ConfigDict(
        extra='forbid',
    )


CustomerId = Annotated[str, Field(max_length=200)]


Status = Annotated[str, Field(max_length=32)]


StartDate = Annotated[str, Field(max_length=64)]


EndDate = Annotated[str, Field(max_length=64)]


class ListSessionsV1(BaseModel):
    """
    Command: page through the tenant's sessions with filters; answered with SessionPage.v1.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    customer_id: CustomerId | None = None
    status: Status | None = None
    tier: Literal['AI_REP', 'AI_MANAGER', 'HUMAN_AGENT'] | None = None
    start_date: StartDate | None = None
    end_date: EndDate | None = None
    limit: Annotated[int, Field(ge=1, le=100)]
    offset: Annotated[int, Field(ge=0, le=1000000)]


class ListUserConversationsV1(BaseModel):
    """
    Command: page through one user's conversations (seed 004 GET /crm/conversations/{user_id}); answered with CrmPage.v1.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    user_id: Annotated[str, Field(max_length=200, min_length=1)]
    page: Annotated[int, Field(ge=1, le=1000000)]
    per_page: Annotated[int, Field(ge=1, le=100)]


SentimentLabel = Annotated[str, Field(max_length=16)]


SentimentScore = Annotated[float, Field(ge=-1.0, le=1.0)]


CsLevel = Annotated[str, Field(max_length=16)]


PiiDetectedItem = Annotated[str, Field(max_length=32, min_length=1)]


class MessageReceivedV1(BaseModel):
    """
    Event: a customer message was stored; never carries the text.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    session_id: Annotated[str, Field(max_length=200, min_length=1)]
    """
    Session (conversation) id as the caller sees it.
    """
    customer_id: Annotated[str, Field(max_length=200, min_length=1)]
    message_id: Annotated[str, Field(max_length=200, min_length=1)]
    channel: Annotated[str, Field(max_length=32, min_length=1)]
    tier: Literal['AI_REP', 'AI_MANAGER', 'HUMAN_AGENT']
    """
    The tiers of support, lowest first: an AI representative, an AI manager, a human agent.
    """
    length: Annotated[int, Field(ge=0)]
    sentiment_label: SentimentLabel | None
    sentiment_score: SentimentScore | None
    cs_level: CsLevel | None
    sentiment_available: bool
    pii_detected: Annotated[list[PiiDetectedItem], Field(max_length=20)]
    received_at: Annotated[str, Field(max_length=64, min_length=1)]
    """
    ISO 8601 UTC timestamp.
    """


class Tokens(BaseModel):
    model_config = ConfigDict(
        extra='forbid',
    )
    input: Annotated[int, Field(ge=0)]
    output: Annotated[int, Field(ge=0)]


Confidence = Annotated[float, Field(ge=0.0, le=1.0)]


EscalationReason = Annotated[str, Field(max_length=64, min_length=1)]


AgentUsed = Annotated[str, Field(max_length=64)]


Category = Annotated[str, Field(max_length=64)]


ComplianceFlag = Annotated[str, Field(max_length=200, min_length=1)]


DegradedItem = Annotated[str, Field(max_length=32, min_length=1)]


StepMsAdditionalProperty = TypeAliasType("StepMsAdditionalProperty", Annotated[float, Field(ge=0.0)])


class MessageRepliedV1(BaseModel):
    """
    Event: a turn was answered (AI reply, or the handoff notice at HUMAN_AGENT); usage, cost, latency and decisions, never text.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    session_id: Annotated[str, Field(max_length=200, min_length=1)]
    """
    Session (conversation) id as the caller sees it.
    """
    customer_id: Annotated[str, Field(max_length=200, min_length=1)]
    message_id: Annotated[str, Field(max_length=200, min_length=1)]
    reply_to: Annotated[str, Field(max_length=200, min_length=1)]
    channel: Annotated[str, Field(max_length=32, min_length=1)]
    dialect: Literal['insights', 'support_agent', 'tiered_cs', 'kb_platform', 'crm_chat']
    tier: Literal['AI_REP', 'AI_MANAGER', 'HUMAN_AGENT']
    """
    The tiers of support, lowest first: an AI representative, an AI manager, a human agent.
    """
    ai_generated: bool
    model: Annotated[str, Field(max_length=200, min_length=0)]
    model_id: Annotated[str, Field(max_length=200, min_length=0)]
    provider: Annotated[str, Field(max_length=64, min_length=0)]
    tokens: Tokens
    cost_usd: Annotated[float, Field(ge=0.0)]
    latency_ms: Annotated[int, Field(ge=0)]
    sentiment_score: SentimentScore | None
    cs_level: CsLevel | None
    complexity_score: Annotated[float, Field(ge=0.0, le=1.0)]
    confidence: Confidence | None
    cached: bool
    escalated: bool
    escalation_reasons: Annotated[list[EscalationReason], Field(max_length=20)]
    sources_count: Annotated[int, Field(ge=0)]
    agent_used: AgentUsed | None
    category: Category | None
    requires_human_review: bool
    compliance_flags: Annotated[list[ComplianceFlag], Field(max_length=50)]
    degraded: Annotated[list[DegradedItem], Field(max_length=10)]
    step_ms: dict[str, StepMsAdditionalProperty]
    replied_at: Annotated[str, Field(max_length=64, min_length=1)]
    """
    ISO 8601 UTC timestamp.
    """


IdempotencyKey = Annotated[str, Field(max_length=200)]


class PostMessageV1(BaseModel):
    """
    Command: one customer turn through the pipeline (redact, sentiment, retrieval, generate, escalation); answered with TurnResult.v1.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    session_id: Annotated[str, Field(max_length=200, min_length=1)]
    """
    Session (conversation) id as the caller sees it.
    """
    customer_id: CustomerId | None = None
    text: Annotated[str, Field(max_length=100000, min_length=1)]
    """
    Customer text (kept by the conversation service; never put on an event).
    """
    channel: Annotated[str, Field(max_length=32, min_length=1)]
    dialect: Literal['insights', 'support_agent', 'tiered_cs', 'kb_platform', 'crm_chat']
    create_if_missing: bool
    """
    Open the session on its first message (seed 001 /api/query, 003, 004 /chat).
    """
    idempotency_key: IdempotencyKey | None = None
    context: dict[str, Any] | None = None
    """
    Caller-supplied context (seed 000/004 `context`); never sent to a provider unredacted.
    """
    want_category: bool | None = None
    want_agent: bool | None = None
    want_alternatives: bool | None = None
    escalate_on_negative_sentiment: bool | None = None
    """
    Policy profile chosen by the caller (the gateway's dialect): a strongly negative customer message escalates at once, before any other trigger.
    """
    test: bool | None = None
    """
    A test turn (seed 001 POST /api/test/query): answered by the local provider only, its session marked as a test and left out of analytics.
    """


class ProviderEntry(BaseModel):
    model_config = ConfigDict(
        extra='forbid',
    )
    id: Annotated[str, Field(max_length=200, min_length=1)]
    provider: Literal['openai', 'anthropic', 'google', 'local']
    model: Annotated[str, Field(max_length=200, min_length=1)]
    compliance_level: Annotated[str, Field(max_length=100)]
    capabilities: Annotated[list[Literal['text_generation', 'embeddings', 'classification']], Field(max_length=10)]
    is_default: bool
    available: bool
    """
    True when the provider's API key is configured (local: always).
    """


Summary = Annotated[str, Field(max_length=4000)]


ActionsTakenItem = Annotated[str, Field(max_length=1000, min_length=0)]


class ResolveSessionV1(BaseModel):
    """
    Command: mark a session resolved (seed 002 POST /sessions/:id/resolve); answered with SessionView.v1.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    session_id: Annotated[str, Field(max_length=200, min_length=1)]
    """
    Session (conversation) id as the caller sees it.
    """
    resolution_type: Annotated[str, Field(max_length=64, min_length=1)]
    summary: Summary | None = None
    actions_taken: Annotated[list[ActionsTakenItem], Field(max_length=100)]
    follow_up_required: bool


class ResponseCacheHitV1(BaseModel):
    """
    Event: a turn's answer came from the response cache.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    session_id: Annotated[str, Field(max_length=200, min_length=1)]
    """
    Session (conversation) id as the caller sees it.
    """
    customer_id: Annotated[str, Field(max_length=200, min_length=1)]
    message_id: Annotated[str, Field(max_length=200, min_length=1)]
    knowledge_version: Annotated[str, Field(max_length=200, min_length=0)]
    saved_tokens: Annotated[int, Field(ge=0)]
    hit_at: Annotated[str, Field(max_length=64, min_length=1)]
    """
    ISO 8601 UTC timestamp.
    """


class SessionAbandonedV1(BaseModel):
    """
    Event: a session saw no customer activity for the configured idle time.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    session_id: Annotated[str, Field(max_length=200, min_length=1)]
    """
    Session (conversation) id as the caller sees it.
    """
    customer_id: Annotated[str, Field(max_length=200, min_length=1)]
    tier: Literal['AI_REP', 'AI_MANAGER', 'HUMAN_AGENT']
    """
    The tiers of support, lowest first: an AI representative, an AI manager, a human agent.
    """
    message_count: Annotated[int, Field(ge=0)]
    idle_s: Annotated[float, Field(ge=0.0)]
    escalated: bool
    abandoned_at: Annotated[str, Field(max_length=64, min_length=1)]
    """
    ISO 8601 UTC timestamp.
    """


class SessionClosedV1(BaseModel):
    """
    Event: a session was closed and archived.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    session_id: Annotated[str, Field(max_length=200, min_length=1)]
    """
    Session (conversation) id as the caller sees it.
    """
    customer_id: Annotated[str, Field(max_length=200, min_length=1)]
    tier: Literal['AI_REP', 'AI_MANAGER', 'HUMAN_AGENT']
    """
    The tiers of support, lowest first: an AI representative, an AI manager, a human agent.
    """
    message_count: Annotated[int, Field(ge=0)]
    duration_minutes: Annotated[int, Field(ge=0)]
    escalated: bool
    closed_at: Annotated[str, Field(max_length=64, min_length=1)]
    """
    ISO 8601 UTC timestamp.
    """


Reason = Annotated[str, Field(max_length=64, min_length=1)]


SupportReason = Annotated[str, Field(max_length=64)]


TicketId = Annotated[str, Field(max_length=200)]


class SessionEscalatedV1(BaseModel):
    """
    Event: a session moved to a higher tier (policy or manual).
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    session_id: Annotated[str, Field(max_length=200, min_length=1)]
    """
    Session (conversation) id as the caller sees it.
    """
    customer_id: Annotated[str, Field(max_length=200, min_length=1)]
    from_tier: Literal['AI_REP', 'AI_MANAGER', 'HUMAN_AGENT']
    """
    The tiers of support, lowest first: an AI representative, an AI manager, a human agent.
    """
    to_tier: Literal['AI_REP', 'AI_MANAGER', 'HUMAN_AGENT']
    """
    The tiers of support, lowest first: an AI representative, an AI manager, a human agent.
    """
    reason: Annotated[str, Field(max_length=64, min_length=1)]
    reasons: Annotated[list[Reason], Field(max_length=20)]
    support_reason: SupportReason | None
    priority: Annotated[str, Field(max_length=16, min_length=1)]
    ticket_id: TicketId | None
    trigger: Literal['policy', 'manual', 'degraded']
    notes: Notes | None
    escalated_at: Annotated[str, Field(max_length=64, min_length=1)]
    """
    ISO 8601 UTC timestamp.
    """


class SessionPageV1(BaseModel):
    """
    Reply: a page of session records.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    items: Annotated[list[dict[str, Any]], Field(max_length=100)]
    total: Annotated[int, Field(ge=0)]
    limit: Annotated[int, Field(ge=0)]
    offset: Annotated[int, Field(ge=0)]


class SessionResolvedV1(BaseModel):
    """
    Event: a session was resolved.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    session_id: Annotated[str, Field(max_length=200, min_length=1)]
    """
    Session (conversation) id as the caller sees it.
    """
    customer_id: Annotated[str, Field(max_length=200, min_length=1)]
    tier: Literal['AI_REP', 'AI_MANAGER', 'HUMAN_AGENT']
    """
    The tiers of support, lowest first: an AI representative, an AI manager, a human agent.
    """
    resolution_type: Annotated[str, Field(max_length=64, min_length=1)]
    follow_up_required: bool
    message_count: Annotated[int, Field(ge=0)]
    duration_s: Annotated[float, Field(ge=0.0)]
    escalated: bool
    resolved_at: Annotated[str, Field(max_length=64, min_length=1)]
    """
    ISO 8601 UTC timestamp.
    """


class SessionViewV1(BaseModel):
    """
    Reply: one session (canonical model: every dialect renders its own view of it) and its messages.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    session: dict[str, Any]
    """
    The session record (see services/conversation/README.md).
    """
    messages: Annotated[list[dict[str, Any]], Field(max_length=10000)]


SessionId = Annotated[str, Field(max_length=200, min_length=1)]


IssueCategory = Annotated[str, Field(max_length=64)]


InitialMessage = Annotated[str, Field(max_length=100000, min_length=1)]


class StartSessionV1(BaseModel):
    """
    Command: open a session for a customer (seed 001 POST /api/session, 002 POST /sessions, 004 POST /sessions/create); answered with SessionView.v1.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    session_id: SessionId | None = None
    """
    Caller-chosen id; null lets the service make one.
    """
    customer_id: Annotated[str, Field(max_length=200, min_length=1)]
    channel: Annotated[str, Field(max_length=32, min_length=1)]
    dialect: Literal['insights', 'support_agent', 'tiered_cs', 'kb_platform', 'crm_chat']
    issue_category: IssueCategory | None = None
    initial_message: InitialMessage | None = None
    metadata: dict[str, Any] | None = None
    """
    Caller context kept with the session (seed 002 metadata).
    """
    if_exists: Literal['error', 'return'] | None = None
    """
    An existing id: Conflict, or return it unchanged.
    """


class SubmitFeedbackV1(BaseModel):
    """
    Command: the customer's rating of a session (seed 003 POST /conversations/{id}/feedback), one per session; answered with FeedbackReceipt.v1.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    session_id: Annotated[str, Field(max_length=200, min_length=1)]
    """
    Session (conversation) id as the caller sees it.
    """
    rating: Annotated[int, Field(ge=1, le=5)]
    comment: Annotated[str | None, Field(max_length=4000)] = None


class TokenUsage(BaseModel):
    model_config = ConfigDict(
        extra='forbid',
    )
    prompt_tokens: Annotated[int, Field(ge=0)]
    completion_tokens: Annotated[int, Field(ge=0)]
    total_tokens: Annotated[int, Field(ge=0)]


class TurnResultV1(BaseModel):
    """
    Reply: the stored customer message, the reply (AI, or the handoff notice at HUMAN_AGENT), the updated session and the turn's facts.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    session: dict[str, Any]
    """
    The session after the turn.
    """
    customer_message: dict[str, Any]
    """
    The stored customer message.
    """
    reply_message: dict[str, Any]
    """
    The stored reply message.
    """
    turn: dict[str, Any]
    """
    Turn facts: model, tokens, cost, latency, sentiment, complexity, confidence, sources, escalation, cached, degraded steps, step timings.
    """


class TurnSettings(BaseModel):
    """
    What a conversation turn asks of the model (seed 004 GET /admin/settings ai_config).
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    temperature: Annotated[float, Field(ge=0.0, le=2.0)]
    max_tokens: Annotated[int, Field(ge=1)]
    retrieval_top_k: Annotated[int, Field(ge=0)]


class ValidateCustomerTokenV1(BaseModel):
    """
    Command: check an end-customer session token (seed 004 GET /sessions/validate/{token}); answered with CustomerToken.v1.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    session_token: Annotated[str, Field(max_length=512, min_length=1)]


class GenerateResultV1(BaseModel):
    """
    Reply to Generate.v1: the seed 000 ai/generate data (generated_text, usage, model, compliance_check) plus routing and cost facts.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    generated_text: Annotated[str, Field(max_length=1000000)]
    usage: TokenUsage
    model: Annotated[str, Field(max_length=200, min_length=1)]
    """
    The model name the provider reported (e.g. gpt-4o).
    """
    compliance_check: ComplianceCheck
    model_id: Annotated[str, Field(max_length=200, min_length=1)]
    """
    The registry id that answered.
    """
    provider: Literal['openai', 'anthropic', 'google', 'local']
    cost_usd: Annotated[float | None, Field(ge=0.0)] = None
    requires_human_review: bool | None = None
    confidence: Annotated[float | None, Field(ge=0.0, le=1.0)] = None
    complexity_score: float | None = None
    latency_ms: Annotated[float | None, Field(ge=0.0)] = None
    fallback_chain_tried: Annotated[list[FallbackChainTriedItem] | None, Field(max_length=100)] = None
    sources: Annotated[list[Source] | None, Field(max_length=100)] = None


class ProviderListV1(BaseModel):
    """
    Reply: every registry model (seed 000 fields plus `available`: its provider is configured) and the effective default model id.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    providers: Annotated[list[ProviderEntry], Field(max_length=500)]
    default_provider: Annotated[str, Field(max_length=200, min_length=1)]
    turn_settings: TurnSettings | None = None
