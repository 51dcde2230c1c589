"""Sentiment service settings (env prefix SWITCHBOARD_SENTIMENT_), with the platform's shared settings embedded."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from libs.runtime import PlatformSettings

# Seed 000's ai/explain example names the deployment of the sentiment model; it is served by the built-in one.
DEFAULT_DEPLOYMENTS = {"financial-sentiment-prod": "switchboard-sentiment"}


class SentimentSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SWITCHBOARD_SENTIMENT_", extra="ignore")

    platform: PlatformSettings = Field(default_factory=PlatformSettings)
    consumer_group: str = "sentiment"
    warm_model_on_start: bool = True
    # use_ai: the whole budget of one cloud LLM call (fallback chain included); past it the local analysis stands,
    # so a slow provider never holds up a conversation turn longer than this.
    ai_timeout_s: float = Field(default=8.0, gt=0)
    # use_ai on a larger command (a batch) stays local: one LLM call per text would be slow and costly.
    ai_max_texts: int = Field(default=16, ge=0)
    # A stored explanation page (it contains the explained text) and its link token live this long.
    explanation_ttl_s: int = Field(default=3600, ge=60, le=7 * 24 * 3600)
    # Deployment name -> explainable model it is served by (ai/explain `model_name`).
    deployments: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_DEPLOYMENTS))
