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
    channel: Literal['voice', 'chat', 'email', 'sms', 'api', 'web', 'widget', 'mobile']
    """
    The channel a session came in on (one vocabulary for every dialect; a dialect may accept a subset).
    """
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
    preferences: Annotated[dict[str, Any] | None, Field(max_length=16384)] = None
    """
    User preferences (seed 004 `preferences`). Free-form map the seeds document as such. Bounded: at most 64 KB as JSON, nested at most 16 levels, keys at most 256 characters (services/gateway/input_policy.py refuses more with the dialect's 400); maxProperties follows from the 64 KB bound.
    """


class CrmUserStats(BaseModel):
    """
    The user's activity (on a read of one user).
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    total_conversations: Annotated[int, Field(ge=0)]
    total_messages: Annotated[int, Field(ge=0)]
    last_active: Annotated[str | None, Field(max_length=64, min_length=1)] = None
    """
    ISO 8601 UTC timestamp.
    """


class CrmUserSummary(BaseModel):
    """
    A CRM user in a list.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    id: Annotated[str, Field(max_length=200, min_length=1)]
    name: Annotated[str, Field(max_length=200, min_length=1)]
    email: Annotated[str, Field(max_length=320, min_length=1)]
    company: Annotated[str | None, Field(max_length=200)] = None
    created_at: Annotated[str, Field(max_length=64, min_length=1)]
    """
    ISO 8601 UTC timestamp.
    """
    is_active: bool


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


Reason = Annotated[str, Field(max_length=64)]


class EscalationEntry(BaseModel):
    """
    One tier move.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    from_tier: Literal['AI_REP', 'AI_MANAGER', 'HUMAN_AGENT']
    """
    The tiers of support, lowest first: an AI representative, an AI manager, a human agent.
    """
    to_tier: Literal['AI_REP', 'AI_MANAGER', 'HUMAN_AGENT']
    """
    The tiers of support, lowest first: an AI representative, an AI manager, a human agent.
    """
    reason: Annotated[str, Field(max_length=64, min_length=1)]
    """
    The leading reason (an escalation reason, a support reason or POLICY).
    """
    reasons: Annotated[list[Reason], Field(max_length=20)]
    timestamp: Annotated[str, Field(max_length=64, min_length=1)]
    """
    ISO 8601 UTC timestamp.
    """
    notes: Annotated[str | None, Field(max_length=4000)] = None
    """
    The agent's notes on a manual escalation.
    """
    ticket_id: Annotated[str | None, Field(max_length=200)] = None
    """
    The ticket the escalation service opened with the move.
    """


class Feedback(BaseModel):
    """
    The customer's rating of the session (one per session).
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    rating: Annotated[int, Field(ge=1, le=5)]
    comment: Annotated[str | None, Field(max_length=4000)] = None
    submitted_at: Annotated[str, Field(max_length=64, min_length=1)]
    """
    ISO 8601 UTC timestamp.
    """
    command_id: Annotated[str | None, Field(max_length=200)] = None
    """
    The SubmitFeedback command that stored it (a redelivery re-emits its event).
    """


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
    context: Annotated[dict[str, Any] | None, Field(max_length=16384)] = None
    """
    Caller context passed to the model as labelled facts (seed 000 `context`). Free-form map the seeds document as such. Bounded: at most 64 KB as JSON, nested at most 16 levels, keys at most 256 characters (services/gateway/input_policy.py refuses more with the dialect's 400); maxProperties follows from the 64 KB bound.
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


class LastMessage(BaseModel):
    model_config = ConfigDict(
        extra='forbid',
    )
    content: Annotated[str, Field(max_length=100000)]
    type: Literal['user', 'assistant']
    created_at: Annotated[str, Field(max_length=64, min_length=1)]
    """
    ISO 8601 UTC timestamp.
    """


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
    status: Literal['ACTIVE', 'WAITING_CUSTOMER', 'ESCALATED', 'RESOLVED', 'ABANDONED', 'CLOSED'] | None = None
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


PiiDetectedItem = Annotated[str, Field(max_length=64)]


class Message(BaseModel):
    """
    One stored message of a session; customer messages also carry their redaction and sentiment.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    message_id: Annotated[str, Field(max_length=200, min_length=1)]
    tenant_id: Annotated[str, Field(max_length=200, min_length=1)]
    session_id: Annotated[str, Field(max_length=200, min_length=1)]
    customer_id: Annotated[str, Field(max_length=200, min_length=1)]
    seq: Annotated[int, Field(ge=1)]
    role: Literal['customer', 'ai_rep', 'ai_manager', 'system']
    content: Annotated[str, Field(max_length=100000)]
    """
    Customer or reply text (kept by the conversation service; never on an event).
    """
    timestamp: Annotated[str, Field(max_length=64, min_length=1)]
    """
    ISO 8601 UTC timestamp.
    """
    metadata: Annotated[dict[str, Any], Field(max_length=16384)]
    """
    Per-message facts (seed 002 message `metadata`: aiGenerated, model, tokens, latencyMs, ...). Free-form map the seeds document as such. Bounded: at most 64 KB as JSON, nested at most 16 levels, keys at most 256 characters (services/gateway/input_policy.py refuses more with the dialect's 400); maxProperties follows from the 64 KB bound.
    """
    redacted_content: Annotated[str | None, Field(max_length=100000)] = None
    """
    Customer messages: the text with PII replaced; null when unredacted.
    """
    pii_detected: Annotated[list[PiiDetectedItem] | None, Field(max_length=100)] = None
    redaction: Literal['applied', 'unavailable'] | None = None
    """
    Customer messages: whether the privacy service redacted the text.
    """
    pii_token: Annotated[str | None, Field(max_length=200)] = None
    """
    Customer messages: the vault token of the originals.
    """
    sentiment: Literal['HAPPY', 'SATISFIED', 'NEUTRAL', 'FRUSTRATED', 'ANGRY', 'IRATE'] | None = None
    """
    A customer's mood on the customer-service scale (the sentiment service's cs_level).
    """


