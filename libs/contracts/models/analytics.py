"""Models of the analytics messages, generated from contracts/analytics/ by libs.contracts.generate.

Never edit by hand: change the JSON Schema (a breaking change is a new .vN file) and run `make contracts`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from pydantic import BaseModel, ConfigDict, Field
from typing_extensions import TypeAliasType




class CountedConversation(BaseModel):
    model_config = ConfigDict(
        extra='forbid',
    )
    session_id: Annotated[str, Field(max_length=200, min_length=1)]
    customer_id: Annotated[str | None, Field(max_length=200)] = None
    at: Annotated[str, Field(max_length=64, min_length=1)]
    """
    ISO 8601 UTC timestamp.
    """
    channel: Annotated[str | None, Field(max_length=32)] = None
    tier: Annotated[str | None, Field(max_length=32)] = None
    reason: Annotated[str | None, Field(max_length=64)] = None
    rating: Annotated[int | None, Field(ge=1, le=5)] = None


class IssueCount(BaseModel):
    model_config = ConfigDict(
        extra='forbid',
    )
    issue: Annotated[str, Field(max_length=64, min_length=1)]
    count: Annotated[int, Field(ge=0)]
    sentiment_avg: Annotated[float | None, Field(ge=-1.0, le=1.0)] = None


class ListConversationsV1(BaseModel):
    """
    Query: the conversations behind one figure of the tenant's report over [start, end) (definitions: services/analytics/README.md), oldest first.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    start: Annotated[str, Field(max_length=64, min_length=1)]
    """
    ISO 8601 UTC timestamp.
    """
    end: Annotated[str, Field(max_length=64, min_length=1)]
    """
    ISO 8601 UTC timestamp.
    """
    metric: Literal['conversations', 'resolved', 'ai_resolved', 'durable_resolved', 'escalated', 'abandoned', 'rated']
    limit: Annotated[int, Field(ge=1, le=500)]
    offset: Annotated[int, Field(ge=0)]


class ModelUsage(BaseModel):
    model_config = ConfigDict(
        extra='forbid',
    )
    model: Annotated[str, Field(max_length=200)]
    provider: Annotated[str, Field(max_length=64)]
    replies: Annotated[int, Field(ge=0)]
    tokens_input: Annotated[int, Field(ge=0)]
    tokens_output: Annotated[int, Field(ge=0)]
    cost_usd: Annotated[float, Field(ge=0.0)]


class QueryReportV1(BaseModel):
    """
    Query: every rollup of one tenant (the envelope's tenant) over [start, end), bucketed by granularity; optionally one session or one customer.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    start: Annotated[str, Field(max_length=64, min_length=1)]
    """
    ISO 8601 UTC timestamp.
    """
    end: Annotated[str, Field(max_length=64, min_length=1)]
    """
    ISO 8601 UTC timestamp.
    """
    granularity: Literal['hour', 'day', 'week', 'month']
    session_id: Annotated[str | None, Field(max_length=200, min_length=1)] = None
    customer_id: Annotated[str | None, Field(max_length=200, min_length=1)] = None


class ReportBucket(BaseModel):
    model_config = ConfigDict(
        extra='forbid',
    )
    start: Annotated[str, Field(max_length=64, min_length=1)]
    """
    ISO 8601 UTC timestamp.
    """
    conversations: Annotated[int, Field(ge=0)]
    messages: Annotated[int, Field(ge=0)]
    resolved: Annotated[int, Field(ge=0)]
    ai_resolved: Annotated[int, Field(ge=0)]
    escalated_sessions: Annotated[int, Field(ge=0)]
    sentiment_avg: Annotated[float | None, Field(ge=-1.0, le=1.0)] = None
    response_time_ms_avg: Annotated[float | None, Field(ge=0.0)] = None
    satisfaction_avg: Annotated[float | None, Field(ge=1.0, le=5.0)] = None


class ReportGroup(BaseModel):
    """
    One tier or channel. Tier: sessions opened in the period counted under the highest tier they reached, resolved under the tier they were resolved at. Mean resolution time absent when none.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    key: Annotated[str, Field(max_length=64, min_length=1)]
    sessions: Annotated[int, Field(ge=0)]
    resolved: Annotated[int, Field(ge=0)]
    resolution_time_s_avg: Annotated[float | None, Field(ge=0.0)] = None


