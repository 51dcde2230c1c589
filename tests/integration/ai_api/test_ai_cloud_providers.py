"""ai/providers and ai/generate through gateway + conversation with the real OpenAI SDK pointed at the fake
provider server on 127.0.0.1: the cloud model answers and is named, streams, falls back when the server dies,
and every provider down is a 503 naming the chain."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from libs.llm import LLMSettings
from tests.support.fake_llm.server import FakeLLMServer
from tests.unit.ai_api.platform import ai_platform, sse_events

pytestmark = pytest.mark.integration

TIMEOUT_S = 1.5
REGISTRY = """
models:
  - {id: gpt4o_financial, provider: openai, model: gpt-4o, compliance_level: financial, is_default: true,
     capabilities: [text_generation, embeddings, classification], tier: complex,
     price_per_1k_input: 0.0025, price_per_1k_output: 0.01}
  - {id: claude_sonnet, provider: anthropic, model: claude-3-5-sonnet-20240620}
  - {id: local_extractive, provider: local, model: switchboard-extractive-minilm}
"""
# One cloud model misbehaving (fake server: by model name) before local, so the chain is exactly the two.
SLOW = """
models:
  - {id: openai_slow, provider: openai, model: slow-openai, is_default: true}
  - {id: local_extractive, provider: local, model: switchboard-extractive-minilm}
"""
HANG = """
models:
  - {id: openai_hang, provider: openai, model: hang-stream-openai, is_default: true}
  - {id: local_extractive, provider: local, model: switchboard-extractive-minilm}
"""
ALL_CLOUD = """
models:
  - {id: openai_down, provider: openai, model: fail-500, is_default: true}
  - {id: local_extractive, provider: local, model: switchboard-extractive-minilm, capabilities: [embeddings]}
"""
PROMPT = "What does the premium card include?"


@pytest.fixture(scope="module")
def server() -> Iterator[FakeLLMServer]:
    srv = FakeLLMServer().start()
    yield srv
    srv.stop()


def openai_settings(srv: FakeLLMServer, tmp_path: Path, registry: str = REGISTRY) -> LLMSettings:
    path = tmp_path / "providers.yaml"
    path.write_text(registry)
    return LLMSettings(
        openai_api_key="sk-fake",  # type: ignore[arg-type]  # pydantic turns it into a SecretStr
        openai_base_url=srv.openai_base_url,
        anthropic_api_key=None,
        google_api_key=None,
        timeout_s=TIMEOUT_S,
        max_retries=1,
        providers_file=path,
    )


async def test_providers_show_openai_available_and_default_with_its_key(server: FakeLLMServer, tmp_path: Path) -> None:
    async with ai_platform(tmp_path, openai_settings(server, tmp_path)) as p:
        resp = await p.client.get("/api/v1/ai/providers", headers=p.headers)
    data = resp.json()["data"]
    available = {e["id"]: e["available"] for e in data["providers"]}
    assert available == {
        "gpt4o_financial": True,
        "claude_sonnet": False,
        "local_extractive": True,
    }
    assert data["default_provider"] == "gpt4o_financial"


async def test_generate_goes_through_the_openai_sdk_and_names_the_model(server: FakeLLMServer, tmp_path: Path) -> None:
    before = server.stats().get("openai:gpt-4o", 0)
    async with ai_platform(tmp_path, openai_settings(server, tmp_path)) as p:
        resp = await p.client.post(
            "/api/v1/ai/generate", json={"prompt": PROMPT, "model": "gpt4o_financial"}, headers=p.headers
        )
    assert resp.status_code == 200, resp.text
    data = resp.json()["data"]
    assert (data["model"], data["model_id"], data["provider"]) == ("gpt-4o", "gpt4o_financial", "openai")
    assert data["generated_text"].startswith("Thanks for your question") and "gpt-4o" in data["generated_text"]
    assert data["usage"]["completion_tokens"] == len(data["generated_text"].split())
    assert data["cost_usd"] > 0 and data["fallback_chain_tried"] == ["gpt4o_financial"]
    assert server.stats()["openai:gpt-4o"] == before + 1


async def test_stream_relays_the_sdk_deltas_then_the_result(server: FakeLLMServer, tmp_path: Path) -> None:
    async with ai_platform(tmp_path, openai_settings(server, tmp_path)) as p:
        resp = await p.client.post("/api/v1/ai/generate", json={"prompt": PROMPT, "stream": True}, headers=p.headers)
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/event-stream")
    events = sse_events(resp.text)
    deltas = [d["text"] for name, d in events if name == "delta"]
    name, final = events[-1]
    assert name == "result" and len(deltas) > 2
    assert final["data"]["model"] == "gpt-4o" and "".join(deltas) == final["data"]["generated_text"]


async def test_killing_the_provider_mid_call_falls_back_within_the_timeout(tmp_path: Path) -> None:
    doomed = FakeLLMServer().start()
    try:
        async with ai_platform(tmp_path, openai_settings(doomed, tmp_path, SLOW)) as p:
            call = asyncio.create_task(
                p.client.post("/api/v1/ai/generate", json={"prompt": PROMPT, "model": "openai_slow"}, headers=p.headers)
            )
            for _ in range(200):  # until the slow call is in flight at the provider
                if (await asyncio.to_thread(doomed.stats)).get("openai:slow-openai"):
                    break
                await asyncio.sleep(0.02)
            killed = time.monotonic()
            await asyncio.to_thread(doomed.kill)
            resp = await call
        assert time.monotonic() - killed < TIMEOUT_S + 1.0
        assert resp.status_code == 200, resp.text
        data = resp.json()["data"]
        assert data["provider"] == "local" and data["fallback_chain_tried"] == ["openai_slow", "local_extractive"]
    finally:
        doomed.stop()


async def test_a_stream_that_stalls_mid_way_ends_with_an_error_event(server: FakeLLMServer, tmp_path: Path) -> None:
    async with ai_platform(tmp_path, openai_settings(server, tmp_path, HANG)) as p:
        started = time.monotonic()
        resp = await p.client.post(
            "/api/v1/ai/generate", json={"prompt": PROMPT, "model": "openai_hang", "stream": True}, headers=p.headers
        )
    assert time.monotonic() - started < TIMEOUT_S + 3.0
    assert resp.status_code == 200  # the stream had started
    events = sse_events(resp.text)
    assert [name for name, _ in events] == ["delta", "error"]
    error = events[-1][1]
    assert error["error"] is True and error["status_code"] == 503 and error["details"]["model"] == "openai_hang"


@pytest.mark.parametrize("stream", [False, True])
async def test_every_provider_down_is_a_503_naming_the_chain(
    server: FakeLLMServer, tmp_path: Path, stream: bool
) -> None:
    settings = openai_settings(server, tmp_path, ALL_CLOUD)
    async with ai_platform(tmp_path, settings) as p:
        resp = await p.client.post("/api/v1/ai/generate", json={"prompt": PROMPT, "stream": stream}, headers=p.headers)
    assert resp.status_code == 503, resp.text
    error = resp.json()
    assert error["error"] is True and error["status_code"] == 503
    assert error["details"]["fallback_chain_tried"] == ["openai_down"]
