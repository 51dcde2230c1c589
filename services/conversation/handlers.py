"""Consumes conversation.commands (sessions, turns, customer tokens, CRM); replies with views and emits
conversation.events through the command's Publisher (derived ids, so a redelivery re-emits identical events)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from pydantic import BaseModel

from libs.bus import Publisher
from libs.bus.base import MessageContext
from libs.bus.dispatch import HandlerFn
from libs.contracts.models.conversation import (
    CloseSessionV1,
    CreateCrmUserV1,
    CrmPageV1,
    CrmUserV1,
    CustomerTokenV1,
    EscalateSessionV1,
    FeedbackReceiptV1,
    GetCrmUserV1,
    GetSessionV1,
    IssueCustomerTokenV1,
    ListCrmUsersV1,
    ListSessionsV1,
    ListUserConversationsV1,
    PostMessageV1,
    ResolveSessionV1,
    SessionPageV1,
    SessionViewV1,
    StartSessionV1,
    SubmitFeedbackV1,
    TurnResultV1,
    ValidateCustomerTokenV1,
)
from services.conversation.customers import CrmService, CustomerTokens
from services.conversation.domain import Message, Session, check_message
from services.conversation.events import Emit, RecordedSession, SessionKey, record, replay_events
from services.conversation.sessions import SessionService
from services.conversation.turns import TurnService
from services.conversation.views import message_model, session_model


@dataclass(frozen=True)
class Conversation:
    """The service's parts, handed to every handler as one dependency (`app`)."""

    sessions: SessionService
    turns: TurnService
    tokens: CustomerTokens
    crm: CrmService
    history_limit: int = 500


def emitter(publish: Publisher) -> Emit:
    async def emit(event: BaseModel, session: SessionKey) -> None:
        await publish(event, key=session.session_id)

    return emit


def _view(session: Session, messages: list[Message] | None = None) -> SessionViewV1:
    return SessionViewV1(session=session_model(session), messages=[message_model(m) for m in messages or []])


async def handle_start_session(
    cmd: StartSessionV1, *, ctx: MessageContext, app: Conversation, publish: Publisher
) -> SessionViewV1:
    """Opens the session; an initial message is its first customer turn, answered like any PostMessage, and the
    view carries that turn's two messages (seed 002 POST /sessions `initialMessage`)."""
    emit = emitter(publish)
    if cmd.initial_message is not None:
        check_message(cmd.initial_message)  # a blank one is refused (Invalid) before anything is created
    session = await app.sessions.start(ctx.tenant_id, cmd, emit, event_id=ctx.event_id)
    if cmd.initial_message is None:
        return _view(session)
    first_turn = PostMessageV1(
        session_id=session.session_id,
        text=cmd.initial_message,
        channel=cmd.channel,
        dialect=cmd.dialect,
        create_if_missing=False,
    )
    turn = await app.turns.post_message(ctx.tenant_id, first_turn, emit, event_id=ctx.event_id)
    return SessionViewV1(session=turn.session, messages=[turn.customer_message, turn.reply_message])


async def handle_get_session(cmd: GetSessionV1, *, ctx: MessageContext, app: Conversation) -> SessionViewV1:
    """`message_limit` 0 answers the session record alone (callers that need only its fields)."""
    limit = app.history_limit if cmd.message_limit is None else cmd.message_limit
    if limit == 0:
        return _view(await app.sessions.get(ctx.tenant_id, cmd.session_id))
    session, messages = await app.sessions.view(ctx.tenant_id, cmd.session_id, limit)
    return _view(session, messages)


async def handle_list_sessions(cmd: ListSessionsV1, *, ctx: MessageContext, app: Conversation) -> SessionPageV1:
    items, total = await app.sessions.search(ctx.tenant_id, cmd)
    return SessionPageV1(items=[session_model(s) for s in items], total=total, limit=cmd.limit, offset=cmd.offset)


async def handle_post_message(
    cmd: PostMessageV1, *, ctx: MessageContext, app: Conversation, publish: Publisher
) -> TurnResultV1:
    return await app.turns.post_message(
        ctx.tenant_id, cmd, emitter(publish), event_id=ctx.event_id, deadline_at=ctx.deadline
    )


