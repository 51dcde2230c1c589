"""Seed 002 sessions, messages, escalate and resolve (under the CS prefix), answered by the conversation service."""

from __future__ import annotations

import re
from collections.abc import Awaitable
from typing import Annotated, Any, Literal, TypeVar, cast

from fastapi import APIRouter, Header, Query
from pydantic import BaseModel, ConfigDict, Field

from libs.contracts.models.conversation import (
    EscalateSessionV1,
    EscalationEntry,
    ListSessionsV1,
    Message,
    PostMessageV1,
    Resolution,
    ResolveSessionV1,
    Session,
    StartSessionV1,
)
from libs.errors import Forbidden, Invalid, InvalidEscalationTarget, NotFound
from services.gateway.deps import Caller, GatewayDep
from services.gateway.dialects.tiered_cs.envelope import DIALECT
from services.gateway.dialects.tiered_cs.responses import (
    EscalatedOut,
    MessageExchange,
    ResolvedOut,
    SessionList,
    SessionView,
    StartedSession,
)
from services.gateway.fields import Message as MessageText
from services.gateway.input_policy import FreeForm

router = APIRouter(route_class=DIALECT.route_class(), tags=["tiered cs: sessions"])

_SESSION_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,200}$")
Channel = Literal["voice", "chat", "email", "sms"]
IssueCategory = Literal[
    "BILLING", "SHIPPING", "PRODUCT_QUALITY", "SUBSCRIPTION", "REFUND", "TECHNICAL", "ACCOUNT", "GENERAL_INQUIRY",
    "COMPLAINT", "CANCELLATION",
]  # fmt: skip
Reason = Literal[
    "IRATE_CUSTOMER", "REFUND_REQUEST", "COMPLEX_ISSUE", "REPEAT_CONTACT", "HIGH_VALUE_CUSTOMER", "LEGAL_MENTION",
    "SOCIAL_MEDIA_THREAT", "REFUND_OVER_THRESHOLD", "CUSTOMER_REQUEST", "POLICY_EXCEPTION", "ESCALATED_COMPLAINT",
    "TECHNICAL_LIMITATION",
]  # fmt: skip
ResolutionType = Literal[
    "INFORMATION_PROVIDED", "ISSUE_RESOLVED", "REFUND_PROCESSED", "REPLACEMENT_SENT", "CREDIT_APPLIED",
    "SUBSCRIPTION_MODIFIED", "ESCALATED_TO_HUMAN", "CUSTOMER_SATISFIED", "UNRESOLVED",
]  # fmt: skip
Status = Literal["ACTIVE", "WAITING_CUSTOMER", "ESCALATED", "RESOLVED", "ABANDONED"]
Tier = Literal["AI_REP", "AI_MANAGER", "HUMAN_AGENT"]


Id = Annotated[str, Field(min_length=1, max_length=200, strict=True)]


class StartBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    companyId: Id | None = None
    customerId: Id
    channel: Channel
    initialMessage: MessageText | None = None
    issueCategory: IssueCategory | None = None
    metadata: FreeForm = Field(default_factory=dict)


class MessageBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    message: MessageText


class EscalateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Reason
    targetTier: Annotated[str, Field(min_length=1, max_length=32, strict=True)]  # checked by the service (CS_004)
    notes: Annotated[str, Field(max_length=4000)] | None = None


class ResolveBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    resolutionType: ResolutionType
    summary: Annotated[str, Field(max_length=4000)] | None = None
    actionsTaken: list[Annotated[str, Field(max_length=1000)]] = Field(default_factory=list, max_length=100)
    followUpRequired: bool = False


def _company(caller: Caller, company_id: str | None) -> None:
    if not company_id:
        raise Invalid("Missing company ID", {"companyId": "required", "cs_code": "CS_005"})
    if company_id != caller.tenant_id:
        raise Forbidden("Company CS not enabled for this caller", {"companyId": company_id})


