"""`Switchboard` and `AsyncSwitchboard`: one client, one namespace per seed API (namespaces.py), sync and async."""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from switchboard_sdk._transport import AsyncTransport, SyncTransport
from switchboard_sdk.namespaces import (
    AsyncCrmChat,
    AsyncInsights,
    AsyncKbPlatform,
    AsyncSupportAgent,
    AsyncTieredCs,
    CrmChat,
    Insights,
    KbPlatform,
    SupportAgent,
    TieredCs,
)
from switchboard_sdk.resources.crm_chat import CrmChatRequests
from switchboard_sdk.resources.insights import InsightsRequests
from switchboard_sdk.resources.kb_platform import KbPlatformRequests
from switchboard_sdk.resources.support_agent import SupportAgentRequests
from switchboard_sdk.resources.tiered_cs import TieredCsRequests


class Switchboard:
    """Blocking client. `api_key` (else $SWITCHBOARD_API_KEY) is sent as a Bearer token: an API key or a JWT.

    `timeout` is seconds (or an httpx.Timeout) per attempt; `max_retries` retries 429/503 and network failures,
    waiting as the gateway's Retry-After / rate-limit reset headers say, else with exponential backoff.
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int = 2,
        cs_prefix: str = "/cs",
        default_headers: Mapping[str, str] | None = None,
        http_client: httpx.Client | None = None,
    ) -> None:
        self._transport = SyncTransport(
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
            http_client=http_client,
        )
        self.insights = Insights(self._transport, InsightsRequests())
        self.support_agent = SupportAgent(self._transport, SupportAgentRequests())
        self.tiered_cs = TieredCs(self._transport, TieredCsRequests(cs_prefix))
        self.kb_platform = KbPlatform(self._transport, KbPlatformRequests())
        self.crm_chat = CrmChat(self._transport, CrmChatRequests())

    @property
    def base_url(self) -> str:
        return self._transport.base_url

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> Switchboard:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncSwitchboard:
    """The asyncio client: the same namespaces and arguments as `Switchboard`, every call awaited."""

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int = 2,
        cs_prefix: str = "/cs",
        default_headers: Mapping[str, str] | None = None,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        self._transport = AsyncTransport(
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
            http_client=http_client,
        )
        self.insights = AsyncInsights(self._transport, InsightsRequests())
        self.support_agent = AsyncSupportAgent(self._transport, SupportAgentRequests())
        self.tiered_cs = AsyncTieredCs(self._transport, TieredCsRequests(cs_prefix))
        self.kb_platform = AsyncKbPlatform(self._transport, KbPlatformRequests())
        self.crm_chat = AsyncCrmChat(self._transport, CrmChatRequests())

    @property
    def base_url(self) -> str:
        return self._transport.base_url

    async def close(self) -> None:
        await self._transport.close()

    async def __aenter__(self) -> AsyncSwitchboard:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
