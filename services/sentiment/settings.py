"""Sentiment service settings (env prefix SWITCHBOARD_SENTIMENT_), with the platform's shared settings embedded."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from libs.runtime import PlatformSettings


class SentimentSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SWITCHBOARD_SENTIMENT_", extra="ignore")

    platform: PlatformSettings = Field(default_factory=PlatformSettings)
    consumer_group: str = "sentiment"
    warm_model_on_start: bool = True
