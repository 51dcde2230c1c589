"""use_ai and ai/classify through gateway + sentiment with the real OpenAI SDK pointed at the fake provider server
on 127.0.0.1: its prose reply is not JSON, so the local analysis stands and says why; a failing provider is named
the same way; and a reply carrying a JSON object (the fake echoes the model name it was asked for, so a model
named by a JSON object makes it answer one) is parsed out of the prose and used."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from libs.llm import LLMSettings
from tests.support.fake_llm.server import FakeLLMServer
from tests.unit.sentiment_api.platform import Platform, sentiment_platform

pytestmark = pytest.mark.integration

TEXT = "I'm very happy with your service and prompt response to my query."
AI_READING = {"satisfaction_score": 8, "key_positives": ["prompt response"], "key_negatives": ["wait time"]}


def _registry(model: str) -> str:
    entry = {
        "id": "gpt4o_financial",
        "provider": "openai",
        "model": model,
        "is_default": True,
        "capabilities": ["text_generation", "classification"],
        "tier": "complex",
    }
    local = {"id": "local_extractive", "provider": "local", "model": "switchboard-extractive-minilm"}
    return json.dumps({"models": [entry, local]})  # JSON is YAML


@pytest.fixture(scope="module")
def server() -> Iterator[FakeLLMServer]:
    srv = FakeLLMServer().start()
    yield srv
    srv.stop()


def _settings(srv: FakeLLMServer, tmp_path: Path, model: str) -> LLMSettings:
    path = tmp_path / "providers.yaml"
    path.write_text(_registry(model))
    return LLMSettings(
        openai_api_key="sk-fake",  # type: ignore[arg-type]  # pydantic turns it into a SecretStr
        openai_base_url=srv.openai_base_url,
        anthropic_api_key=None,
        google_api_key=None,
        timeout_s=2.0,
        max_retries=0,
        providers_file=path,
    )


async def _analyze(p: Platform) -> dict[str, Any]:
    resp = await p.client.post("/api/v1/analyze/sentiment", json={"text": TEXT, "use_ai": True}, headers=p.headers)
    assert resp.status_code == 200, resp.text
    return dict(resp.json()["data"])


async def test_a_prose_reply_falls_back_to_the_local_analysis(server: FakeLLMServer, tmp_path: Path) -> None:
    before = server.stats().get("openai:gpt-4o", 0)
    async with sentiment_platform(tmp_path, _settings(server, tmp_path, "gpt-4o")) as p:
        data = await _analyze(p)
    assert server.stats()["openai:gpt-4o"] == before + 1  # the SDK really called the provider
    assert data["analysis"]["source"] == "local_fallback: unparseable reply"
    assert data["sentiment"] == "positive" and 1 <= data["analysis"]["satisfaction_score"] <= 10


async def test_a_failing_provider_falls_back_and_says_so(server: FakeLLMServer, tmp_path: Path) -> None:
    async with sentiment_platform(tmp_path, _settings(server, tmp_path, "fail-500")) as p:
        data = await _analyze(p)
    assert server.stats().get("openai:fail-500", 0) >= 1
    assert data["analysis"]["source"] == "local_fallback: provider unavailable"


async def test_json_inside_the_reply_is_found_and_used(server: FakeLLMServer, tmp_path: Path) -> None:
    model = json.dumps(AI_READING)
    async with sentiment_platform(tmp_path, _settings(server, tmp_path, model)) as p:
        data = await _analyze(p)
    analysis = data["analysis"]
    assert analysis["source"] == "gpt4o_financial"
    assert (analysis["satisfaction_score"], analysis["key_positives"], analysis["key_negatives"]) == (
        8,
        ["prompt response"],
        ["wait time"],
    )


async def test_classify_with_a_prose_reply_falls_back_to_the_local_classifier(
    server: FakeLLMServer, tmp_path: Path
) -> None:
    body = {
        "text": "I'm having trouble accessing my account online after multiple attempts.",
        "categories": ["account_access", "transaction_issue", "balance_inquiry", "fee_dispute", "technical_support"],
        "model": "gpt4o_financial",
    }
    async with sentiment_platform(tmp_path, _settings(server, tmp_path, "gpt-4o")) as p:
        resp = await p.client.post("/api/v1/ai/classify", json=body, headers=p.headers)
    assert resp.status_code == 200, resp.text
    data = resp.json()["data"]
    assert data["source"] == "local_fallback: unparseable reply" and data["top_category"] == "account_access"
