"""An in-process platform for the sentiment API tests: gateway + sentiment through their bootstraps on one MemoryBus
with in-memory stores. The sentiment service's LLMService is the real one, built from the given LLMSettings (by
default no keys: only the local provider exists, so use_ai and named cloud models fall back locally)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from libs.bus import MemoryBus
from libs.llm import LLMService, LLMSettings
from libs.runtime import PlatformSettings
from libs.store import open_store
from services.gateway.deps import Gateway
from services.sentiment.bootstrap import bootstrap as bootstrap_sentiment
from services.sentiment.settings import SentimentSettings
from services.training.bootstrap import bootstrap as bootstrap_training
from services.training.settings import TrainingSettings
from tests.support.platform import API_KEY, gateway_for_tests, serving


@dataclass
class Platform:
    client: httpx.AsyncClient
    bus: MemoryBus
    llm: LLMService
    gateway: Gateway
    headers: dict[str, str] = field(default_factory=lambda: {"X-API-Key": API_KEY})

    async def tenant_headers(self, tenant_id: str) -> dict[str, str]:
        """Credentials of a caller in another tenant."""
        key, _ = await self.gateway.identity.create_api_key(
            tenant_id=tenant_id, name="other", rate_tier="enterprise", roles=["analyst"], created_by="test"
        )
        return {"X-API-Key": key}


def no_keys() -> LLMSettings:
    # Keys are cleared explicitly so a developer's SWITCHBOARD_LLM_* environment cannot switch a cloud provider on.
    return LLMSettings(openai_api_key=None, anthropic_api_key=None, google_api_key=None)


@contextlib.asynccontextmanager
async def sentiment_platform(
    tmp_path: Path, llm_settings: LLMSettings | None = None, **sentiment: object
) -> AsyncIterator[Platform]:
    common = PlatformSettings(bus="memory", data_dir=tmp_path)
    bus = MemoryBus(service_name="test")
    llm = LLMService(llm_settings or no_keys())
    gateway = gateway_for_tests(common, bus, request_timeout_s=10, batch_timeout_s=30)
    service = bootstrap_sentiment(
        SentimentSettings.model_validate({"platform": common, "warm_model_on_start": False, **sentiment}),
        bus=bus,
        store=open_store(database="sentiment"),
        llm=llm,
    )
    # The gateway asks the training service about model names the sentiment service does not know (deployed models).
    training = bootstrap_training(
        TrainingSettings(platform=common, warm_model_on_start=False), bus=bus, store=open_store(database="training")
    )
    assert gateway.app is not None
    try:
        async with serving(bus, [service, training, gateway]) as client:
            yield Platform(client=client, bus=bus, llm=llm, gateway=gateway.app.state.gateway)
    finally:
        await llm.aclose()
