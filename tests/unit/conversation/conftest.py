"""An in-process platform for conversation tests: gateway + conversation + sentiment (+ privacy + escalation when
their bootstrap exists) on one MemoryBus with in-memory stores; the LLM is the real LLMService, wrapped to record
every GenerateRequest it is given. Services left out are simply absent on the bus (their step times out)."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from libs.bus import MemoryBus
from libs.llm import ClassifyResult, GenerateRequest, GenerateResult, LLMService, LLMSettings
from libs.runtime import PlatformSettings, Service
from libs.store import open_store
from services.conversation.bootstrap import bootstrap as bootstrap_conversation
from services.conversation.pipeline.ports import Retrieval, RetrievedPassage
from services.conversation.settings import ConversationSettings, StepDeadlines
from services.sentiment.bootstrap import bootstrap as bootstrap_sentiment
from services.sentiment.settings import SentimentSettings
from tests.support.platform import ADMIN_EMAIL, ADMIN_PASSWORD, API_KEY, gateway_for_tests, serving

TENANT = "default"
REPO = Path(__file__).resolve().parents[3]
FAST_S = 0.3

KB = (
    RetrievedPassage(
        content="To reset your password, click Forgot Password on the login page and follow the e-mailed link. "
        "The reset link expires after 30 minutes.",
        source="password_reset.md",
        score=0.91,
        filename="password_reset.md",
        chunk_id="chunk_1",
        article_id="kb_article_456",
    ),
    RetrievedPassage(
        content="Orders ship within two business days. You can track your package from the Orders page using the "
        "tracking number in your confirmation e-mail.",
        source="shipping.md",
        score=0.74,
        filename="shipping.md",
        chunk_id="chunk_7",
        article_id="kb_article_789",
    ),
)


class RecordingLLM:
    """The real LLMService; every request it receives is kept so tests can check what a provider would see."""

    def __init__(self) -> None:
        self.service = LLMService(LLMSettings())
        self.requests: list[GenerateRequest] = []

    async def generate(self, req: GenerateRequest) -> GenerateResult:
        self.requests.append(req)
        return await self.service.generate(req)

    async def classify(self, text: str, categories: Sequence[str], model_id: str | None = None) -> ClassifyResult:
        self.requests.append(GenerateRequest(prompt=text))
        return await self.service.classify(text, categories, model_id)


class FakeRag:
    """Stands in for the rag service (not wired yet): returns the small KB above under a fixed version."""

    def __init__(self, version: str = "kb-v1") -> None:
        self.version = version
        self.queries: list[str] = []

    async def retrieve(self, query: str, *, tenant_id: str, key: str, top_k: int, deadline_s: float) -> Retrieval:
        self.queries.append(query)
        return Retrieval(passages=KB[:top_k], knowledge_version=self.version)


@dataclass
class Platform:
    client: httpx.AsyncClient
    bus: MemoryBus
    llm: RecordingLLM
    services: dict[str, Service]
    rag: FakeRag | None
    headers: dict[str, str] = field(default_factory=lambda: {"X-API-Key": API_KEY})

    def events(self, event_type: str | None = None) -> list[dict[str, Any]]:
        import json

        out = []
        for record in self.bus.broker.records("conversation.events"):
            env = json.loads(record.value)
            if event_type is None or env["type"] == f"conversation.{event_type}.v1":
                out.append(env)
        return out

    async def jwt(self) -> dict[str, str]:
        resp = await self.client.post("/api/v1/auth/login", json={"username": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
        assert resp.status_code == 200, resp.text
        return {"Authorization": f"Bearer {resp.json()['data']['token']}"}


def _service(name: str, common: PlatformSettings, bus: MemoryBus) -> Service:
    module = importlib.import_module(f"services.{name}.bootstrap")
    settings_module = importlib.import_module(f"services.{name}.settings")
    settings_cls = getattr(settings_module, f"{name.capitalize()}Settings")
    kwargs: dict[str, Any] = {"platform": common}
    if "warm_model_on_start" in settings_cls.model_fields:
        kwargs["warm_model_on_start"] = False
    service: Service = module.bootstrap(settings_cls(**kwargs), bus=bus, store=open_store(database=name))
    return service


PlatformFactory = Callable[..., Awaitable[Platform]]


@pytest.fixture
async def make_platform(tmp_path: Path) -> AsyncIterator[PlatformFactory]:
    running = AsyncExitStack()

    async def build(
        *,
        without: Sequence[str] = (),
        rag: bool = True,
        deadlines: StepDeadlines | None = None,
        idle_abandon_s: float = 1800.0,
        sweep_interval_s: float = 0.0,
    ) -> Platform:
        common = PlatformSettings(bus="memory", data_dir=tmp_path)
        bus = MemoryBus(service_name="test")
        gateway = gateway_for_tests(common, bus, request_timeout_s=15)
        llm, fake_rag = RecordingLLM(), (FakeRag() if rag else None)
        present = {n for n in ("sentiment", "privacy", "escalation") if n not in without}
        # A present service gets time for its first (model-loading) call; an absent one is given up on quickly.
        deadlines = deadlines or StepDeadlines(
            privacy_s=8 if "privacy" in present else FAST_S,
            sentiment_s=8 if "sentiment" in present else FAST_S,
            escalation_s=8 if "escalation" in present else FAST_S,
            retrieval_s=1,
        )
        conversation = bootstrap_conversation(
            ConversationSettings(
                platform=common,
                deadlines=deadlines,
                sweep_interval_s=sweep_interval_s,
                idle_abandon_s=idle_abandon_s,
            ),
            bus=bus,
            store=open_store(database="conversation"),
            llm=llm,
            retrieval=fake_rag,
        )
        services: dict[str, Service] = {"gateway": gateway, "conversation": conversation}
        if "sentiment" in present:
            services["sentiment"] = bootstrap_sentiment(
                SentimentSettings(platform=common, warm_model_on_start=False),
                bus=bus,
                store=open_store(database="sentiment"),
            )
        for name in ("privacy", "escalation"):
            if name in present:
                services[name] = _service(name, common, bus)
        # The gateway starts last, after the services it calls.
        ordered = [s for name, s in services.items() if name != "gateway"] + [gateway]
        client = await running.enter_async_context(serving(bus, ordered))
        return Platform(client=client, bus=bus, llm=llm, services=services, rag=fake_rag)

    async with running:
        yield build


@pytest.fixture
async def platform(make_platform: PlatformFactory) -> Platform:
    return await make_platform()
