"""Conversation service settings (env prefix SWITCHBOARD_CONVERSATION_), with the platform's shared settings."""

from __future__ import annotations

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from libs.runtime import PlatformSettings


class StepDeadlines(BaseModel):
    """Seconds each pipeline step may take before the turn goes on without it (degraded, never failed)."""

    privacy_s: float = 2.0
    sentiment_s: float = 2.0
    retrieval_s: float = 2.5
    generation_s: float = 6.0
    escalation_s: float = 2.0
    classify_s: float = 1.0


class ConversationSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SWITCHBOARD_CONVERSATION_", env_nested_delimiter="__", extra="ignore")

    platform: PlatformSettings = Field(default_factory=PlatformSettings)
    consumer_group: str = "conversation"
    deadlines: StepDeadlines = Field(default_factory=StepDeadlines)
    retrieval_top_k: int = 5
    cache_ttl_s: int = 3600
    idle_abandon_s: float = 1800.0  # no customer message for this long: an open session is ABANDONED
    sweep_interval_s: float = 60.0  # how often the idle sweep runs; 0 disables it
    customer_token_ttl_s: int = 86_400
    history_limit: int = 500  # messages returned with a session view
    # A customer's earlier sessions opened this recently, in which they wrote at least once, are repeat contacts
    # (seed 002 REPEAT_CONTACT); older or empty ones are not.
    repeat_contact_window_s: float = Field(default=7 * 86_400, gt=0)