SentimentLabel = Annotated[str, Field(max_length=16)]


SentimentScore = Annotated[float, Field(ge=-1.0, le=1.0)]


PiiDetectedItem1 = Annotated[str, Field(max_length=32, min_length=1)]


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
    channel: Literal['voice', 'chat', 'email', 'sms', 'api', 'web', 'widget', 'mobile']
    """
    The channel a session came in on (one vocabulary for every dialect; a dialect may accept a subset).
    """
    tier: Literal['AI_REP', 'AI_MANAGER', 'HUMAN_AGENT']
    """
    The tiers of support, lowest first: an AI representative, an AI manager, a human agent.
    """
    length: Annotated[int, Field(ge=0)]
    sentiment_label: SentimentLabel | None
    sentiment_score: SentimentScore | None
    cs_level: Literal['HAPPY', 'SATISFIED', 'NEUTRAL', 'FRUSTRATED', 'ANGRY', 'IRATE'] | None
    sentiment_available: bool
    pii_detected: Annotated[list[PiiDetectedItem1], Field(max_length=20)]
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
    channel: Literal['voice', 'chat', 'email', 'sms', 'api', 'web', 'widget', 'mobile']
    """
    The channel a session came in on (one vocabulary for every dialect; a dialect may accept a subset).
    """
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
    cs_level: Literal['HAPPY', 'SATISFIED', 'NEUTRAL', 'FRUSTRATED', 'ANGRY', 'IRATE'] | None
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
    channel: Literal['voice', 'chat', 'email', 'sms', 'api', 'web', 'widget', 'mobile']
    """
    The channel a session came in on (one vocabulary for every dialect; a dialect may accept a subset).
    """
    dialect: Literal['insights', 'support_agent', 'tiered_cs', 'kb_platform', 'crm_chat']
    create_if_missing: bool
    """
    Open the session on its first message (seed 001 /api/query, 003, 004 /chat).
    """
    idempotency_key: IdempotencyKey | None = None
    context: Annotated[dict[str, Any] | None, Field(max_length=16384)] = None
    """
    Caller-supplied context (seed 000/004 `context`); never sent to a provider unredacted. Free-form map the seeds document as such. Bounded: at most 64 KB as JSON, nested at most 16 levels, keys at most 256 characters (services/gateway/input_policy.py refuses more with the dialect's 400); maxProperties follows from the 64 KB bound.
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


class RagPassage(BaseModel):
    """
    A knowledge passage the answer used.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    content: Annotated[str, Field(max_length=100000)]
    source: Annotated[str, Field(max_length=1000)]
    score: float
    filename: Annotated[str | None, Field(max_length=1000)] = None
    chunk_id: Annotated[str | None, Field(max_length=200)] = None
    article_id: Annotated[str | None, Field(max_length=200)] = None