def _session_id(session_id: str) -> str:
    if not _SESSION_ID.match(session_id):
        raise Invalid("Invalid session ID", {"sessionId": "letters, digits, _ . : - (1-200)", "cs_code": "CS_001"})
    return session_id


R = TypeVar("R")


async def _guard(call: Awaitable[R], session_id: str) -> R:
    """The seed's 404 names the id as `sessionId`."""
    try:
        return await call
    except NotFound:
        raise NotFound("Session not found", {"sessionId": session_id}) from None


def message_view(message: Message, *, full: bool = False) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": message.message_id,
        "role": message.role,
        "content": message.content,
        "timestamp": message.timestamp,
    }
    if message.role == "customer":
        return view | {"sentiment": message.sentiment or "NEUTRAL"}
    meta = message.metadata
    shown = {"aiGenerated": meta["ai_generated"], "model": meta["model"], "tokens": meta["tokens"]}
    shown["latencyMs"] = meta["latency_ms"]
    if full:
        shown |= {"actionsTaken": meta["actions_taken"], "suggestedActions": meta["suggested_actions"]}
    return view | {"metadata": shown}


def session_view(session: Session, messages: list[Message] | None) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": session.session_id,
        "companyId": session.tenant_id,
        "customerId": session.customer_id,
        "channel": session.channel,
        "currentTier": session.current_tier,
        "status": "RESOLVED" if session.status == "CLOSED" else session.status,
        "issueCategory": session.issue_category,
        "issueSummary": session.issue_summary,
        "customerSentiment": session.customer_sentiment,
        # Seed 002 shows sentiment scores on a 0..1 scale (NEUTRAL 0.5); the platform's is −1..1.
        "sentimentHistory": [
            {"sentiment": p.sentiment, "score": round((p.score + 1) / 2, 3), "timestamp": p.timestamp}
            for p in session.sentiment_history
        ],
        "escalationHistory": [_escalation(e) for e in session.escalation_history],
        "context": {"customer": {"id": session.customer_id, **dict(session.metadata.get("customer") or {})}},
        "createdAt": session.created_at,
        "updatedAt": session.updated_at,
    }
    if messages is not None:
        view["messages"] = [message_view(m) for m in messages]
    if session.resolution is not None:
        view["resolution"] = _resolution(session.resolution)
        view["resolvedAt"] = session.resolved_at
    return view


def _escalation(entry: EscalationEntry) -> dict[str, Any]:
    view = {"fromTier": entry.from_tier, "toTier": entry.to_tier, "reason": entry.reason, "timestamp": entry.timestamp}
    return view | ({"notes": entry.notes} if entry.notes is not None else {})


def _resolution(resolution: Resolution) -> dict[str, Any]:
    return {
        "type": resolution.type,
        "summary": resolution.summary,
        "actionsTaken": resolution.actions_taken,
        "followUpRequired": resolution.follow_up_required,
    }


@router.post("/sessions", status_code=201, response_model=StartedSession, response_model_exclude_unset=True)
async def start_session(body: StartBody, caller: Caller, gw: GatewayDep) -> dict[str, Any]:
    _company(caller, body.companyId)
    command = StartSessionV1(
        customer_id=body.customerId,
        channel=body.channel,
        dialect="tiered_cs",
        issue_category=body.issueCategory,
        initial_message=body.initialMessage,
        metadata=body.metadata,
    )
    data = await gw.clients.conversation.start_session(caller, command)
    # With an initialMessage the session already holds its first turn (the customer's message and the answer),
    # and the tier, status and sentiment shown are those after it.
    full = session_view(data.session, data.messages)
    keys = ("id", "companyId", "customerId", "channel", "currentTier", "status", "customerSentiment", "messages")
    return {**{k: full[k] for k in keys}, "createdAt": full["createdAt"]}


