"""Gateway -> conversation service: every conversation.commands request, answered with its typed reply. Each
method takes the contract command the route built from its request body; the partition key (the session, the
customer, the user) is chosen here, so every route orders its commands the same way."""

from __future__ import annotations

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
from services.gateway.auth import Principal
from services.gateway.clients.base import BusClient


class ConversationClient(BusClient):
    """One method per command; domain errors come back raised and typed, for the dialect to render."""

    async def start_session(self, caller: Principal, command: StartSessionV1) -> SessionViewV1:
        # A caller-chosen session id keys the session's own partition; a new one is keyed by its customer.
        return await self.ask(caller, command, SessionViewV1, key=command.session_id or command.customer_id)

    async def get_session(
        self, caller: Principal, session_id: str, *, message_limit: int | None = None
    ) -> SessionViewV1:
        """{session, messages}; `message_limit` 0 leaves the messages out."""
        command = GetSessionV1(session_id=session_id, message_limit=message_limit)
        return await self.ask(caller, command, SessionViewV1, key=session_id)

    async def list_sessions(self, caller: Principal, command: ListSessionsV1) -> SessionPageV1:
        return await self.ask(caller, command, SessionPageV1, key=caller.tenant_id)

    async def post_message(self, caller: Principal, command: PostMessageV1) -> TurnResultV1:
        # ask() stamps the envelope with when this request stops waiting: the service stops the turn there.
        return await self.ask(caller, command, TurnResultV1, key=command.session_id)

    async def escalate(self, caller: Principal, command: EscalateSessionV1) -> SessionViewV1:
        return await self.ask(caller, command, SessionViewV1, key=command.session_id)

    async def resolve(self, caller: Principal, command: ResolveSessionV1) -> SessionViewV1:
        return await self.ask(caller, command, SessionViewV1, key=command.session_id)

    async def close(self, caller: Principal, session_id: str) -> SessionViewV1:
        return await self.ask(caller, CloseSessionV1(session_id=session_id), SessionViewV1, key=session_id)

    async def submit_feedback(self, caller: Principal, command: SubmitFeedbackV1) -> FeedbackReceiptV1:
        return await self.ask(caller, command, FeedbackReceiptV1, key=command.session_id)

    async def issue_token(self, caller: Principal, user_id: str) -> CustomerTokenV1:
        return await self.ask(caller, IssueCustomerTokenV1(user_id=user_id), CustomerTokenV1, key=user_id)

    async def validate_token(self, tenant_id: str, token: str) -> CustomerTokenV1:
        """Open endpoint: the token is the credential, so the caller's tenant is the token's own."""
        return await self.ask(tenant_id, ValidateCustomerTokenV1(session_token=token), CustomerTokenV1)

    async def create_user(self, caller: Principal, command: CreateCrmUserV1) -> CrmUserV1:
        return await self.ask(caller, command, CrmUserV1, key=command.email)

    async def get_user(self, caller: Principal, user_id: str) -> CrmUserV1:
        return await self.ask(caller, GetCrmUserV1(user_id=user_id), CrmUserV1, key=user_id)

    async def list_users(self, caller: Principal, command: ListCrmUsersV1) -> CrmPageV1:
        return await self.ask(caller, command, CrmPageV1, key=caller.tenant_id)

    async def user_conversations(self, caller: Principal, command: ListUserConversationsV1) -> CrmPageV1:
        return await self.ask(caller, command, CrmPageV1, key=command.user_id)