ActionsTakenItem = Annotated[str, Field(max_length=1000)]


class Resolution(BaseModel):
    """
    How the session was resolved.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    type: Annotated[str, Field(max_length=64, min_length=1)]
    """
    Resolution type (ISSUE_RESOLVED, REFUND_PROCESSED, ...).
    """
    summary: Annotated[str | None, Field(max_length=4000)] = None
    actions_taken: Annotated[list[ActionsTakenItem], Field(max_length=100)]
    follow_up_required: bool


Summary = Annotated[str, Field(max_length=4000)]


ActionsTakenItem1 = Annotated[str, Field(max_length=1000, min_length=0)]


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
    resolution_type: Literal['INFORMATION_PROVIDED', 'ISSUE_RESOLVED', 'REFUND_PROCESSED', 'REPLACEMENT_SENT', 'CREDIT_APPLIED', 'SUBSCRIPTION_MODIFIED', 'ESCALATED_TO_HUMAN', 'CUSTOMER_SATISFIED', 'UNRESOLVED']
    """
    How a resolved session was resolved (seed 002 resolutionType).
    """
    summary: Summary | None = None
    actions_taken: Annotated[list[ActionsTakenItem1], Field(max_length=100)]
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


class SentimentPoint(BaseModel):
    """
    The customer's mood after one of their messages.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    sentiment: Literal['HAPPY', 'SATISFIED', 'NEUTRAL', 'FRUSTRATED', 'ANGRY', 'IRATE']
    """
    A customer's mood on the customer-service scale (the sentiment service's cs_level).
    """
    score: Annotated[float, Field(ge=-1.0, le=1.0)]
    timestamp: Annotated[str, Field(max_length=64, min_length=1)]
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


Reason1 = Annotated[str, Field(max_length=64, min_length=1)]


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
    reasons: Annotated[list[Reason1], Field(max_length=20)]
    support_reason: SupportReason | None
    priority: Annotated[str, Field(max_length=16, min_length=1)]
    ticket_id: TicketId | None
    trigger: Literal['policy', 'manual', 'degraded']
    notes: Notes | None
    escalated_at: Annotated[str, Field(max_length=64, min_length=1)]
    """
    ISO 8601 UTC timestamp.
    """


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


