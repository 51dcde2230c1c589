"""Seed 003's `ChatClient`, as its integration guide shows it: `send_message(...)` -> `.answer`, `.confidence`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
from pydantic import BaseModel

from switchboard_sdk import models as m
from switchboard_sdk._transport import AsyncTransport, SyncTransport
from switchboard_sdk.namespaces import AsyncKbPlatform, KbPlatform
from switchboard_sdk.resources.kb_platform import KbPlatformRequests


@dataclass(frozen=True)
class ChatResponse:
    """One answer of POST /api/v1/conversations; the seed's `response` field is `answer` here, as its SDK shows."""

    answer: str
    confidence: float
    sources: list[str]
    conversation_id: str
    escalated: bool
    timestamp: str | None
    raw: dict[str, Any] = field(repr=False, default_factory=dict)

    @classmethod
    def from_body(cls, body: Any) -> ChatResponse:
        """From the typed answer (models.ConversationOut) or its JSON."""
        data = body.model_dump(mode="json") if isinstance(body, BaseModel) else body if isinstance(body, dict) else {}
        return cls(
            answer=str(data.get("response", "")),
            confidence=float(data.get("confidence") or 0.0),
            sources=[str(s) for s in data.get("sources") or []],
            conversation_id=str(data.get("conversation_id", "")),
            escalated=bool(data.get("escalated", False)),
            timestamp=data.get("timestamp"),
            raw=data,
        )


def _message(message: str, user_id: str, conversation_id: str | None, **extra: Any) -> dict[str, Any]:
    fields = {"message": message, "user_id": user_id, "channel": extra.pop("channel", None) or "api", **extra}
    if conversation_id:
        fields["conversation_id"] = conversation_id
    return fields


class ChatClient:
    """`ChatClient(api_key=...)`; the gateway is `base_url`, else $SWITCHBOARD_BASE_URL, else http://127.0.0.1:8080.

    `environment` is accepted for the seed's examples; the gateway address alone decides where requests go.
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        environment: str = "production",
        base_url: str | None = None,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int = 2,
    ) -> None:
        self.environment = environment
        self._transport = SyncTransport(
            api_key=api_key, base_url=base_url, timeout=timeout, max_retries=max_retries, default_headers=None
        )
        self._kb = KbPlatform(self._transport, KbPlatformRequests())

    def send_message(
        self, message: str, user_id: str, *, conversation_id: str | None = None, **extra: Any
    ) -> ChatResponse:
        """Ask; pass the previous answer's `conversation_id` to continue the same conversation."""
        return ChatResponse.from_body(self._kb.converse(**_message(message, user_id, conversation_id, **extra)))

    def get_conversation(self, conversation_id: str) -> m.ConversationView:
        return self._kb.get_conversation(conversation_id)

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> ChatClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncChatClient:
    """The same facade for asyncio: `await client.send_message(...)`."""

    def __init__(
        self,
        api_key: str | None = None,
        *,
        environment: str = "production",
        base_url: str | None = None,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int = 2,
    ) -> None:
        self.environment = environment
        self._transport = AsyncTransport(
            api_key=api_key, base_url=base_url, timeout=timeout, max_retries=max_retries, default_headers=None
        )
        self._kb = AsyncKbPlatform(self._transport, KbPlatformRequests())

    async def send_message(
        self, message: str, user_id: str, *, conversation_id: str | None = None, **extra: Any
    ) -> ChatResponse:
        body = await self._kb.converse(**_message(message, user_id, conversation_id, **extra))
        return ChatResponse.from_body(body)

    async def get_conversation(self, conversation_id: str) -> m.ConversationView:
        return await self._kb.get_conversation(conversation_id)

    async def close(self) -> None:
        await self._transport.close()

    async def __aenter__(self) -> AsyncChatClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
