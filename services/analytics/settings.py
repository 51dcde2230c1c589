"""Analytics service settings (env prefix SWITCHBOARD_ANALYTICS_), with the platform's shared settings embedded."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from libs.runtime import PlatformSettings


class AnalyticsSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SWITCHBOARD_ANALYTICS_", extra="ignore")

    platform: PlatformSettings = Field(default_factory=PlatformSettings)
    consumer_group: str = "analytics"
    # A resolution is durable when the session is not reopened or re-contacted within this window (README).
    durable_window_days: float = Field(default=7.0, gt=0)
    # Rebuild: the replay is finished once no event has arrived for this long after the topics were read.
    rebuild_idle_s: float = Field(default=5.0, gt=0)
    rebuild_timeout_s: float = Field(default=3600.0, gt=0)
    # Rebuild: how long to wait for the first replayed event (the new consumer group joining) before taking the
    # topics to be empty.
    rebuild_join_s: float = Field(default=30.0, gt=0)
    # How often the consumer group's lag per partition is read from the broker for /metrics.
    lag_interval_s: float = Field(default=15.0, gt=0)
    # At most one analytics.RollupsUpdated notice per tenant this often (dashboards refresh on them).
    notify_interval_s: float = Field(default=1.0, gt=0)
    # Events taken and not yet stored per event topic (the bus's max_in_flight for these subscriptions).
    in_flight: int = Field(default=1024, ge=1)
    # Rebuild a store of an older layout from the log at start (migrate.py). The rebuild keeps only what the
    # topics still retain: turn it off where retention is shorter than the history, and rebuild by hand.
    migrate_on_start: bool = True
