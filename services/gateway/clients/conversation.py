"""Gateway -> conversation service: every conversation.commands request, answered with the reply's data dict."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

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

    async def _call(
        self, tenant_id: str, reply: type[BaseModel], command: BaseModel, key: str | None
    ) -> dict[str, Any]:
        answer = await self.ask(tenant_id, command, reply, key=key)
        # Exactly the fields the service sent (the reply's wire shape), not the model's defaults for absent ones.
        return answer.model_dump(mode="json", exclude_unset=True)

    async def start_session(self, caller: Principal, **fields: Any) -> dict[str, Any]:
        command = StartSessionV1.model_validate(fields)
        key = fields.get("session_id") or fields["customer_id"]
        return await self._call(caller.tenant_id, SessionViewV1, command, key)

    async def get_session(
        self, caller: Principal, session_id: str, *, message_limit: int | None = None
    ) -> dict[str, Any]:
        """{session, messages}; `message_limit` 0 leaves the messages out."""
        command = GetSessionV1(session_id=session_id, message_limit=message_limit)
        return await self._call(caller.tenant_id, SessionViewV1, command, session_id)

    async def list_sessions(self, caller: Principal, **query: Any) -> dict[str, Any]:
        return await self._call(caller.tenant_id, SessionPageV1, ListSessionsV1.model_validate(query), caller.tenant_id)

    async def post_message(self, caller: Principal, **fields: Any) -> dict[str, Any]:
        # request() stamps the envelope with when this request stops waiting: the service stops the turn there.
        command = PostMessageV1.model_validate(fields)
        return await self._call(caller.tenant_id, TurnResultV1, command, fields["session_id"])

    async def escalate(self, caller: Principal, **fields: Any) -> dict[str, Any]:
        command = EscalateSessionV1.model_validate(fields)
        return await self._call(caller.tenant_id, SessionViewV1, command, fields["session_id"])

    async def resolve(self, caller: Principal, **fields: Any) -> dict[str, Any]:
        command = ResolveSessionV1.model_validate(fields)
        return await self._call(caller.tenant_id, SessionViewV1, command, fields["session_id"])

    async def close(self, caller: Principal, session_id: str) -> dict[str, Any]:
        return await self._call(caller.tenant_id, SessionViewV1, CloseSessionV1(session_id=session_id), session_id)

    async def submit_feedback(self, caller: Principal, **fields: Any) -> dict[str, Any]:
        command = SubmitFeedbackV1.model_validate(fields)
        return await self._call(caller.tenant_id, FeedbackReceiptV1, command, fields["session_id"])

    async def issue_token(self, caller: Principal, user_id: str) -> dict[str, Any]:
        return await self._call(caller.tenant_id, CustomerTokenV1, IssueCustomerTokenV1(user_id=user_id), user_id)

    async def validate_token(self, tenant_id: str, token: str) -> dict[str, Any]:
        """Open endpoint: the token is the credential, so the caller's tenant is the token's own."""
        return await self._call(tenant_id, CustomerTokenV1, ValidateCustomerTokenV1(session_token=token), None)

    async def create_user(self, caller: Principal, **fields: Any) -> dict[str, Any]:
        return await self._call(caller.tenant_id, CrmUserV1, CreateCrmUserV1.model_validate(fields), fields["email"])

    async def get_user(self, caller: Principal, user_id: str) -> dict[str, Any]:
        return await self._call(caller.tenant_id, CrmUserV1, GetCrmUserV1(user_id=user_id), user_id)

    async def list_users(self, caller: Principal, **query: Any) -> dict[str, Any]:
        return await self._call(caller.tenant_id, CrmPageV1, ListCrmUsersV1.model_validate(query), caller.tenant_id)

    async def user_conversations(self, caller: Principal, **query: Any) -> dict[str, Any]:
        command = ListUserConversationsV1.model_validate(query)
        return await self._call(caller.tenant_id, CrmPageV1, command, query["user_id"])
