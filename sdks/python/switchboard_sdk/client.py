"""`Switchboard` and `AsyncSwitchboard`: one client, one namespace per seed API, the same methods sync and async."""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from typing import Any

import httpx

from switchboard_sdk._transport import AsyncTransport, SyncTransport
from switchboard_sdk.resources.crm_chat import CrmChat
from switchboard_sdk.resources.insights import Insights
from switchboard_sdk.resources.kb_platform import KbPlatform
from switchboard_sdk.resources.support_agent import SupportAgent
from switchboard_sdk.resources.tiered_cs import TieredCs

JSON = Any


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
        self.insights: Insights[JSON] = Insights(self._transport)
        self.support_agent: SupportAgent[JSON] = SupportAgent(self._transport)
        self.tiered_cs: TieredCs[JSON] = TieredCs(self._transport, cs_prefix)
        self.kb_platform: KbPlatform[JSON] = KbPlatform(self._transport)
        self.crm_chat: CrmChat[JSON] = CrmChat(self._transport)

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
        self.insights: Insights[Awaitable[JSON]] = Insights(self._transport)
        self.support_agent: SupportAgent[Awaitable[JSON]] = SupportAgent(self._transport)
        self.tiered_cs: TieredCs[Awaitable[JSON]] = TieredCs(self._transport, cs_prefix)
        self.kb_platform: KbPlatform[Awaitable[JSON]] = KbPlatform(self._transport)
        self.crm_chat: CrmChat[Awaitable[JSON]] = CrmChat(self._transport)

    @property
    def base_url(self) -> str:
        return self._transport.base_url

    async def close(self) -> None:
        await self._transport.close()

    async def __aenter__(self) -> AsyncSwitchboard:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
