"""Builds the gateway: store, identity, rate limiter, bus clients, FastAPI app; tests pass in-memory parts."""

from __future__ import annotations

import asyncio
import secrets
from datetime import timedelta
from pathlib import Path

from argon2 import PasswordHasher
from fastapi import FastAPI, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from libs.bus.base import Bus
from libs.observability import HealthState, get_logger
from libs.runtime import Service, make_bus, open_service_store, serve_forever
from libs.store import DocumentStore
from services.gateway.app import create_app
from services.gateway.auth import Identity
from services.gateway.clients.base import Deadlines
from services.gateway.clients.bundle import Clients
from services.gateway.deps import Gateway
from services.gateway.fanout.service import Fanout
from services.gateway.login_guard import LoginGuard
from services.gateway.publishable import PublishableKeys
from services.gateway.ratelimit import MemoryCounters, RateLimiter, RedisCounters
from services.gateway.sandbox import SANDBOX_TENANT, WARNING, sandbox_for
from services.gateway.settings import GatewaySettings
from services.gateway.tenancy import Tenants

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
    sandbox = sandbox_for(settings)  # before anything opens: a sandbox that would not be local stops the start
    bus = bus or make_bus(settings.platform, NAME)
    store = store or open_service_store(settings.platform, NAME)
    hasher = PasswordHasher(time_cost=settings.password_time_cost, memory_cost=settings.password_memory_kib)
    secret = jwt_secret(settings)
    identity = Identity(store, jwt_secret=secret, jwt_ttl=timedelta(minutes=settings.jwt_ttl_minutes), hasher=hasher)
    publishable = PublishableKeys(store)
    tenants = Tenants(store)
    limiter = _limiter(settings)
    gw = Gateway(
        settings=settings,
        bus=bus,
        identity=identity,
        limiter=limiter,
        tenants=tenants,
        login_guard=LoginGuard(limiter.backend),
        clients=Clients.build(bus, Deadlines(short_s=settings.request_timeout_s, long_s=settings.batch_timeout_s)),
        publishable=publishable,
        sandbox=sandbox,
    )
    health = HealthState(NAME, checks={"bus": lambda: _bus_healthy(bus), "store": store.ping})
    fanout = Fanout(settings, store, key_material=secret, health=health)
    fanout.subscribe(bus)
    app = create_app(gw, health)
    app.state.fanout = fanout

    async def seed_admin() -> None:
        await identity.ensure_indexes()
        await publishable.ensure_indexes()
        await _ensure_first_credentials(identity, tenants, settings)
        if sandbox is not None:
            await tenants.ensure(SANDBOX_TENANT, created_by="sandbox")
            log.warning("sandbox", message=WARNING)

    metrics = MetricsListener(settings.host, settings.metrics_port)
    return Service(
        name=NAME,
        bus=bus,
        health=health,
        on_start=[seed_admin, metrics.start, fanout.start],
        on_stop=[store.close, metrics.stop, fanout.stop],  # run in reverse: the worker stops before the store
        app=app,
    )


class MetricsListener:
    """Prometheus text on its own port (when configured): the public port's /metrics needs the operator's
    credentials, which an in-cluster scraper driven by pod annotations cannot send."""

    def __init__(self, host: str, port: int | None) -> None:
        self._host, self._port = host, port
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self._port is None:
            return
        app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

        @app.get("/metrics")
        async def metrics() -> Response:
            return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

        self._task = asyncio.create_task(serve_forever(app, self._host, self._port, self._stop))

    async def stop(self) -> None:
        if self._task is not None:
            self._stop.set()
            await self._task


async def _bus_healthy(bus: Bus) -> bool:
    return bus.healthy


async def _ensure_first_credentials(identity: Identity, tenants: Tenants, settings: GatewaySettings) -> None:
    """First start: the platform operator's login and (if given) its bootstrap API key, both in the platform's own
    tenant; later starts change nothing. Only these settings can create an operator: no route grants the role."""
    tenant = settings.default_tenant
    await tenants.ensure(tenant, created_by="settings")
    if settings.admin_password:
        outcome = await identity.ensure_operator(
            tenant_id=tenant, email=settings.admin_email, password=settings.admin_password
        )
        if outcome != "unchanged":
            log.info("audit", action=f"operator.{outcome}", actor_id="settings", tenant_id=tenant)
    if settings.bootstrap_api_key and await identity.ensure_operator_key(tenant, settings.bootstrap_api_key):
        log.info("audit", action="api_key.created", actor_id="settings", tenant_id=tenant, target_id="bootstrap")
