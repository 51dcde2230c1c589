"""Seed 000 GET /api/v1/ai/providers and POST /api/v1/ai/generate (JSON and SSE) through gateway + conversation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.unit.ai_api.platform import Platform, ai_platform, sse_events

SEED_PROVIDER_FIELDS = {"id", "provider", "model", "compliance_level", "capabilities", "is_default"}
SEED_GENERATE = {
    "prompt": "Write a response to a customer who is asking about our premium credit card benefits.",
    "model": "gpt4o_financial",
    "max_tokens": 500,
    "temperature": 0.7,
    "system_prompt": "You are a helpful financial assistant with expertise in credit card benefits.",
    "stream": False,
    "context": {"customer_segment": "premium", "risk_profile": "low"},
}
LOCAL_MODEL = "switchboard-extractive-minilm"


def assert_seed_result(data: dict[str, Any]) -> None:
    assert isinstance(data["generated_text"], str) and data["generated_text"]
    usage = data["usage"]
    assert set(usage) == {"prompt_tokens", "completion_tokens", "total_tokens"}
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"] > 0
    assert data["model"] == LOCAL_MODEL
    assert set(data["compliance_check"]) == {"passed", "flags"}
    assert data["compliance_check"]["passed"] is True and data["compliance_check"]["flags"] == []


async def test_providers_lists_the_registry_with_only_local_available_without_keys(platform: Platform) -> None:
    resp = await platform.client.get("/api/v1/ai/providers", headers=platform.headers)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["error"] is False and body["status_code"] == 200 and "timestamp" in body
    data = body["data"]
    assert set(data) == {"providers", "default_provider"}
    entries = data["providers"]
    assert [e["id"] for e in entries] == platform.llm.registry.ids()
    assert all(set(e) == SEED_PROVIDER_FIELDS | {"available"} for e in entries)
    assert [e["id"] for e in entries if e["available"]] == ["local_extractive"]
    assert [e["id"] for e in entries if e["is_default"]] == ["local_extractive"] == [data["default_provider"]]
    seed_entry = next(e for e in entries if e["id"] == "gpt4o_financial")
    assert seed_entry["provider"] == "openai" and seed_entry["model"] == "gpt-4o"
    assert seed_entry["capabilities"] == ["text_generation", "embeddings", "classification"]


async def test_providers_needs_credentials(platform: Platform) -> None:
    resp = await platform.client.get("/api/v1/ai/providers")
    assert resp.status_code == 401 and resp.json()["error"] is True


async def test_seed_generate_request_is_answered_from_the_knowledge_base_by_local(platform: Platform) -> None:
    resp = await platform.client.post("/api/v1/ai/generate", json=SEED_GENERATE, headers=platform.headers)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["error"] is False and body["status_code"] == 200
    data = body["data"]
    assert_seed_result(data)
    # The named cloud model has no key, so the chain goes on to local, which cites the passage it used.
    assert data["model_id"] == "local_extractive" and data["provider"] == "local"
    assert data["fallback_chain_tried"] == ["local_extractive"]
    assert "lounge access" in data["generated_text"] and data["sources"] == ["premium_card.md"]
    assert data["cost_usd"] == 0.0


async def test_the_prompt_is_redacted_before_retrieval_and_generation(platform: Platform) -> None:
    prompt = "My card 4111 1111 1111 1111 was charged twice, mail me at jane.doe@example.com about premium benefits"
    resp = await platform.client.post("/api/v1/ai/generate", json={"prompt": prompt}, headers=platform.headers)
    assert resp.status_code == 200, resp.text
    (seen,) = platform.kb.queries
    assert "jane.doe@example.com" not in seen and "4111 1111 1111 1111" not in seen
    assert "premium benefits" in seen


async def test_stream_sends_deltas_then_the_full_result(platform: Platform) -> None:
    body = {**SEED_GENERATE, "stream": True}
    resp = await platform.client.post("/api/v1/ai/generate", json=body, headers=platform.headers)
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"].startswith("text/event-stream")
    assert resp.headers["cache-control"] == "no-cache" and "x-rate-limit-limit" in resp.headers
    events = sse_events(resp.text)
    names = [name for name, _ in events]
    assert names[-1] == "result" and set(names[:-1]) == {"delta"} and len(names) >= 3
    deltas = [data for name, data in events if name == "delta"]
    assert [d["index"] for d in deltas] == list(range(len(deltas)))
    result = events[-1][1]
    assert result["error"] is False and result["status_code"] == 200
    assert_seed_result(result["data"])
    assert "".join(d["text"] for d in deltas) == result["data"]["generated_text"]


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize(
    ("fields", "field", "fragment"),
    [
        ({"model": "gpt5_imaginary"}, "model", "unknown model id"),
        ({"max_tokens": 0}, "max_tokens", "positive"),
        ({"max_tokens": -20}, "max_tokens", "positive"),
        ({"max_tokens": 4097}, "max_tokens", "at most 4096 for local_extractive"),
        ({"model": "claude_sonnet", "max_tokens": 9000}, "max_tokens", "at most 8192 for claude_sonnet"),
        ({"temperature": -0.1}, "temperature", "between 0 and 2"),
        ({"temperature": 2.5}, "temperature", "between 0 and 2"),
        ({"prompt": ""}, "prompt", "must not be empty"),
        ({"prompt": "   "}, "prompt", "must not be empty"),
        ({"model": "embeddings"}, "model", "no text_generation capability"),
    ],
)
async def test_bad_input_is_a_400_naming_the_field(
    platform: Platform, stream: bool, fields: dict[str, Any], field: str, fragment: str
) -> None:
    body = {"prompt": "Tell me about the premium card", "stream": stream, **fields}
    resp = await platform.client.post("/api/v1/ai/generate", json=body, headers=platform.headers)
    assert resp.status_code == 400, resp.text
    assert resp.headers["content-type"].startswith("application/json")  # no stream was started
    error = resp.json()
    assert error["error"] is True and error["status_code"] == 400 and "timestamp" in error
    assert fragment in error["details"][field]
    if field == "model":  # the 400 lists the ids that would have worked
        generators = [s.id for s in platform.llm.registry.specs if s.can("text_generation")]
        known = platform.llm.registry.ids()
        assert error["details"]["valid_models"] == (known if "unknown" in fragment else generators)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "prompt"),
        ({"prompt": "hi", "max_tokens": "100"}, "max_tokens"),
        ({"prompt": "hi", "temperature": "warm"}, "temperature"),
        ({"prompt": "hi", "stream": "yes"}, "stream"),
        ({"prompt": "hi", "context": ["not", "a", "map"]}, "context"),
        ({"prompt": "hi", "top_p": 0.9}, "top_p"),
        ({"prompt": "x" * 100_001}, "prompt"),
    ],
)
async def test_malformed_request_is_a_400_in_the_seed_envelope(
    platform: Platform, body: dict[str, Any], field: str
) -> None:
    resp = await platform.client.post("/api/v1/ai/generate", json=body, headers=platform.headers)
    assert resp.status_code == 400, resp.text
    error = resp.json()
    assert error["error"] is True and error["status_code"] == 400 and field in error["details"]


async def test_without_privacy_generate_fails_closed(tmp_path: Path) -> None:
    """The local scrubber misses names: with the privacy service absent nothing is retrieved or generated."""
    async with ai_platform(tmp_path, privacy=False) as p:
        body = {"prompt": "Ignatius Pennywhistle asks about premium benefits"}
        resp = await p.client.post("/api/v1/ai/generate", json=body, headers=p.headers)
        assert resp.status_code == 503, resp.text
        assert "could not redact" in resp.text and "Pennywhistle" not in resp.text
        assert p.kb.queries == []