SessionId = Annotated[str, Field(max_length=200, min_length=1)]


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
    channel: Literal['voice', 'chat', 'email', 'sms', 'api', 'web', 'widget', 'mobile']
    """
    The channel a session came in on (one vocabulary for every dialect; a dialect may accept a subset).
    """
    dialect: Literal['insights', 'support_agent', 'tiered_cs', 'kb_platform', 'crm_chat']
    issue_category: Literal['BILLING', 'SHIPPING', 'PRODUCT_QUALITY', 'SUBSCRIPTION', 'REFUND', 'TECHNICAL', 'ACCOUNT', 'GENERAL_INQUIRY', 'COMPLAINT', 'CANCELLATION'] | None = None
    initial_message: InitialMessage | None = None
    metadata: Annotated[dict[str, Any] | None, Field(max_length=16384)] = None
    """
    Caller context kept with the session (seed 002 metadata). Free-form map the seeds document as such. Bounded: at most 64 KB as JSON, nested at most 16 levels, keys at most 256 characters (services/gateway/input_policy.py refuses more with the dialect's 400); maxProperties follows from the 64 KB bound.
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


class TicketRef(BaseModel):
    """
    A ticket the escalation service opened during a turn.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    ticket_id: Annotated[str, Field(max_length=200, min_length=1)]
    reason: Annotated[str | None, Field(max_length=64)] = None
    created_at: Annotated[str, Field(max_length=64, min_length=1)]
    """
    ISO 8601 UTC timestamp.
    """
    status: Annotated[str, Field(max_length=32, min_length=1)]


class TokenUsage(BaseModel):
    model_config = ConfigDict(
        extra='forbid',
    )
    prompt_tokens: Annotated[int, Field(ge=0)]
    completion_tokens: Annotated[int, Field(ge=0)]
    total_tokens: Annotated[int, Field(ge=0)]


class TurnCompliance(BaseModel):
    model_config = ConfigDict(
        extra='forbid',
    )
    passed: bool
    flags: Annotated[list[Flag], Field(max_length=100)]


EscalationReason1 = Annotated[str, Field(max_length=64)]


Alternative = Annotated[str, Field(max_length=4000)]


ActionsTakenItem2 = Annotated[str, Field(max_length=200)]


SuggestedAction = Annotated[str, Field(max_length=200)]


PiiDetectedItem2 = Annotated[str, Field(max_length=64)]


DegradedItem1 = Annotated[str, Field(max_length=64)]


class TurnSentiment(BaseModel):
    model_config = ConfigDict(
        extra='forbid',
    )
    label: Annotated[str, Field(max_length=32, min_length=1)]
    score: Annotated[float, Field(ge=-1.0, le=1.0)]
    cs_level: Literal['HAPPY', 'SATISFIED', 'NEUTRAL', 'FRUSTRATED', 'ANGRY', 'IRATE']
    """
    A customer's mood on the customer-service scale (the sentiment service's cs_level).
    """
    irate: bool
    available: bool
    """
    False: the sentiment service did not answer (neutral stand-in).
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


class ConversationSummary(BaseModel):
    """
    One of a user's conversations, in a list.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    id: Annotated[str, Field(max_length=200, min_length=1)]
    title: Annotated[str, Field(max_length=1000)]
    status: Literal['active', 'completed', 'archived']
    category: Annotated[str, Field(max_length=32)]
    created_at: Annotated[str, Field(max_length=64, min_length=1)]
    """
    ISO 8601 UTC timestamp.
    """
    updated_at: Annotated[str, Field(max_length=64, min_length=1)]
    """
    ISO 8601 UTC timestamp.
    """
    message_count: Annotated[int, Field(ge=0)]
    last_message: LastMessage | None = None


class CrmPageV1(BaseModel):
    """
    Reply: a page of CRM records (users or conversation summaries).
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    items: Annotated[list[CrmUserSummary | ConversationSummary], Field(max_length=100)]
    total: Annotated[int, Field(ge=0)]
    page: Annotated[int, Field(ge=1)]
    per_page: Annotated[int, Field(ge=1)]


class CrmUserRecord(BaseModel):
    """
    A CRM user (the customer of seed 004).
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    id: Annotated[str, Field(max_length=200, min_length=1)]
    name: Annotated[str, Field(max_length=200, min_length=1)]
    email: Annotated[str, Field(max_length=320, min_length=1)]
    phone: Annotated[str | None, Field(max_length=64)] = None
    company: Annotated[str | None, Field(max_length=200)] = None
    role: Annotated[str | None, Field(max_length=200)] = None
    preferences: Annotated[dict[str, Any], Field(max_length=16384)]
    """
    User preferences (seed 004 `preferences`). Free-form map the seeds document as such. Bounded: at most 64 KB as JSON, nested at most 16 levels, keys at most 256 characters (services/gateway/input_policy.py refuses more with the dialect's 400); maxProperties follows from the 64 KB bound.
    """
    created_at: Annotated[str, Field(max_length=64, min_length=1)]
    """
    ISO 8601 UTC timestamp.
    """
    updated_at: Annotated[str, Field(max_length=64, min_length=1)]
    """
    ISO 8601 UTC timestamp.
    """
    is_active: bool
    stats: CrmUserStats | None = None


