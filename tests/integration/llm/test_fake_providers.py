"""Real OpenAI/Anthropic/google-genai SDKs against fake provider servers on 127.0.0.1: calls, retries, fallback."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from libs.errors import Unavailable
from libs.llm import GenerateRequest, GenerateResult, LLMService, LLMSettings
from tests.support.fake_llm.server import FakeLLMServer

pytestmark = pytest.mark.integration

TIMEOUT_S = 1.5
REGISTRY = """
models:
  - {id: openai_ok, provider: openai, model: gpt-4o, capabilities: [text_generation, embeddings],
     price_per_1k_input: 0.0025, price_per_1k_output: 0.01, embedding_model: text-embedding-3-large}
  - {id: anthropic_ok, provider: anthropic, model: claude-3-5-sonnet-20240620,
     price_per_1k_input: 0.003, price_per_1k_output: 0.015}
  - {id: google_ok, provider: google, model: gemini-1.5-pro, capabilities: [text_generation, embeddings],
     price_per_1k_input: 0.00125, price_per_1k_output: 0.005, embedding_model: text-embedding-004}
  - {id: openai_429, provider: openai, model: fail-429}
  - {id: anthropic_500, provider: anthropic, model: fail-500}
  - {id: google_429, provider: google, model: fail-429}
  - {id: openai_flaky, provider: openai, model: flaky-openai}
  - {id: anthropic_flaky, provider: anthropic, model: flaky-anthropic}
  - {id: openai_slow, provider: openai, model: slow-openai}
  - {id: google_slow, provider: google, model: slow-google}
  - {id: anthropic_hang, provider: anthropic, model: hang-stream}
  - {id: openai_pii, provider: openai, model: gpt-pii}
  - {id: local_extractive, provider: local, model: switchboard-extractive-minilm}
