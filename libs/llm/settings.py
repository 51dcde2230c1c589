"""LLMSettings: SWITCHBOARD_LLM_* env (keys, base URLs, timeouts, registry file) in, one object out."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_PROVIDERS_FILE = Path(__file__).with_name("providers.yaml")


class LLMSettings(BaseSettings):
    """A cloud provider is available only with its key; base URLs point the SDKs elsewhere."""

    model_config = SettingsConfigDict(env_prefix="SWITCHBOARD_LLM_", extra="ignore")

    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    anthropic_api_key: SecretStr | None = None
    anthropic_base_url: str | None = None
    google_api_key: SecretStr | None = None
    google_base_url: str | None = None
    # Budget for one provider attempt, SDK retries included; past it the next provider in the chain answers.
    timeout_s: float = Field(default=20.0, gt=0)
    # Retries are the SDKs' own (exponential backoff with jitter, Retry-After honoured); this is the count.
    max_retries: int = Field(default=2, ge=0)
    # First backoff delay for google-genai (openai/anthropic fix theirs at 0.5 s and honour retry-after-ms).
    retry_initial_delay_s: float = Field(default=0.5, ge=0)
    providers_file: Path = DEFAULT_PROVIDERS_FILE
    # Queries scoring at or above this go to the "complex" tier first.
    complexity_threshold: float = Field(default=0.5, ge=0, le=1)
    # Circuit breaker: this many consecutive failures open it; after the cooldown one trial call goes through.
    breaker_failures: int = Field(default=3, ge=1)
    breaker_cooldown_s: float = Field(default=30.0, ge=0)
    # Local answers below this calibrated confidence are marked for human review.
    review_confidence: float = Field(default=0.5, ge=0, le=1)