class CrmUserV1(BaseModel):
    """
    Reply: one CRM user record (with `stats` when read).
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    user: CrmUserRecord


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


class Session(BaseModel):
    """
    The canonical session record: every dialect renders its own view of it (services/conversation/README.md).
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    session_id: Annotated[str, Field(max_length=200, min_length=1)]
    """
    Session (conversation) id as the caller sees it.
    """
    tenant_id: Annotated[str, Field(max_length=200, min_length=1)]
    customer_id: Annotated[str, Field(max_length=200, min_length=1)]
    channel: Literal['voice', 'chat', 'email', 'sms', 'api', 'web', 'widget', 'mobile']
    """
    The channel a session came in on (one vocabulary for every dialect; a dialect may accept a subset).
    """
    dialect: Literal['insights', 'support_agent', 'tiered_cs', 'kb_platform', 'crm_chat']
    """
    The API the session was opened through (kept for analytics; no rule depends on it).
    """
    status: Literal['ACTIVE', 'WAITING_CUSTOMER', 'ESCALATED', 'RESOLVED', 'ABANDONED', 'CLOSED']
    """
    A session's lifecycle state; RESOLVED, CLOSED and ABANDONED are final (no more messages).
    """
    current_tier: Literal['AI_REP', 'AI_MANAGER', 'HUMAN_AGENT']
    """
    The tiers of support, lowest first: an AI representative, an AI manager, a human agent.
    """
    issue_category: Annotated[str | None, Field(max_length=64)] = None
    issue_summary: Annotated[str, Field(max_length=500)]
    """
    A short summary that never quotes the customer.
    """
    customer_sentiment: Literal['HAPPY', 'SATISFIED', 'NEUTRAL', 'FRUSTRATED', 'ANGRY', 'IRATE']
    """
    A customer's mood on the customer-service scale (the sentiment service's cs_level).
    """
    sentiment_history: Annotated[list[SentimentPoint], Field(max_length=10000)]
    escalation_history: Annotated[list[EscalationEntry], Field(max_length=100)]
    escalations: Annotated[list[TicketRef], Field(max_length=1000)]
    resolution: Resolution | None = None
    metadata: Annotated[dict[str, Any], Field(max_length=16384)]
    """
    Caller context kept with the session (seed 002 `metadata`). Free-form map the seeds document as such. Bounded: at most 64 KB as JSON, nested at most 16 levels, keys at most 256 characters (services/gateway/input_policy.py refuses more with the dialect's 400); maxProperties follows from the 64 KB bound.
    """
    title: Annotated[str | None, Field(max_length=1000)] = None
    """
    From the redacted first message (placeholders, never raw PII).
    """
    category: Literal['support', 'sales', 'general']
    agent_used: Annotated[str | None, Field(max_length=64)] = None
    message_count: Annotated[int, Field(ge=0)]
    test: bool | None = None
    """
    A test session (seed 001 /api/test/query): left out of analytics.
    """
    failed_attempts: Annotated[int, Field(ge=0)]
    tier_replies: Annotated[int, Field(ge=0)]
    repeat_contacts: Annotated[int | None, Field(ge=0)] = None
    last_reply_answered: bool | None = None
    needs_review: bool | None = None
    feedback: Feedback | None = None
    created_at: Annotated[str, Field(max_length=64, min_length=1)]
    """
    ISO 8601 UTC timestamp.
    """
    updated_at: Annotated[str, Field(max_length=64, min_length=1)]
    """
    ISO 8601 UTC timestamp.
    """
    last_activity_at: Annotated[str, Field(max_length=64, min_length=1)]
    """
    ISO 8601 UTC timestamp.
    """
    resolved_at: Annotated[str | None, Field(max_length=64, min_length=1)] = None
    """
    ISO 8601 UTC timestamp.
    """
    closed_at: Annotated[str | None, Field(max_length=64, min_length=1)] = None
    """
    ISO 8601 UTC timestamp.
    """
    abandoned_at: Annotated[str | None, Field(max_length=64, min_length=1)] = None
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
    items: Annotated[list[Session], Field(max_length=100)]
    total: Annotated[int, Field(ge=0)]
    limit: Annotated[int, Field(ge=0)]
    offset: Annotated[int, Field(ge=0)]