class ReportTotals(BaseModel):
    """
    Counts and sums over the period; an average is absent when nothing was measured (never invented). Definitions: services/analytics/README.md.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    conversations: Annotated[int, Field(ge=0)]
    messages: Annotated[int, Field(ge=0)]
    replies: Annotated[int, Field(ge=0)]
    ai_replies: Annotated[int, Field(ge=0)]
    resolved: Annotated[int, Field(ge=0)]
    ai_resolved: Annotated[int, Field(ge=0)]
    escalated_sessions: Annotated[int, Field(ge=0)]
    escalations: Annotated[int, Field(ge=0)]
    abandoned: Annotated[int, Field(ge=0)]
    closed: Annotated[int, Field(ge=0)]
    cache_hits: Annotated[int, Field(ge=0)]
    tickets: Annotated[int, Field(ge=0)]
    tokens_input: Annotated[int, Field(ge=0)]
    tokens_output: Annotated[int, Field(ge=0)]
    satisfaction_count: Annotated[int, Field(ge=0)]
    irate_incidents: Annotated[int, Field(ge=0)]
    pii_detected: Annotated[int, Field(ge=0)]
    sentiment_count: Annotated[int, Field(ge=0)]
    cost_usd: Annotated[float, Field(ge=0.0)]
    response_time_ms_avg: Annotated[float | None, Field(ge=0.0)] = None
    resolution_time_s_avg: Annotated[float | None, Field(ge=0.0)] = None
    escalation_time_s_avg: Annotated[float | None, Field(ge=0.0)] = None
    messages_per_session_avg: Annotated[float | None, Field(ge=0.0)] = None
    satisfaction_avg: Annotated[float | None, Field(ge=1.0, le=5.0)] = None
    sentiment_avg: Annotated[float | None, Field(ge=-1.0, le=1.0)] = None
    sentiment_improvement: Annotated[float | None, Field(ge=-2.0, le=2.0)] = None
    """
    Mean of (last - first) customer sentiment score over sessions with two or more scored messages; absent when none.
    """
    sentiment_sessions: Annotated[int | None, Field(ge=0)] = None
    """
    Sessions whose sentiment_improvement was measured.
    """
    complexity_avg: Annotated[float | None, Field(ge=0.0, le=1.0)] = None
    """
    Mean query complexity of the replies; absent when none.
    """
    response_time_ms_total: Annotated[int, Field(ge=0)]
    degraded_replies: Annotated[int, Field(ge=0)]
    """
    Replies produced with a degraded step (a fallback after an error).
    """
    open_sessions: Annotated[int, Field(ge=0)]
    """
    Sessions opened in the period and not resolved, closed or abandoned since.
    """
    waiting_for_human: Annotated[int, Field(ge=0)]
    """
    Open sessions whose highest tier is HUMAN_AGENT.
    """
    durable_resolved: Annotated[int, Field(ge=0)]
    """
    Resolutions not followed, within the durable window, by a message in the session or a new conversation of the customer; only resolutions whose window has passed count.
    """
    generation_ms_avg: Annotated[float | None, Field(ge=0.0)] = None
    """
    Mean time of the turn's generation step (the model call); absent when none.
    """
    retrieval_ms_avg: Annotated[float | None, Field(ge=0.0)] = None
    """
    Mean time of the turn's knowledge retrieval step; absent when none.
    """
    session_length_s_avg: Annotated[float | None, Field(ge=0.0)] = None
    """
    Mean length of sessions that ended (resolved or closed) in the period: opening to resolution, else to closing.
    """
    session_time_s_total: Annotated[float, Field(ge=0.0)]
    last_activity_at: Annotated[str | None, Field(max_length=64, min_length=1)] = None
    """
    Time of the latest counted event; absent when none.
    """


SentimentLabelsAdditionalProperty = TypeAliasType("SentimentLabelsAdditionalProperty", Annotated[int, Field(ge=0)])


CsLevelsAdditionalProperty = TypeAliasType("CsLevelsAdditionalProperty", Annotated[int, Field(ge=0)])


EscalationReasonsAdditionalProperty = TypeAliasType("EscalationReasonsAdditionalProperty", Annotated[int, Field(ge=0)])


EscalationTiersAdditionalProperty = TypeAliasType("EscalationTiersAdditionalProperty", Annotated[int, Field(ge=0)])


AgentsAdditionalProperty = TypeAliasType("AgentsAdditionalProperty", Annotated[int, Field(ge=0)])


WeekdaysAdditionalProperty = TypeAliasType("WeekdaysAdditionalProperty", Annotated[int, Field(ge=0)])


class ReportV1(BaseModel):
    """
    Reply to QueryReport: the tenant's rollups over the period.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    start: Annotated[str, Field(max_length=64, min_length=1)]
    """
    ISO 8601 UTC timestamp.
    """
    end: Annotated[str, Field(max_length=64, min_length=1)]
    """
    ISO 8601 UTC timestamp.
    """
    granularity: Literal['hour', 'day', 'week', 'month']
    totals: ReportTotals
    sentiment_labels: dict[str, SentimentLabelsAdditionalProperty]
    cs_levels: dict[str, CsLevelsAdditionalProperty]
    escalation_reasons: dict[str, EscalationReasonsAdditionalProperty]
    escalation_tiers: dict[str, EscalationTiersAdditionalProperty]
    issues: list[IssueCount]
    """
    Reply categories, most frequent first, with the mean sentiment of the turns they answered.
    """
    by_tier: list[ReportGroup]
    by_channel: list[ReportGroup]
    by_model: list[ModelUsage]
    series: Annotated[list[ReportBucket], Field(max_length=20000)]
    agents: dict[str, AgentsAdditionalProperty]
    """
    Replies per answering agent (seed 004 multi-agent chat).
    """
    weekdays: dict[str, WeekdaysAdditionalProperty]
    """
    Customer messages per UTC weekday (Monday .. Sunday).
    """


class RollupsUpdatedV1(BaseModel):
    """
    Event: the analytics rollups of the envelope's tenant counted new events (at most one per tenant per second); the gateway turns it into the `analytics_update` WebSocket frame, on which dashboards refresh.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    events: Annotated[int, Field(ge=1)]
    """
    Events counted since the previous notice.
    """
    last_activity_at: Annotated[str, Field(max_length=64, min_length=1)]
    """
    ISO 8601 UTC timestamp: the time of the newest counted event.
    """
    updated_at: Annotated[str, Field(max_length=64, min_length=1)]
    """
    ISO 8601 UTC timestamp: when the rollups were written.
    """


class ConversationListV1(BaseModel):
    """
    Reply to ListConversations: `total` is the figure itself; `items` one page of the conversations it counts, with the time of the counted event.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    metric: Literal['conversations', 'resolved', 'ai_resolved', 'durable_resolved', 'escalated', 'abandoned', 'rated']
    total: Annotated[int, Field(ge=0)]
    items: Annotated[list[CountedConversation], Field(max_length=500)]
