"""An in-process platform for ai/* API tests: gateway + conversation (+ privacy) through their bootstraps on one
MemoryBus with in-memory stores; the conversation service's LLMService is the real one, built from the given
LLMSettings (no keys: only the local provider is available). Retrieval is a small fixed knowledge base."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from libs.bus import MemoryBus
from libs.llm import LLMService, LLMSettings
from libs.runtime import PlatformSettings, Service
from libs.store import open_store
from services.conversation.bootstrap import bootstrap as bootstrap_conversation
from services.conversation.pipeline.ports import Retrieval, RetrievedPassage
from services.conversation.settings import ConversationSettings, StepDeadlines
from services.privacy.bootstrap import bootstrap as bootstrap_privacy
from services.privacy.settings import PrivacySettings
from tests.support.platform import API_KEY, gateway_for_tests, serving

KB = (
    RetrievedPassage(
        content="Premium credit card holders get airport lounge access and 3% cash back on travel purchases. "
        "The annual fee is waived in the first year.",
        source="premium_card.md",
        score=0.9,
    ),
    RetrievedPassage(
        content="To reset your password, click Forgot Password on the login page and follow the e-mailed link. "
        "The reset link expires after 30 minutes.",
        source="password_reset.md",
        score=0.7,
    ),
)


class FixedKnowledgeBase:
    """Stands in for the rag service: every query gets the same passages (retrieval is not under test here)."""

    def __init__(self) -> None:
        self.queries: list[str] = []

    async def retrieve(self, query: str, *, tenant_id: str, key: str, top_k: int, deadline_s: float) -> Retrieval:
        self.queries.append(query)
        return Retrieval(passages=KB[:top_k], knowledge_version="kb-v1")


@dataclass
class Platform:
    client: httpx.AsyncClient
    bus: MemoryBus
    llm: LLMService
    kb: FixedKnowledgeBase
    headers: dict[str, str] = field(default_factory=lambda: {"X-API-Key": API_KEY})


@contextlib.asynccontextmanager
async def ai_platform(
    tmp_path: Path, llm_settings: LLMSettings | None = None, *, privacy: bool = True, request_timeout_s: float = 10
) -> AsyncIterator[Platform]:
    common = PlatformSettings(bus="memory", data_dir=tmp_path)
    bus = MemoryBus(service_name="test")
    # Keys are cleared explicitly so a developer's SWITCHBOARD_LLM_* environment cannot switch a cloud provider on.
    no_keys = LLMSettings(openai_api_key=None, anthropic_api_key=None, google_api_key=None)
    llm = LLMService(llm_settings or no_keys)
    kb = FixedKnowledgeBase()
    gateway = gateway_for_tests(common, bus, request_timeout_s=request_timeout_s)
    conversation = bootstrap_conversation(
        ConversationSettings(
            platform=common,
            deadlines=StepDeadlines(privacy_s=10 if privacy else 0.2, retrieval_s=1),
            sweep_interval_s=0,
        ),
        bus=bus,
        store=open_store(database="conversation"),
        retrieval=kb,
        ai_llm=llm,
    )
    services: list[Service] = [conversation]
    if privacy:
        services.append(
            bootstrap_privacy(
                PrivacySettings(platform=common, warm_model_on_start=False), bus=bus, store=open_store(database="p")
            )
        )
    try:
        async with serving(bus, [*services, gateway]) as client:
            yield Platform(client=client, bus=bus, llm=llm, kb=kb)
    finally:
        await llm.aclose()


def sse_events(body: str) -> list[tuple[str, dict[str, Any]]]:
    """(event name, parsed data) for each server-sent event in a text/event-stream body."""
    events = []
    for block in body.split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "event" in lines:
            events.append((lines["event"], json.loads(lines["data"])))
    return events
