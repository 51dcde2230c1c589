"""Builds the gateway: store, identity, rate limiter, bus clients, FastAPI app; tests pass in-memory parts."""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

from argon2 import PasswordHasher

from libs.bus.base import Bus
from libs.observability import HealthState, get_logger
from libs.runtime import Service, make_bus, open_service_store
from libs.store import DocumentStore
from services.gateway.app import create_app
from services.gateway.auth import Identity
from services.gateway.deps import Gateway
from services.gateway.fanout.service import Fanout
from services.gateway.publishable import PublishableKeys
from services.gateway.ratelimit import MemoryCounters, RateLimiter, RedisCounters
from services.gateway.settings import GatewaySettings

NAME = "gateway"
log = get_logger(NAME)


def jwt_secret(settings: GatewaySettings) -> str:
    """The configured secret, or one generated on first start and kept in the data folder (tokens survive restarts)."""
    if settings.jwt_secret:
        return settings.jwt_secret
    path = Path(settings.platform.data_dir) / "gateway" / "jwt.secret"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    path.write_text(secret)
    path.chmod(0o600)
    return secret


def _limiter(settings: GatewaySettings) -> RateLimiter:
    if settings.platform.redis_url:
        from redis.asyncio import Redis

        return RateLimiter(RedisCounters(Redis.from_url(settings.platform.redis_url)))
    return RateLimiter(MemoryCounters())


def bootstrap(settings: GatewaySettings, *, bus: Bus | None = None, store: DocumentStore | None = None) -> Service:
    bus = bus or make_bus(settings.platform, NAME)
    store = store or open_service_store(settings.platform, NAME)
    hasher = PasswordHasher(time_cost=settings.password_time_cost, memory_cost=settings.password_memory_kib)
    secret = jwt_secret(settings)
    identity = Identity(store, jwt_secret=secret, jwt_ttl=timedelta(minutes=settings.jwt_ttl_minutes), hasher=hasher)
    publishable = PublishableKeys(store)
    gw = Gateway(settings=settings, bus=bus, identity=identity, limiter=_limiter(settings), publishable=publishable)
    health = HealthState(NAME, checks={"bus": lambda: _bus_healthy(bus), "store": store.ping})
    fanout = Fanout(settings, store, key_material=secret, health=health)
    fanout.subscribe(bus)
    app = create_app(gw, health)
    app.state.fanout = fanout

    async def seed_admin() -> None:
        await identity.ensure_indexes()
        await publishable.ensure_indexes()
        await _ensure_first_credentials(identity, settings)

    return Service(
        name=NAME,
        bus=bus,
        health=health,
        on_start=[seed_admin, fanout.start],
        on_stop=[store.close, fanout.stop],
        app=app,
    )


async def _bus_healthy(bus: Bus) -> bool:
    return bus.healthy


async def _ensure_first_credentials(identity: Identity, settings: GatewaySettings) -> None:
    """First start: the admin user and (if given) the bootstrap API key; later starts change nothing."""
    tenant = settings.default_tenant
    if settings.admin_password:
        created = await identity.ensure_user(
            tenant_id=tenant, email=settings.admin_email, password=settings.admin_password, roles=["admin"]
        )
        if created:
            log.info("admin.created", tenant_id=tenant)
    key = settings.bootstrap_api_key
    if key and not await identity.has_api_key(key):
        await identity.create_api_key(
            tenant_id=tenant,
            name="bootstrap",
            rate_tier="enterprise",
            roles=["admin"],
            created_by="bootstrap",
            plaintext=key,
        )
        log.info("bootstrap_api_key.created", tenant_id=tenant)
