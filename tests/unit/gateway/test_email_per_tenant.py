"""Issue 20 #6: users are unique per (tenant, email), so creating a user never reveals another tenant's emails; the
seed 000 login stays compatible (an email of one tenant logs in as before; `tenant_id` picks one of several) and its
lockout follows the login name."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest
from argon2 import PasswordHasher

from libs.errors import Conflict, Unauthorized
from libs.store import open_store
from services.gateway.auth import MAX_LOGIN_CANDIDATES, Identity
from services.gateway.login_guard import ACCOUNT_LOCKOUT
from tests.support.platform import JWT_SECRET
from tests.unit.gateway.conftest import Platform
from tests.unit.gateway.test_login_guard import CountingHasher
from tests.unit.gateway.test_tenant_admin import new_tenant

LOGIN = "/api/v1/auth/login"
EMAIL = "sam@shared.io"


def user(password: str, roles: list[str] | None = None) -> dict[str, Any]:
    return {"email": EMAIL, "password": password, "roles": roles or ["agent"]}


async def login(platform: Platform, password: str, tenant_id: str | None = None) -> tuple[int, dict[str, Any]]:
    body = {"username": EMAIL.upper(), "password": password}
    if tenant_id is not None:
        body["tenant_id"] = tenant_id
    resp = await platform.client.post(LOGIN, json=body)
    return resp.status_code, resp.json()


def tenant_of(body: dict[str, Any]) -> str:
    return str(jwt.decode(body["data"]["token"], JWT_SECRET, algorithms=["HS256"])["tenant"])


async def test_an_email_of_another_tenant_is_created_without_a_trace_of_it(platform: Platform) -> None:
    client = platform.client
    acme, globex = await new_tenant(client, "acme"), await new_tenant(client, "globex")
    first = await client.post("/api/v1/users", json=user("acme password"), headers=acme)
    assert first.status_code == 201, first.text
    second = await client.post("/api/v1/users", json=user("globex password", ["admin"]), headers=globex)
    assert second.status_code == 201, second.text  # no 409: globex learns nothing about acme's users
    assert second.json()["data"]["tenant_id"] == "globex" and second.json()["data"]["id"] != first.json()["data"]["id"]
    assert "acme" not in second.text
    listed = (await client.get("/api/v1/users", headers=globex)).json()["data"]["users"]
    assert [(u["email"], u["tenant_id"]) for u in listed] == [(EMAIL, "globex")]
    # Only a duplicate inside the caller's own tenant is a conflict.
    again = await client.post("/api/v1/users", json=user("another password"), headers=acme)
    assert again.status_code == 409 and "globex" not in again.text


async def test_each_tenant_logs_in_to_its_own_account(platform: Platform) -> None:
    acme, globex = await new_tenant(platform.client, "acme"), await new_tenant(platform.client, "globex")
    await platform.client.post("/api/v1/users", json=user("acme password"), headers=acme)
    await platform.client.post("/api/v1/users", json=user("globex password", ["admin"]), headers=globex)
    status, body = await login(platform, "acme password")  # seed 000's body, unchanged: the password decides
    assert status == 200 and tenant_of(body) == "acme" and body["data"]["roles"] == ["agent"]
    status, body = await login(platform, "globex password")
    assert status == 200 and tenant_of(body) == "globex" and body["data"]["roles"] == ["admin"]
    status, body = await login(platform, "globex password", tenant_id="globex")
    assert status == 200 and tenant_of(body) == "globex"
    status, body = await login(platform, "globex password", tenant_id="acme")  # the other tenant's password
    assert status == 401 and body["message"] == "Invalid credentials"


async def test_one_password_in_two_tenants_needs_the_tenant_and_reads_like_a_wrong_one(platform: Platform) -> None:
    acme, globex = await new_tenant(platform.client, "acme"), await new_tenant(platform.client, "globex")
    for headers in (acme, globex):
        await platform.client.post("/api/v1/users", json=user("same password"), headers=headers)
    ambiguous = await login(platform, "same password")
    wrong = await login(platform, "wrong password")
    unknown_tenant = await login(platform, "same password", tenant_id="initech")
    assert ambiguous[0] == wrong[0] == unknown_tenant[0] == 401
    assert ambiguous[1]["message"] == wrong[1]["message"] == unknown_tenant[1]["message"] == "Invalid credentials"
    for tenant in ("acme", "globex"):
        status, body = await login(platform, "same password", tenant_id=tenant)
        assert status == 200 and tenant_of(body) == tenant


async def test_the_lockout_follows_the_login_name_whatever_tenant_is_named(platform: Platform) -> None:
    acme, globex = await new_tenant(platform.client, "acme"), await new_tenant(platform.client, "globex")
    await platform.client.post("/api/v1/users", json=user("acme password"), headers=acme)
    other = {"email": "kim@shared.io", "password": "kim password", "roles": ["agent"]}
    await platform.client.post("/api/v1/users", json=other, headers=globex)
    # Guesses spread over tenant qualifiers count against one account: naming tenants buys no extra guesses.
    for n in range(ACCOUNT_LOCKOUT.free_failures):
        assert (await login(platform, "wrong password", tenant_id=["acme", "globex", "x"][n % 3]))[0] == 401
    locked = await platform.client.post(LOGIN, json={"username": EMAIL, "password": "acme password"})
    assert locked.status_code == 429 and locked.headers["Retry-After"]
    assert (await login(platform, "acme password", tenant_id="acme"))[0] == 429
    unaffected = await platform.client.post(LOGIN, json={"username": "kim@shared.io", "password": "kim password"})
    assert unaffected.status_code == 200


def identity(store: Any, hasher: PasswordHasher | None = None) -> Identity:
    cheap = hasher or PasswordHasher(time_cost=1, memory_cost=1024)
    return Identity(store, jwt_secret="s" * 40, jwt_ttl=timedelta(minutes=5), hasher=cheap)


async def test_a_store_made_with_the_platform_wide_index_is_migrated(tmp_path: Path) -> None:
    old = open_store(database="gateway", sqlite_dir=tmp_path)
    await old.collection("users").ensure_index(["email"], unique=True)  # what earlier gateways created
    await identity(old).create_user(tenant_id="acme", email=EMAIL, password="acme password", roles=["agent"])
    await old.close()
    store = open_store(database="gateway", sqlite_dir=tmp_path)
    upgraded = identity(store)
    await upgraded.ensure_indexes()
    await upgraded.create_user(tenant_id="globex", email=EMAIL, password="globex password", roles=["agent"])
    with pytest.raises(Conflict):
        await upgraded.create_user(tenant_id="acme", email=EMAIL, password="third password", roles=["agent"])
    assert (await upgraded.login(EMAIL, "globex password"))[1]["tenant_id"] == "globex"
    await store.close()


async def test_a_login_tries_a_bounded_number_of_accounts() -> None:
    hasher = CountingHasher()
    ident = identity(open_store(database="g"), hasher)
    tenants = [f"t{n}" for n in range(MAX_LOGIN_CANDIDATES + 2)]
    for tenant in tenants:
        await ident.create_user(tenant_id=tenant, email=EMAIL, password=f"password of {tenant}", roles=["agent"])
    with pytest.raises(Unauthorized):
        await ident.login(EMAIL, "wrong password")
    assert hasher.verified == MAX_LOGIN_CANDIDATES
    assert (await ident.login(EMAIL, "password of t0"))[1]["tenant_id"] == "t0"
    assert (await ident.login(EMAIL, f"password of {tenants[-1]}", tenant_id=tenants[-1]))[1]["tenant_id"] == tenants[
        -1
    ]


async def test_a_tenant_user_with_the_operator_email_is_never_promoted() -> None:
    ident = identity(open_store(database="g"))
    await ident.create_user(tenant_id="acme", email="op@x.io", password="acme password", roles=["agent"])
    assert await ident.ensure_operator(tenant_id="default", email="op@x.io", password="operator pw") == "created"
    _, acme_user = await ident.login("op@x.io", "acme password")
    assert acme_user["tenant_id"] == "acme" and acme_user["roles"] == ["agent"]
    _, operator = await ident.login("op@x.io", "operator pw")
    assert operator["tenant_id"] == "default" and "operator" in operator["roles"]
