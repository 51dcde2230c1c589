"""Shared wiring for API tests: a gateway with known credentials plus services on one MemoryBus, served over ASGI."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import httpx

from libs.bus import MemoryBus
from libs.runtime import PlatformSettings, Service
from libs.store import DocumentStore, open_store
from services.gateway.bootstrap import bootstrap as bootstrap_gateway
from services.gateway.settings import GatewaySettings

ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "correct horse battery"
API_KEY = "sb_test_bootstrap_key_0123456789abcdef"
JWT_SECRET = "unit-test-secret-of-sufficient-length-0123456789"


def gateway_for_tests(
    common: PlatformSettings, bus: MemoryBus, *, store: DocumentStore | None = None, **overrides: Any
) -> Service:
    """The gateway with the admin, bootstrap API key and JWT secret above (on `store`, default a fresh in-memory
    one); `overrides` are GatewaySettings fields."""
    # Passwords are not what API tests are about: a cheap argon2 cost keeps each login in milliseconds.
    fields: dict[str, Any] = {"request_timeout_s": 5, "password_time_cost": 1, "password_memory_kib": 1024, **overrides}
    settings = GatewaySettings(
        platform=common,
        jwt_secret=JWT_SECRET,
        admin_email=ADMIN_EMAIL,
        admin_password=ADMIN_PASSWORD,
        bootstrap_api_key=API_KEY,
        **fields,
    )
    return bootstrap_gateway(settings, bus=bus, store=store or open_store(database="gateway"))


@asynccontextmanager
async def serving(bus: MemoryBus, services: Sequence[Service]) -> AsyncIterator[httpx.AsyncClient]:
    """Start `services` in order, then the bus; yield an ASGI client on the gateway among them; stop all after."""
    gateway = next(s for s in services if s.app is not None)
    assert gateway.app is not None
    for service in services:
        await service.start(start_bus=False)
    await bus.start()
    try:
        transport = httpx.ASGITransport(app=gateway.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            yield client
    finally:
        await bus.stop()
        for service in reversed(services):
            await service.stop(stop_bus=False)


async def login(client: httpx.AsyncClient, email: str, password: str) -> dict[str, str]:
    """Auth headers of a JWT from seed 000's POST /api/v1/auth/login."""
    resp = await client.post("/api/v1/auth/login", json={"username": email, "password": password})
    assert resp.status_code == 200, resp.text
    return {"Authorization": f"Bearer {resp.json()['data']['token']}"}


async def user_headers(client: httpx.AsyncClient, role: str, *, tenant_id: str | None = None) -> dict[str, str]:
    """Auth headers of a fresh user with one role (in `tenant_id`, default the admin's), created by the admin
    through POST /api/v1/users."""
    email, password = f"{role}-{tenant_id or 'default'}@example.com", "long enough password"
    body: dict[str, Any] = {"email": email, "password": password, "roles": [role]}
    if tenant_id:
        body["tenant_id"] = tenant_id
    admin = await login(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    resp = await client.post("/api/v1/users", json=body, headers=admin)
    assert resp.status_code == 201, resp.text
    return await login(client, email, password)
