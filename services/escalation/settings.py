"""Escalation service settings (env prefix SWITCHBOARD_ESCALATION_): consumer group and the policy thresholds the
seed CS config does not carry, with the platform's shared settings embedded."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from libs.runtime import PlatformSettings


class EscalationSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SWITCHBOARD_ESCALATION_", extra="ignore")

    platform: PlatformSettings = Field(default_factory=PlatformSettings)
    consumer_group: str = "escalation"
    # Policy knobs (services/escalation/policy.py Thresholds); per-company knobs live in the CS config instead.
    min_retrieval_confidence: float = Field(default=0.35, ge=0, le=1)
    max_complexity: float = Field(default=0.8, ge=0, le=1)
    repeat_contacts: int = Field(default=2, ge=1)
    failed_attempts: int = Field(default=3, ge=1)
    vip_lifetime_value: float = Field(default=5000.0, ge=0)
    negative_sentiment: float = Field(default=-0.6, ge=-1, le=0)