"""


@pytest.fixture(scope="module")
def server() -> Iterator[FakeLLMServer]:
    srv = FakeLLMServer().start()
    yield srv
    srv.stop()


def make_service(srv: FakeLLMServer, tmp_path: Path, **overrides: object) -> LLMService:
    registry = tmp_path / "providers.yaml"
    registry.write_text(REGISTRY)
    fields: dict[str, object] = {
        "openai_api_key": "sk-fake",
        "openai_base_url": srv.openai_base_url,
        "anthropic_api_key": "sk-ant-fake",
        "anthropic_base_url": srv.anthropic_base_url,
        "google_api_key": "g-fake",
        "google_base_url": srv.google_base_url,
        "timeout_s": TIMEOUT_S,
        "max_retries": 1,
        "retry_initial_delay_s": 0.02,
        "providers_file": registry,
        **overrides,
    }
    return LLMService(LLMSettings(**fields))  # type: ignore[arg-type]


def only(model_id: str, prompt: str = "What does the premium card include?") -> GenerateRequest:
    return GenerateRequest(prompt, model_id=model_id, max_tokens=100)


@pytest.mark.parametrize(
    ("model_id", "model", "provider"),
    [
        ("openai_ok", "gpt-4o", "openai"),
        ("anthropic_ok", "claude-3-5-sonnet-20240620", "anthropic"),
        ("google_ok", "gemini-1.5-pro", "google"),
    ],
)
async def test_each_adapter_generates_and_streams_with_tokens(
    server: FakeLLMServer, tmp_path: Path, model_id: str, model: str, provider: str
) -> None:
    service = make_service(server, tmp_path)
    result = await service.generate(only(model_id))
    assert (result.model_id, result.model, result.provider) == (model_id, model, provider)
    assert result.text.startswith("Thanks for your question") and model in result.text
    assert result.usage.prompt_tokens > 5 and result.usage.completion_tokens == len(result.text.split())
    spec = service.registry.get(model_id)
    assert result.cost_usd == pytest.approx(spec.cost(result.usage.prompt_tokens, result.usage.completion_tokens))
    items = [i async for i in service.stream(only(model_id))]
    final = items[-1]
    assert isinstance(final, GenerateResult) and len(items) > 2
    assert "".join(i for i in items[:-1] if isinstance(i, str)) == final.text == result.text
    assert final.usage.completion_tokens == result.usage.completion_tokens and final.model == model
    await service.aclose()


@pytest.mark.parametrize(("model_id", "dims"), [("openai_ok", 64), ("google_ok", 32)])
async def test_cloud_embeddings_honour_dimensions(
    server: FakeLLMServer, tmp_path: Path, model_id: str, dims: int
) -> None:
    service = make_service(server, tmp_path)
    result = await service.embed(["first text", "second text"], model_id=model_id, dimensions=dims)
    assert result.dimensions == dims and len(result.embeddings) == 2
    assert result.embeddings[0] != result.embeddings[1]
    await service.aclose()


@pytest.mark.parametrize("model_id", ["openai_429", "anthropic_500", "google_429"])
async def test_errors_are_retried_then_fall_back(server: FakeLLMServer, tmp_path: Path, model_id: str) -> None:
    service = make_service(server, tmp_path)
    spec = service.registry.get(model_id)
    key = f"{spec.provider}:{spec.model}"
    before = server.stats().get(key, 0)
    result = await service.generate(only(model_id))
    assert server.stats()[key] - before == 2  # the SDK's own retry (max_retries=1), then give up
    assert result.model_id != model_id and result.fallback_chain_tried[0] == model_id
    assert result.fallback_chain_tried[-1] == result.model_id
    await service.aclose()


@pytest.mark.parametrize("model_id", ["openai_flaky", "anthropic_flaky"])
async def test_one_transient_error_is_absorbed_by_the_retry(
    server: FakeLLMServer, tmp_path: Path, model_id: str
) -> None:
    service = make_service(server, tmp_path)
    result = await service.generate(only(model_id))
    assert result.model_id == model_id and result.fallback_chain_tried == (model_id,)
    await service.aclose()


@pytest.mark.parametrize("model_id", ["openai_slow", "google_slow"])
async def test_slow_provider_falls_back_within_the_timeout(
    server: FakeLLMServer, tmp_path: Path, model_id: str
) -> None:
    service = make_service(server, tmp_path)
    started = time.monotonic()
    result = await service.generate(only(model_id))
    assert time.monotonic() - started < TIMEOUT_S + 1.0
    assert result.model_id != model_id and result.fallback_chain_tried[0] == model_id
    await service.aclose()


async def test_killed_server_mid_call_falls_back_to_local(tmp_path: Path) -> None:
    registry = tmp_path / "kill.yaml"
    registry.write_text(
        "models:\n  - {id: openai_slow, provider: openai, model: slow-openai}\n"
        "  - {id: local_extractive, provider: local, model: switchboard-extractive-minilm}\n"
    )
    doomed = FakeLLMServer().start()
    try:
        service = make_service(doomed, tmp_path, providers_file=registry)
        started = time.monotonic()
        call = asyncio.create_task(service.generate(only("openai_slow")))
        await asyncio.sleep(0.4)
        doomed.kill()
        result = await call
        assert time.monotonic() - started < TIMEOUT_S + 1.0
        assert result.provider == "local" and result.fallback_chain_tried == ("openai_slow", "local_extractive")
        await service.aclose()
    finally:
        doomed.stop()


async def test_stream_that_stalls_after_a_delta_fails_cleanly(server: FakeLLMServer, tmp_path: Path) -> None:
    service = make_service(server, tmp_path)
    received: list[object] = []
    started = time.monotonic()
    with pytest.raises(Unavailable) as err:
        async for item in service.stream(only("anthropic_hang")):
            received.append(item)
    assert time.monotonic() - started < TIMEOUT_S + 1.0
    assert len(received) == 1 and err.value.details["model"] == "anthropic_hang"
    await service.aclose()


async def test_open_breaker_skips_the_failing_provider(server: FakeLLMServer, tmp_path: Path) -> None:
    service = make_service(server, tmp_path, breaker_failures=2, max_retries=0)
    key = "anthropic:fail-500"
    for _ in range(2):
        await service.generate(only("anthropic_500"))
    before = server.stats()[key]
    result = await service.generate(only("anthropic_500"))
    assert server.stats()[key] == before  # not called while the breaker is open
    assert "anthropic_500" not in result.fallback_chain_tried
    await service.aclose()


async def test_cloud_output_gets_the_compliance_check(server: FakeLLMServer, tmp_path: Path) -> None:
    service = make_service(server, tmp_path)
    result = await service.generate(only("openai_pii"))
    assert result.model_id == "openai_pii"
    assert not result.compliance_check.passed and "pii_email" in result.compliance_check.flags
    assert result.requires_human_review
    await service.aclose()


async def test_every_provider_down_raises_unavailable_naming_the_chain(tmp_path: Path) -> None:
    registry = tmp_path / "only_cloud.yaml"
    registry.write_text(
        "models:\n  - {id: a, provider: openai, model: fail-500}\n"
        "  - {id: local_extractive, provider: local, model: m, capabilities: [embeddings]}\n"
    )
    srv = FakeLLMServer().start()
    try:
        service = make_service(srv, tmp_path, providers_file=registry, max_retries=0)
        with pytest.raises(Unavailable) as err:
            await service.generate(only("a"))
        assert err.value.details["fallback_chain_tried"] == ["a"]
        await service.aclose()
    finally:
        srv.stop()
