"""Gateway settings (env prefix SWITCHBOARD_GATEWAY_), with the platform's shared settings embedded."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from libs.runtime import PlatformSettings


class GatewaySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SWITCHBOARD_GATEWAY_", extra="ignore")

    platform: PlatformSettings = Field(default_factory=PlatformSettings)
    host: str = "127.0.0.1"
    port: int = 8080
    jwt_secret: str | None = Field(default=None, validation_alias=AliasChoices("SWITCHBOARD_JWT_SECRET", "jwt_secret"))
    jwt_ttl_minutes: int = 60
    # argon2id cost (argon2-cffi's defaults); tests lower it, production keeps or raises it.
    password_time_cost: int = 3
    password_memory_kib: int = 65536
    session_ttl_hours: int = 24
    admin_email: str = Field(
        default="admin@switchboard.local", validation_alias=AliasChoices("SWITCHBOARD_ADMIN_EMAIL", "admin_email")
    )
    admin_password: str | None = Field(
        default=None, validation_alias=AliasChoices("SWITCHBOARD_ADMIN_PASSWORD", "admin_password")
    )
    bootstrap_api_key: str | None = Field(
        default=None, validation_alias=AliasChoices("SWITCHBOARD_BOOTSTRAP_API_KEY", "bootstrap_api_key")
    )
    default_tenant: str = "default"
    request_timeout_s: float = 10.0
    batch_timeout_s: float = 60.0
    max_body_bytes: int = 16 * 1024 * 1024
    # /upload_docs takes several files of up to 50 MB each; the route enforces per-file and per-request limits.
    upload_max_body_bytes: int = 210_000_000
    cs_prefix: str = "/cs"
    # Addresses (or CIDRs) of reverse proxies whose X-Forwarded-For/-Proto is believed; none by default, so a client
    # can never choose the address its per-IP limits and login lockouts count against. Comma-separated in the env.
    trusted_proxies: str = ""
    # A bearer token a Prometheus scraper may present on /metrics (otherwise only the operator's credentials open it).
    metrics_token: str | None = None
    # A separate listener serving /metrics without credentials, for scrapers inside the cluster (never expose it
    # publicly); off by default.
    metrics_port: int | None = None

    @property
    def trusted_proxy_list(self) -> list[str]:
        return [p.strip() for p in self.trusted_proxies.split(",") if p.strip()]

    # The local sandbox (sandbox.py): credential-less requests from this machine act as tenant `sandbox`. Off; on only
    # through SWITCHBOARD_SANDBOX=1 (`switchboard up --sandbox`), and refused unless the gateway listens on loopback.
    sandbox: bool = Field(
        default=False, validation_alias=AliasChoices("SWITCHBOARD_SANDBOX", "SWITCHBOARD_GATEWAY_SANDBOX", "sandbox")
    )
    # Seed 001 /api/test/* (admin only): on for local runs (`make run`), off by default and in the prod overlay.
    test_endpoints: bool = False
    # Seed 001 GET /api/status shows it (free text, e.g. "Sun 02:00-04:00 UTC"); unset: null.
    maintenance_window: str | None = None
    # Per-IP route limits the seeds document (001/002 per minute, 004 bursts of 10/s); key tiers always apply.
    route_limits: bool = True
    # The built chat widget served at /widget.js (default: widget/dist/widget.js in the repository).
    widget_js: Path | None = None
    # Webhooks: hosts that may be plain http and private (tests and `make run` allow 127.0.0.1; JSON list in env),
    # the whole-exchange timeout, and how many attempts one endpoint may have running at once.
    webhook_allowed_hosts: list[str] = Field(default_factory=list)
    webhook_timeout_s: float = 15.0
    webhook_per_endpoint: int = 16
    webhook_max_in_flight: int = 512
    # Settled deliveries (delivered or finally failed) and attempt-log entries older than this are deleted; at least
    # the ~3.7-day retry window, so a delivery's log outlives its retries; replay reaches back this far.
    webhook_retention_days: float = Field(default=30.0, ge=4.0)
    webhook_prune_interval_s: float = 3600.0
    # WebSocket feed: bytes a client may leave unread (beyond what its socket's kernel buffers took) before it is
    # dropped, system_status period, sentiment_alert level (default IRATE; per tenant in sentiment_alert_levels, a
    # JSON object tenant -> level).
    ws_client_buffer_bytes: int = Field(default=1 << 20, ge=64 << 10)
    ws_status_interval_s: float = 30.0
    sentiment_alert_level: str = "IRATE"
    sentiment_alert_levels: dict[str, str] = Field(default_factory=dict)