async def _session_command(
    ctx: MessageContext, app: Conversation, publish: Publisher, run: Callable[[Emit], Awaitable[Session]]
) -> SessionViewV1:
    """A session-changing command, once: its session update, its inbox record (the view, the events) in one
    commit, the events published after it; a redelivery answers the recorded view and re-publishes the events
    under the same ids instead of failing on a session it already moved on (e.g. "already resolved")."""
    repo, emit = app.sessions.repo, emitter(publish)
    earlier = await repo.handled(ctx.tenant_id, ctx.event_id)
    if earlier is not None:
        recorded = RecordedSession(ctx.tenant_id, earlier["result"]["session"]["session_id"])
        for event in replay_events(earlier):
            await emit(event, recorded)
        return SessionViewV1.model_validate(earlier["result"])
    collected: list[BaseModel] = []

    async def collect(event: BaseModel, session: SessionKey) -> None:
        collected.append(event)

    with repo.staging() as writes:
        view = _view(await run(collect))
    await repo.commit_command(
        ctx.tenant_id, ctx.event_id, {"result": view.model_dump(mode="json"), "events": record(collected)}, writes
    )
    for event in collected:
        await emit(event, view.session)
    return view


async def handle_escalate_session(
    cmd: EscalateSessionV1, *, ctx: MessageContext, app: Conversation, publish: Publisher
) -> SessionViewV1:
    return await _session_command(
        ctx, app, publish, lambda emit: app.sessions.escalate_manually(ctx.tenant_id, cmd, emit)
    )


async def handle_resolve_session(
    cmd: ResolveSessionV1, *, ctx: MessageContext, app: Conversation, publish: Publisher
) -> SessionViewV1:
    return await _session_command(ctx, app, publish, lambda emit: app.sessions.resolve(ctx.tenant_id, cmd, emit))


async def handle_close_session(
    cmd: CloseSessionV1, *, ctx: MessageContext, app: Conversation, publish: Publisher
) -> SessionViewV1:
    return await _session_command(
        ctx, app, publish, lambda emit: app.sessions.close(ctx.tenant_id, cmd.session_id, emit)
    )


async def handle_submit_feedback(
    cmd: SubmitFeedbackV1, *, ctx: MessageContext, app: Conversation, publish: Publisher
) -> FeedbackReceiptV1:
    receipt = await app.sessions.submit_feedback(ctx.tenant_id, cmd, emitter(publish), command_id=ctx.event_id)
    return FeedbackReceiptV1.model_validate(receipt)


async def handle_issue_customer_token(
    cmd: IssueCustomerTokenV1, *, ctx: MessageContext, app: Conversation
) -> CustomerTokenV1:
    return CustomerTokenV1.model_validate(await app.tokens.issue(ctx.tenant_id, cmd.user_id, cmd.ttl_s))


async def handle_validate_customer_token(
    cmd: ValidateCustomerTokenV1, *, ctx: MessageContext, app: Conversation
) -> CustomerTokenV1:
    return CustomerTokenV1.model_validate(await app.tokens.validate(cmd.session_token))


async def handle_create_crm_user(cmd: CreateCrmUserV1, *, ctx: MessageContext, app: Conversation) -> CrmUserV1:
    return CrmUserV1.model_validate({"user": await app.crm.create_user(ctx.tenant_id, cmd)})


async def handle_get_crm_user(cmd: GetCrmUserV1, *, ctx: MessageContext, app: Conversation) -> CrmUserV1:
    return CrmUserV1.model_validate({"user": await app.crm.get_user(ctx.tenant_id, cmd.user_id)})


async def handle_list_crm_users(cmd: ListCrmUsersV1, *, ctx: MessageContext, app: Conversation) -> CrmPageV1:
    return CrmPageV1.model_validate(await app.crm.list_users(ctx.tenant_id, cmd.page, cmd.per_page, cmd.active_only))


async def handle_list_user_conversations(
    cmd: ListUserConversationsV1, *, ctx: MessageContext, app: Conversation
) -> CrmPageV1:
    return CrmPageV1.model_validate(await app.crm.conversations(ctx.tenant_id, cmd.user_id, cmd.page, cmd.per_page))


HANDLERS: dict[str, HandlerFn] = {
    "conversation.StartSession.v1": handle_start_session,
    "conversation.GetSession.v1": handle_get_session,
    "conversation.ListSessions.v1": handle_list_sessions,
    "conversation.PostMessage.v1": handle_post_message,
    "conversation.EscalateSession.v1": handle_escalate_session,
    "conversation.ResolveSession.v1": handle_resolve_session,
    "conversation.CloseSession.v1": handle_close_session,
    "conversation.SubmitFeedback.v1": handle_submit_feedback,
    "conversation.IssueCustomerToken.v1": handle_issue_customer_token,
    "conversation.ValidateCustomerToken.v1": handle_validate_customer_token,
    "conversation.CreateCrmUser.v1": handle_create_crm_user,
    "conversation.GetCrmUser.v1": handle_get_crm_user,
    "conversation.ListCrmUsers.v1": handle_list_crm_users,
    "conversation.ListUserConversations.v1": handle_list_user_conversations,
}