@router.get("/sessions", response_model=SessionList, response_model_exclude_unset=True)
async def list_sessions(
    caller: Caller,
    gw: GatewayDep,
    companyId: Annotated[str | None, Query(max_length=200)] = None,
    status: Status | None = None,
    tier: Tier | None = None,
    customerId: Annotated[str | None, Query(max_length=200)] = None,
    startDate: Annotated[str | None, Query(max_length=64)] = None,
    endDate: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> dict[str, Any]:
    _company(caller, companyId)
    query = ListSessionsV1(
        customer_id=customerId,
        status=status,
        tier=tier,
        start_date=startDate,
        end_date=endDate,
        limit=limit,
        offset=offset,
    )
    page = await gw.clients.conversation.list_sessions(caller, query)
    sessions = [session_view(s, None) for s in page.items]
    return {"sessions": sessions, "total": page.total, "limit": page.limit, "offset": page.offset}


@router.get("/sessions/{session_id}", response_model=SessionView, response_model_exclude_unset=True)
async def get_session(session_id: str, caller: Caller, gw: GatewayDep) -> dict[str, Any]:
    data = await _guard(gw.clients.conversation.get_session(caller, _session_id(session_id)), session_id)
    return session_view(data.session, data.messages)


@router.post(
    "/sessions/{session_id}/messages",
    status_code=201,
    response_model=MessageExchange,
    response_model_exclude_unset=True,
)
async def send_message(
    session_id: str,
    body: MessageBody,
    caller: Caller,
    gw: GatewayDep,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> dict[str, Any]:
    command = PostMessageV1(
        session_id=_session_id(session_id),
        text=body.message,
        channel="chat",
        dialect="tiered_cs",
        create_if_missing=False,
        idempotency_key=idempotency_key,
    )
    data = await _guard(gw.clients.conversation.post_message(caller, command), session_id)
    session, turn = data.session, data.turn
    update: dict[str, Any] = {"customerSentiment": session.customer_sentiment, "issueSummary": session.issue_summary}
    if turn.escalated and session.current_tier != data.reply_message.metadata["tier"]:
        update |= {"currentTier": session.current_tier, "status": session.status}
    return {
        "customerMessage": message_view(data.customer_message),
        "aiResponse": message_view(data.reply_message, full=True),
        "sessionUpdate": update,
    }


@router.post("/sessions/{session_id}/escalate", response_model=EscalatedOut, response_model_exclude_unset=True)
async def escalate(session_id: str, body: EscalateBody, caller: Caller, gw: GatewayDep) -> dict[str, Any]:
    command = EscalateSessionV1(
        session_id=_session_id(session_id), reason=body.reason, target_tier=_tier(body.targetTier), notes=body.notes
    )
    session = (await _guard(gw.clients.conversation.escalate(caller, command), session_id)).session
    view = session_view(session, None)
    keys = ("id", "currentTier", "status", "escalationHistory")
    return {"success": True, "session": {k: view[k] for k in keys}}


def _tier(target: str) -> Tier:
    # Which target is allowed (above the current tier, enabled for the company) is the escalation service's rule;
    # this only refuses a name that is no tier at all, which the command could not carry.
    if target not in ("AI_REP", "AI_MANAGER", "HUMAN_AGENT"):
        raise InvalidEscalationTarget("Invalid escalation target", {"targetTier": "AI_MANAGER or HUMAN_AGENT"})
    return cast(Tier, target)


@router.post("/sessions/{session_id}/resolve", response_model=ResolvedOut, response_model_exclude_unset=True)
async def resolve(session_id: str, body: ResolveBody, caller: Caller, gw: GatewayDep) -> dict[str, Any]:
    command = ResolveSessionV1(
        session_id=_session_id(session_id),
        resolution_type=body.resolutionType,
        summary=body.summary,
        actions_taken=body.actionsTaken,
        follow_up_required=body.followUpRequired,
    )
    session = (await _guard(gw.clients.conversation.resolve(caller, command), session_id)).session
    resolved = {
        "id": session.session_id,
        "status": session.status,
        "resolution": None if session.resolution is None else _resolution(session.resolution),
        "resolvedAt": session.resolved_at,
    }
    return {"success": True, "session": resolved}