class SessionViewV1(BaseModel):
    """
    Reply: one session (canonical model: every dialect renders its own view of it) and its messages.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    session: Session
    messages: Annotated[list[Message], Field(max_length=10000)]


class TurnFacts(BaseModel):
    """
    What the dialects render about one turn besides its two messages.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    response_time_ms: Annotated[int, Field(ge=0)]
    model: Annotated[str | None, Field(max_length=200)] = None
    model_id: Annotated[str | None, Field(max_length=200)] = None
    provider: Annotated[str | None, Field(max_length=64)] = None
    tokens: Tokens
    cost_usd: float
    sentiment: TurnSentiment
    complexity_score: float
    confidence: float | None = None
    answered: bool
    sources: Annotated[list[Source], Field(max_length=100)]
    rag_context: Annotated[list[RagPassage], Field(max_length=100)]
    knowledge_version: Annotated[str | None, Field(max_length=200)] = None
    escalated: bool
    escalation_reason: Annotated[str | None, Field(max_length=64)] = None
    escalation_reasons: Annotated[list[EscalationReason1], Field(max_length=20)]
    escalation_explanation: Annotated[str | None, Field(max_length=4000)] = None
    target_tier: Literal['AI_REP', 'AI_MANAGER', 'HUMAN_AGENT']
    """
    The tiers of support, lowest first: an AI representative, an AI manager, a human agent.
    """
    priority: Annotated[str, Field(max_length=32)]
    ticket_id: Annotated[str | None, Field(max_length=200)] = None
    cached: bool
    handoff: bool
    agent_used: Annotated[str | None, Field(max_length=64)] = None
    category: Annotated[str | None, Field(max_length=64)] = None
    issue_category: Annotated[str | None, Field(max_length=64)] = None
    requires_human_review: bool
    compliance: TurnCompliance
    alternatives: Annotated[list[Alternative], Field(max_length=10)]
    actions_taken: Annotated[list[ActionsTakenItem2], Field(max_length=20)]
    suggested_actions: Annotated[list[SuggestedAction], Field(max_length=20)]
    pii_detected: Annotated[list[PiiDetectedItem2] | None, Field(max_length=100)] = None
    redaction: Literal['applied', 'unavailable']
    degraded: Annotated[list[DegradedItem1], Field(max_length=20)]
    step_ms: Annotated[dict[str, float], Field(max_length=64)]
    """
    Milliseconds each pipeline step took, by step name.
    """


class TurnResultV1(BaseModel):
    """
    Reply: the stored customer message, the reply (AI, or the handoff notice at HUMAN_AGENT), the updated session and the turn's facts.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    session: Session
    """
    The session after the turn.
    """
    customer_message: Message
    """
    The stored customer message.
    """
    reply_message: Message
    """
    The stored reply message.
    """
    turn: TurnFacts
