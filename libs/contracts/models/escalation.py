"""Models of the escalation messages, generated from contracts/escalation/ by libs.contracts.generate.

Never edit by hand: change the JSON Schema (a breaking change is a new .vN file) and run `make contracts`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from pydantic import BaseModel, ConfigDict, Field




class AutoEscalate(BaseModel):
    model_config = ConfigDict(
        extra='forbid',
    )
    enabled: bool
    after_attempts: Annotated[int, Field(ge=0, le=50)]
    target_tier: Literal['AI_MANAGER', 'HUMAN_AGENT']


class AutoEscalatePatch(BaseModel):
    model_config = ConfigDict(
        extra='forbid',
    )
    enabled: bool | None = None
    after_attempts: Annotated[int | None, Field(ge=0, le=50)] = None
    target_tier: Literal['AI_MANAGER', 'HUMAN_AGENT'] | None = None


class CheckEscalationV1(BaseModel):
    """
    Command: decide a manual escalation (the conversation service's EscalateSession, seed 002 POST /sessions/:id/escalate) against the session's tier and the company's enabled tiers; answered with EscalationStep.v1, or an invalid_escalation_target error (InvalidEscalationTarget) for a bad target.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    current_tier: Annotated[str, Field(max_length=32, min_length=1)]
    reason: Annotated[str | None, Field(max_length=64, min_length=1)] = None
    """
    Seed 002 escalation reason.
    """
    target_tier: Annotated[str | None, Field(max_length=64, min_length=1)] = None
    """
    AI_MANAGER or HUMAN_AGENT.
    """
    notes: Annotated[str | None, Field(max_length=5000, min_length=0)] = None


class CreateTicketV1(BaseModel):
    """
    Command: seed 001 POST /api/escalation; answered with TicketReceipt.v1 and emits EscalationCreated.v1.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    session_id: Annotated[str, Field(max_length=200, min_length=1)]
    reason: Annotated[str, Field(max_length=64, min_length=1)]
    """
    A seed 001 reason word or a seed 002 reason code (checked by the service).
    """
    priority: Annotated[str, Field(max_length=32, min_length=1)]
    """
    low, medium, high or urgent (checked by the service).
    """
    customer_sentiment: float | None = None
    """
    -1..1
    """
    query_complexity: float | None = None
    """
    0..1
    """
    additional_context: Annotated[str | None, Field(max_length=10000, min_length=0)] = None
    customer_id: Annotated[str | None, Field(max_length=200, min_length=1)] = None


class DecideReviewV1(BaseModel):
    """
    Command: seed 000 POST /api/v1/review/decision by `reviewer_id`; answered with ReviewVerdict.v1 and emits ReviewDecided.v1. A second decision on an item is a conflict.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    item_id: Annotated[str, Field(max_length=100, min_length=0)]
    approved: bool
    feedback: Annotated[str | None, Field(max_length=10000, min_length=0)] = None
    edits: dict[str, Any] | None = None
    reviewer_id: Annotated[str, Field(max_length=200, min_length=1)]


class EscalationCreatedV1(BaseModel):
    """
    Event: an escalation ticket was opened (seed 001 escalation.created webhook data plus what analytics needs); never carries customer text.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    ticket_id: Annotated[str, Field(max_length=64, min_length=1)]
    session_id: Annotated[str, Field(max_length=200, min_length=1)]
    customer_id: Annotated[str | None, Field(max_length=200, min_length=1)] = None
    priority: Literal['low', 'medium', 'high', 'urgent']
    """
    A ticket's urgency, least urgent first.
    """
    reason: Annotated[str, Field(max_length=64, min_length=1)]
    """
    The ticket's reason (seed 001 word or seed 002 code).
    """
    status: Literal['open', 'assigned', 'resolved', 'closed']
    """
    A ticket's lifecycle: open -> assigned -> resolved -> closed (the escalation service owns the moves).
    """
    created_at: Annotated[str, Field(max_length=64, min_length=1)]
    """
    Timezone-aware UTC ISO-8601 timestamp.
    """
    estimated_response_time: Annotated[str, Field(max_length=64, min_length=1)]
    source: Literal['manual', 'policy']
    """
    POST /api/escalation (manual) or EvaluateTurn (policy).
    """
    from_tier: Literal['AI_REP', 'AI_MANAGER', 'HUMAN_AGENT'] | None = None
    to_tier: Literal['AI_REP', 'AI_MANAGER', 'HUMAN_AGENT'] | None = None
    reasons: Annotated[list[Literal['IRATE_CUSTOMER', 'REFUND_REQUEST', 'COMPLEX_ISSUE', 'REPEAT_CONTACT', 'HIGH_VALUE_CUSTOMER', 'LEGAL_MENTION', 'SOCIAL_MEDIA_THREAT', 'REFUND_OVER_THRESHOLD', 'CUSTOMER_REQUEST', 'POLICY_EXCEPTION', 'ESCALATED_COMPLAINT', 'TECHNICAL_LIMITATION']] | None, Field(max_length=12)] = None
    """
    Seed 002 reasons of a policy escalation, most urgent first.
    """


class EscalationDecisionV1(BaseModel):
    """
    Reply to EvaluateTurn.v1: the policy's verdict, reasons most urgent first.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    escalate: bool
    target_tier: Literal['AI_REP', 'AI_MANAGER', 'HUMAN_AGENT']
    """
    The tier to move to (the current one when not escalating).
    """
    reasons: Annotated[list[Literal['IRATE_CUSTOMER', 'REFUND_REQUEST', 'COMPLEX_ISSUE', 'REPEAT_CONTACT', 'HIGH_VALUE_CUSTOMER', 'LEGAL_MENTION', 'SOCIAL_MEDIA_THREAT', 'REFUND_OVER_THRESHOLD', 'CUSTOMER_REQUEST', 'POLICY_EXCEPTION', 'ESCALATED_COMPLAINT', 'TECHNICAL_LIMITATION']], Field(max_length=12)]
    priority: Literal['low', 'medium', 'high', 'urgent']
    """
    A ticket's urgency, least urgent first.
    """
    explanation: Annotated[str, Field(max_length=2000, min_length=0)]
    support_reason: Literal['negative_sentiment', 'high_complexity', 'repeated_failures', 'manual_request', 'policy_violation'] | None = None
    """
    Seed 001 reason word of the leading trigger.
    """
    irate: bool
    """
    The irate protocol saw an irate customer (de-escalate).
    """
    ticket_id: Annotated[str | None, Field(max_length=64, min_length=1)] = None
    """
    The ticket opened for this escalation, if any.
    """


class EscalationStepV1(BaseModel):
    """
    Reply to CheckEscalation.v1: the session's escalationHistory entry.
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
    reason: Literal['IRATE_CUSTOMER', 'REFUND_REQUEST', 'COMPLEX_ISSUE', 'REPEAT_CONTACT', 'HIGH_VALUE_CUSTOMER', 'LEGAL_MENTION', 'SOCIAL_MEDIA_THREAT', 'REFUND_OVER_THRESHOLD', 'CUSTOMER_REQUEST', 'POLICY_EXCEPTION', 'ESCALATED_COMPLAINT', 'TECHNICAL_LIMITATION']
    """
    Why the escalation policy (or a caller) moves a conversation to a higher tier.
    """
    notes: Annotated[str | None, Field(max_length=5000, min_length=0)] = None
    timestamp: Annotated[str, Field(max_length=64, min_length=1)]
    """
    Timezone-aware UTC ISO-8601 timestamp.
    """


class EscalationUpdatedV1(BaseModel):
    """
    Event: a ticket changed (status, assignment, resolution, satisfaction); names the changed fields, never the resolution notes themselves.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    ticket_id: Annotated[str, Field(max_length=64, min_length=1)]
    session_id: Annotated[str, Field(max_length=200, min_length=1)]
    customer_id: Annotated[str | None, Field(max_length=200, min_length=1)] = None
    priority: Literal['low', 'medium', 'high', 'urgent']
    """
    A ticket's urgency, least urgent first.
    """
    reason: Annotated[str, Field(max_length=64, min_length=1)]
    status: Literal['open', 'assigned', 'resolved', 'closed']
    """
    A ticket's lifecycle: open -> assigned -> resolved -> closed (the escalation service owns the moves).
    """
    previous_status: Literal['open', 'assigned', 'resolved', 'closed']
    """
    A ticket's lifecycle: open -> assigned -> resolved -> closed (the escalation service owns the moves).
    """
    assigned_agent: Annotated[str | None, Field(max_length=200, min_length=1)] = None
    customer_satisfaction: Annotated[int | None, Field(ge=1, le=5)] = None
    changed: Annotated[list[Literal['status', 'assigned_agent', 'resolution_notes', 'customer_satisfaction']], Field(max_length=8)]
    created_at: Annotated[str, Field(max_length=64, min_length=1)]
    """
    Timezone-aware UTC ISO-8601 timestamp.
    """
    updated_at: Annotated[str, Field(max_length=64, min_length=1)]
    """
    Timezone-aware UTC ISO-8601 timestamp.
    """


class GetCompanyConfigV1(BaseModel):
    """
    Command: the tenant's seed 002 CS config (the documented defaults until one is saved); answered with CompanyConfig.v1. The company is the envelope's tenant.
    """
    model_config = ConfigDict(
        extra='forbid',
    )


class GetTicketV1(BaseModel):
    """
    Command: one ticket of the tenant; answered with Ticket.v1 (not_found otherwise).
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    ticket_id: Annotated[str, Field(max_length=64, min_length=1)]


class HumanTierSettings(BaseModel):
    model_config = ConfigDict(
        extra='forbid',
    )
    enabled: bool
    escalation_phone: Annotated[str | None, Field(max_length=16, pattern='^\\+[1-9]\\d{6,14}$')] = None
    """
    E.164 number.
    """
    notify_on_escalation: bool


class HumanTierSettingsPatch(BaseModel):
    model_config = ConfigDict(
        extra='forbid',
    )
    enabled: bool | None = None
    escalation_phone: Annotated[str | None, Field(max_length=16, pattern='^\\+[1-9]\\d{6,14}$')] = None
    """
    E.164 number.
    """
    notify_on_escalation: bool | None = None


TriggerKeyword = Annotated[str, Field(max_length=60, min_length=1)]


class IrateProtocol(BaseModel):
    model_config = ConfigDict(
        extra='forbid',
    )
    enabled: bool
    detection_threshold: Annotated[int | float, Field(ge=0.0, le=1.0)]
    trigger_keywords: Annotated[list[TriggerKeyword], Field(max_length=100)]
    auto_escalate: AutoEscalate


class IrateProtocolPatch(BaseModel):
    model_config = ConfigDict(
        extra='forbid',
    )
    enabled: bool | None = None
    detection_threshold: Annotated[int | float | None, Field(ge=0.0, le=1.0)] = None
    trigger_keywords: Annotated[list[TriggerKeyword] | None, Field(max_length=100)] = None
    auto_escalate: AutoEscalatePatch | None = None


class ListReviewsV1(BaseModel):
    """
    Command: the tenant's review items, most urgent first; answered with ReviewList.v1.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    status: Literal['queued', 'reviewed'] | Literal['all']
    """
    Items in this review status, or all.
    """
    category: Annotated[str | None, Field(max_length=100, min_length=1)] = None
    limit: Annotated[int, Field(ge=1, le=500)]
    offset: Annotated[int, Field(ge=0)]


class ListTicketsV1(BaseModel):
    """
    Command: the tenant's tickets oldest first (e.g. a session's escalations); answered with TicketList.v1.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    session_id: Annotated[str | None, Field(max_length=200, min_length=1)] = None
    status: Annotated[str | None, Field(max_length=32, min_length=1)] = None
    limit: Annotated[int, Field(ge=1, le=500)]
    offset: Annotated[int, Field(ge=0)]


class QueueReviewV1(BaseModel):
    """
    Command: seed 000 POST /api/v1/review/queue; answered with ReviewReceipt.v1 and emits ReviewQueued.v1.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    query: Annotated[str, Field(max_length=20000, min_length=0)]
    response: Annotated[str, Field(max_length=50000, min_length=0)]
    category: Annotated[str | None, Field(max_length=100, min_length=0)] = None
    priority: int | None = None
    """
    1 (most urgent) .. 5, default 3 (checked by the service).
    """
    metadata: dict[str, Any] | None = None
    """
    The caller's own context of the item (seed 000: customer_id, interaction_id, ...). Free-form as the seed documents it, bounded: at most 64 KiB as JSON, nested at most 16 levels (maxProperties follows from the size bound) (x-maxDepth, x-maxBytes; the gateway's input policy refuses more with a 400).
    """


class ResponseGuidelines(BaseModel):
    model_config = ConfigDict(
        extra='forbid',
    )
    tone: Annotated[str, Field(max_length=40, min_length=1)]
    max_response_length: Annotated[int, Field(ge=1, le=100000)]


class ResponseGuidelinesPatch(BaseModel):
    model_config = ConfigDict(
        extra='forbid',
    )
    tone: Annotated[str | None, Field(max_length=40, min_length=1)] = None
    max_response_length: Annotated[int | None, Field(ge=1, le=100000)] = None


class ReviewDecidedV1(BaseModel):
    """
    Event: a reviewer decided on a queued item; no text.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    item_id: Annotated[str, Field(max_length=64, min_length=1)]
    category: Annotated[str, Field(max_length=100, min_length=0)]
    priority: Annotated[int, Field(ge=1, le=5)]
    approved: bool
    edited: bool
    """
    The reviewer changed the response.
    """
    reviewer_id: Annotated[str, Field(max_length=200, min_length=1)]
    review_time: Annotated[str, Field(max_length=64, min_length=1)]
    """
    Timezone-aware UTC ISO-8601 timestamp.
    """
    queue_length: Annotated[int, Field(ge=0)]
    """
    Items of the tenant still queued after this change.
    """


class ReviewItem(BaseModel):
    model_config = ConfigDict(
        extra='forbid',
    )
    item_id: Annotated[str, Field(max_length=64, min_length=1)]
    status: Literal['queued', 'reviewed']
    """
    A human-review item: waiting in the queue, or decided by a reviewer.
    """
    query: Annotated[str, Field(max_length=20000, min_length=0)]
    response: Annotated[str, Field(max_length=50000, min_length=0)]
    category: Annotated[str, Field(max_length=100, min_length=0)]
    priority: Annotated[int, Field(ge=1, le=5)]
    metadata: Annotated[dict[str, Any], Field(max_length=16384)]
    """
    The metadata the item was queued with (seed 000). Free-form as the seed documents it, bounded: at most 64 KiB as JSON, nested at most 16 levels (maxProperties follows from the size bound) (x-maxDepth, x-maxBytes; the gateway's input policy refuses more with a 400).
    """
    created_at: Annotated[str, Field(max_length=64, min_length=1)]
    """
    Timezone-aware UTC ISO-8601 timestamp.
    """
    estimated_review_time: Annotated[str, Field(max_length=64, min_length=1)]
    """
    Timezone-aware UTC ISO-8601 timestamp.
    """
    approved: bool | None = None
    feedback: Annotated[str | None, Field(max_length=10000, min_length=0)] = None
    edits: dict[str, Any] | None = None
    final_response: Annotated[str | None, Field(max_length=50000, min_length=0)] = None
    reviewer_id: Annotated[str | None, Field(max_length=200, min_length=1)] = None
    review_time: Annotated[str | None, Field(max_length=64)] = None


class ReviewListV1(BaseModel):
    """
    Reply to ListReviews.v1: items with the original response beside any edits and the decision.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    items: Annotated[list[ReviewItem], Field(max_length=500)]
    total: Annotated[int, Field(ge=0)]
    limit: Annotated[int, Field(ge=1, le=500)]
    offset: Annotated[int, Field(ge=0)]


class ReviewQueuedV1(BaseModel):
    """
    Event: a response entered the human review queue (drives the seed 000 queue_update notification); no text.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    item_id: Annotated[str, Field(max_length=64, min_length=1)]
    category: Annotated[str, Field(max_length=100, min_length=0)]
    priority: Annotated[int, Field(ge=1, le=5)]
    created_at: Annotated[str, Field(max_length=64, min_length=1)]
    """
    Timezone-aware UTC ISO-8601 timestamp.
    """
    estimated_review_time: Annotated[str, Field(max_length=64, min_length=1)]
    """
    Timezone-aware UTC ISO-8601 timestamp.
    """
    queue_length: Annotated[int, Field(ge=0)]
    """
    Items of the tenant still queued after this change.
    """


class ReviewReceiptV1(BaseModel):
    """
    Reply to QueueReview.v1: the seed 000 review/queue `data`.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    item_id: Annotated[str, Field(max_length=64, min_length=1)]
    status: Literal['queued', 'reviewed']
    """
    A human-review item: waiting in the queue, or decided by a reviewer.
    """
    estimated_review_time: Annotated[str, Field(max_length=64, min_length=1)]
    """
    Timezone-aware UTC ISO-8601 timestamp.
    """


class ReviewVerdictV1(BaseModel):
    """
    Reply to DecideReview.v1: the seed 000 review/decision `data`.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    item_id: Annotated[str, Field(max_length=64, min_length=1)]
    status: Literal['queued', 'reviewed']
    """
    A human-review item: waiting in the queue, or decided by a reviewer.
    """
    review_time: Annotated[str, Field(max_length=64, min_length=1)]
    """
    Timezone-aware UTC ISO-8601 timestamp.
    """
    reviewer_id: Annotated[str, Field(max_length=200, min_length=1)]


class TicketReceiptV1(BaseModel):
    """
    Reply to CreateTicket.v1: the seed 001 POST /api/escalation response.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    ticket_id: Annotated[str, Field(max_length=64, min_length=1)]
    session_id: Annotated[str, Field(max_length=200, min_length=1)]
    priority: Literal['low', 'medium', 'high', 'urgent']
    """
    A ticket's urgency, least urgent first.
    """
    status: Literal['open', 'assigned', 'resolved', 'closed']
    """
    A ticket's lifecycle: open -> assigned -> resolved -> closed (the escalation service owns the moves).
    """
    created_at: Annotated[str, Field(max_length=64, min_length=1)]
    """
    Timezone-aware UTC ISO-8601 timestamp.
    """
    estimated_response_time: Annotated[str, Field(max_length=64, min_length=1)]
    """
    e.g. '45 minutes', '5 hours', '2 days'.
    """
    assigned_agent: Annotated[str | None, Field(max_length=200, min_length=1)] = None


class TicketV1(BaseModel):
    """
    Reply to GetTicket.v1 / UpdateTicket.v1: the seed 001 GET /api/escalation/{ticket_id} body.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    ticket_id: Annotated[str, Field(max_length=64, min_length=1)]
    session_id: Annotated[str, Field(max_length=200, min_length=1)]
    customer_id: Annotated[str | None, Field(max_length=200, min_length=1)] = None
    reason: Annotated[str, Field(max_length=64, min_length=1)]
    priority: Literal['low', 'medium', 'high', 'urgent']
    """
    A ticket's urgency, least urgent first.
    """
    status: Literal['open', 'assigned', 'resolved', 'closed']
    """
    A ticket's lifecycle: open -> assigned -> resolved -> closed (the escalation service owns the moves).
    """
    created_at: Annotated[str, Field(max_length=64, min_length=1)]
    """
    Timezone-aware UTC ISO-8601 timestamp.
    """
    updated_at: Annotated[str, Field(max_length=64, min_length=1)]
    """
    Timezone-aware UTC ISO-8601 timestamp.
    """
    assigned_agent: Annotated[str | None, Field(max_length=200, min_length=1)] = None
    resolution_notes: Annotated[str | None, Field(max_length=10000, min_length=0)] = None
    customer_satisfaction: Annotated[int | None, Field(ge=1, le=5)] = None


class TicketView(BaseModel):
    model_config = ConfigDict(
        extra='forbid',
    )
    ticket_id: Annotated[str, Field(max_length=64, min_length=1)]
    session_id: Annotated[str, Field(max_length=200, min_length=1)]
    customer_id: Annotated[str | None, Field(max_length=200, min_length=1)] = None
    reason: Annotated[str, Field(max_length=64, min_length=1)]
    priority: Literal['low', 'medium', 'high', 'urgent']
    """
    A ticket's urgency, least urgent first.
    """
    status: Literal['open', 'assigned', 'resolved', 'closed']
    """
    A ticket's lifecycle: open -> assigned -> resolved -> closed (the escalation service owns the moves).
    """
    created_at: Annotated[str, Field(max_length=64, min_length=1)]
    """
    Timezone-aware UTC ISO-8601 timestamp.
    """
    updated_at: Annotated[str, Field(max_length=64, min_length=1)]
    """
    Timezone-aware UTC ISO-8601 timestamp.
    """
    assigned_agent: Annotated[str | None, Field(max_length=200, min_length=1)] = None
    resolution_notes: Annotated[str | None, Field(max_length=10000, min_length=0)] = None
    customer_satisfaction: Annotated[int | None, Field(ge=1, le=5)] = None


class TierCapabilities(BaseModel):
    model_config = ConfigDict(
        extra='forbid',
    )
    can_process_refunds: bool
    max_refund_amount: Annotated[int | float, Field(ge=0.0, le=1000000000.0)]
    can_modify_subscription: bool
    can_apply_credits: bool
    max_credit_amount: Annotated[int | float, Field(ge=0.0, le=1000000000.0)]


class TierCapabilitiesPatch(BaseModel):
    model_config = ConfigDict(
        extra='forbid',
    )
    can_process_refunds: bool | None = None
    max_refund_amount: Annotated[int | float | None, Field(ge=0.0, le=1000000000.0)] = None
    can_modify_subscription: bool | None = None
    can_apply_credits: bool | None = None
    max_credit_amount: Annotated[int | float | None, Field(ge=0.0, le=1000000000.0)] = None


IrateKeyword = Annotated[str, Field(max_length=200, min_length=1)]


PolicyFlag = Annotated[str, Field(max_length=200, min_length=1)]


class TurnFacts(BaseModel):
    """
    Everything the policy looks at for one customer turn; every field optional, values checked by the service.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    sentiment_score: float | None = None
    """
    Platform sentiment score -1..1 (negative = unhappy).
    """
    sentiment_level: Annotated[str | None, Field(max_length=32, min_length=1)] = None
    """
    Seed 002 customer sentiment (HAPPY .. IRATE).
    """
    irate: bool | None = None
    irate_keywords: Annotated[list[IrateKeyword] | None, Field(max_length=100)] = None
    retrieval_confidence: float | None = None
    """
    Best knowledge-base match 0..1.
    """
    complexity_score: float | None = None
    """
    Query complexity 0..1.
    """
    category: Annotated[str | None, Field(max_length=32, min_length=1)] = None
    """
    Seed 002 issue category.
    """
    refund_amount: float | None = None
    """
    Refund asked for, in the company's currency.
    """
    credit_amount: float | None = None
    """
    Credit asked for, in the company's currency.
    """
    currency: Annotated[str | None, Field(max_length=8, min_length=1)] = None
    subscription_change: bool | None = None
    is_vip: bool | None = None
    lifetime_value: float | None = None
    repeat_contacts: int | None = None
    """
    Earlier contacts about this issue.
    """
    failed_attempts: int | None = None
    """
    AI replies at the current tier that did not resolve it.
    """
    human_requested: bool | None = None
    manager_requested: bool | None = None
    legal_threat: bool | None = None
    social_media_threat: bool | None = None
    policy_flags: Annotated[list[PolicyFlag] | None, Field(max_length=100)] = None


class UpdateTicketV1(BaseModel):
    """
    Command: seed 001 PUT /api/escalation/{ticket_id}; answered with Ticket.v1 and emits EscalationUpdated.v1. A transition the lifecycle forbids is a conflict.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    ticket_id: Annotated[str, Field(max_length=64, min_length=1)]
    status: Annotated[str | None, Field(max_length=32, min_length=1)] = None
    """
    open, assigned, resolved or closed (checked by the service).
    """
    assigned_agent: Annotated[str | None, Field(max_length=200, min_length=0)] = None
    resolution_notes: Annotated[str | None, Field(max_length=10000, min_length=0)] = None
    customer_satisfaction: int | None = None
    """
    1..5 (checked by the service).
    """


class AiTierSettings(BaseModel):
    """
    An AI tier (ai_rep, ai_manager): what it may do on its own.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    enabled: bool
    capabilities: TierCapabilities
    response_guidelines: ResponseGuidelines | None = None


class AiTierSettingsPatch(BaseModel):
    """
    A partial AI tier.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    enabled: bool | None = None
    capabilities: TierCapabilitiesPatch | None = None
    response_guidelines: ResponseGuidelinesPatch | None = None


class EvaluateTurnV1(BaseModel):
    """
    Command: run the escalation policy on one customer turn under the tenant's CS config (facts, plus facts extracted from `text` when given); answered with EscalationDecision.v1. With create_ticket, an escalating decision also opens a ticket (and emits EscalationCreated.v1).
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    session_id: Annotated[str, Field(max_length=200, min_length=1)]
    current_tier: Annotated[str, Field(max_length=32, min_length=1)]
    """
    The session's tier: AI_REP, AI_MANAGER or HUMAN_AGENT.
    """
    facts: TurnFacts | None = None
    text: Annotated[str | None, Field(max_length=100000, min_length=0)] = None
    """
    The customer's message, redacted; never stored nor echoed.
    """
    create_ticket: bool
    """
    Open an escalation ticket when the decision escalates.
    """
    customer_id: Annotated[str | None, Field(max_length=200, min_length=1)] = None
    """
    Recorded on the ticket.
    """
    negative_sentiment: bool | None = None
    """
    Seed 001 rule: a sentiment_score at or below the policy's negative_sentiment threshold (-0.6) escalates AI_REP -> AI_MANAGER at once (support_reason negative_sentiment, seed 002 reason IRATE_CUSTOMER). Absent/false: the company's irate protocol alone governs a negative customer (de-escalation attempts first).
    """


class TicketListV1(BaseModel):
    """
    Reply to ListTickets.v1.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    tickets: Annotated[list[TicketView], Field(max_length=500)]
    total: Annotated[int, Field(ge=0)]
    limit: Annotated[int, Field(ge=1, le=500)]
    offset: Annotated[int, Field(ge=0)]


class TierSettings(BaseModel):
    model_config = ConfigDict(
        extra='forbid',
    )
    ai_rep: AiTierSettings
    ai_manager: AiTierSettings
    human_agent: HumanTierSettings


class TierSettingsPatch(BaseModel):
    model_config = ConfigDict(
        extra='forbid',
    )
    ai_rep: AiTierSettingsPatch | None = None
    ai_manager: AiTierSettingsPatch | None = None
    human_agent: HumanTierSettingsPatch | None = None


class CsSettings(BaseModel):
    """
    A company's CS configuration: whether AI support is on, what each tier may do, and the irate-customer protocol.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    enabled: bool
    tiers: TierSettings
    irate_protocol: IrateProtocol


class CsSettingsPatch(BaseModel):
    """
    A partial CS configuration: each given field replaces the company's (objects merge key by key).
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    enabled: bool | None = None
    tiers: TierSettingsPatch | None = None
    irate_protocol: IrateProtocolPatch | None = None


class UpdateCompanyConfigV1(BaseModel):
    """
    Command: a partial CS config deep-merged into the tenant's (objects merge key by key, lists and scalars replace; cross-field rules checked by the service); answered with CompanyConfig.v1. x-patch: the message carries exactly the fields its producer set, a null included (null clears a nullable field such as escalation_phone), where other messages drop a None as 'not given'.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    patch: CsSettingsPatch
    """
    The fields to change.
    """


class CompanyConfigV1(BaseModel):
    """
    Reply to GetCompanyConfig.v1 / UpdateCompanyConfig.v1.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    company_id: Annotated[str, Field(max_length=200, min_length=1)]
    config: CsSettings
