"""Registry loading and listing, complexity routing order, circuit breaker states and the cost ledger."""

from __future__ import annotations

from pathlib import Path

import pytest

from libs.errors import Invalid
from libs.llm import CostLedger, LLMSettings, Registry
from libs.llm.breaker import CircuitBreaker
from libs.llm.router import Router
from libs.llm.settings import DEFAULT_PROVIDERS_FILE

SEED_IDS = {"gpt4o_financial", "claude_sonnet", "gemini_pro"}


def test_default_registry_holds_the_seed_models() -> None:
    registry = Registry.from_file(DEFAULT_PROVIDERS_FILE)
    assert set(registry.ids()) >= SEED_IDS
    sonnet = registry.get("claude_sonnet")
    assert (sonnet.provider, sonnet.model) == ("anthropic", "claude-3-5-sonnet-20240620")
    assert registry.get("gpt4o_financial").is_default


def test_listing_without_keys_offers_only_local_as_default() -> None:
    registry = Registry.from_file(DEFAULT_PROVIDERS_FILE)
    data = registry.listing(lambda spec: spec.provider == "local")
    assert set(data) == {"providers", "default_provider"}
    assert data["default_provider"] == "local_extractive"
    available = [p["id"] for p in data["providers"] if p["available"]]
    assert available == ["local_extractive"]
    assert [p["id"] for p in data["providers"] if p["is_default"]] == ["local_extractive"]
    for entry in data["providers"]:
        assert set(entry) == {"id", "provider", "model", "compliance_level", "capabilities", "is_default", "available"}


def test_listing_with_all_keys_keeps_the_configured_default() -> None:
    data = Registry.from_file(DEFAULT_PROVIDERS_FILE).listing(lambda spec: True)
    assert data["default_provider"] == "gpt4o_financial"


def test_unknown_model_names_the_valid_ids() -> None:
    registry = Registry.from_file(DEFAULT_PROVIDERS_FILE)
    with pytest.raises(Invalid) as err:
        registry.get("gpt-17")
    assert "local_extractive" in err.value.details["valid_models"]


def test_bad_registry_files_are_rejected(tmp_path: Path) -> None:
    bad = tmp_path / "p.yaml"
    bad.write_text("models:\n  - {id: a, provider: openai, model: m}\n  - {id: a, provider: local, model: m}\n")
    with pytest.raises(Invalid):
        Registry.from_file(bad)
    with pytest.raises(Invalid):
        Registry.from_file(tmp_path / "missing.yaml")


def test_settings_read_the_prefixed_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SWITCHBOARD_LLM_OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("SWITCHBOARD_LLM_TIMEOUT_S", "3.5")
    settings = LLMSettings()
    assert settings.openai_api_key is not None and settings.openai_api_key.get_secret_value() == "sk-test"
    assert settings.timeout_s == 3.5 and "sk-test" not in repr(settings)


def test_router_orders_by_tier_and_keeps_local_last() -> None:
    registry = Registry.from_file(DEFAULT_PROVIDERS_FILE)
    router = Router(registry, lambda spec: spec.provider in ("openai", "anthropic", "local"), threshold=0.5)
    simple = router.plan("What are your hours?")
    complex_ = router.plan("Integrate your API with our enterprise SSO using OAuth and webhooks, and compare both.")
    assert simple.tier == "simple" and complex_.tier == "complex"
    assert simple.chain[0].tier == "simple" and complex_.chain[0].id == "gpt4o_financial"
    assert simple.chain[-1].provider == complex_.chain[-1].provider == "local"
    assert all(s.provider != "google" for s in simple.chain)  # no key: never in the chain
    assert all(s.can("text_generation") for s in simple.chain)
    assert router.plan("What are your hours?", model_id="claude_sonnet").chain[0].id == "claude_sonnet"


def test_breaker_opens_then_lets_one_trial_through() -> None:
    now = [0.0]
    breaker = CircuitBreaker(failures=2, cooldown_s=10, clock=lambda: now[0])
    breaker.failure("m")
    assert breaker.allow("m")
    breaker.failure("m")
    assert not breaker.allow("m")
    now[0] = 11.0
    assert breaker.allow("m") and not breaker.allow("m")  # half-open: a single probe
    breaker.success("m")
    assert breaker.allow("m") and not breaker.is_open("m")


def test_ledger_snapshot_matches_seed_cost_metrics() -> None:
    ledger = CostLedger()
    ledger.record("gpt-4o", 1000, 500, 0.0075)
    ledger.record("gpt-4o", 10, 10, 0.0005)
    ledger.record("switchboard-extractive-minilm", 100, 40, 0.0)
    snap = ledger.snapshot()
    assert snap == {
        "total_cost": 0.008,
        "cost_per_query": pytest.approx(0.008 / 3, abs=1e-6),
        "cost_by_model": {"gpt-4o": 0.008, "switchboard-extractive-minilm": 0.0},
    }
    assert ledger.model_usage() == {"gpt-4o": 2, "switchboard-extractive-minilm": 1}
    assert ledger.tokens()["gpt-4o"] == {"prompt_tokens": 1010, "completion_tokens": 510}
