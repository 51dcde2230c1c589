"""Issue 20's attacks as functions over any httpx client, so the in-process security tests and the run against the
Kafka stack (`tests/e2e/test_security_over_kafka.py`) repeat the very same requests.

Each check returns what went wrong (`{request: what}`); an empty dict means every attempt was refused cleanly.
"""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import httpx
import jwt

# Open by their seed: login, seed 001's health, seed 004's session-token validation.
OPEN = {("POST", "/api/v1/auth/login"), ("GET", "/health"), ("GET", "/sessions/validate/{session_token}")}
ADMIN_ONLY = {
    ("POST", "/api/v1/users"),
    ("GET", "/api/v1/users"),
    ("POST", "/api/v1/api-keys"),
    ("GET", "/api/v1/api-keys"),
    ("DELETE", "/api/v1/api-keys/{key_id}"),
    ("PUT", "/cs/config"),
}
OPERATOR_ONLY = {("POST", "/api/v1/tenants"), ("GET", "/api/v1/tenants")}
# Valid bodies, so that a refusal is the role check's and not the body validation's.
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/api/v1/users"): {"email": "new@example.com", "password": "long enough pw", "roles": ["agent"]},
    ("POST", "/api/v1/api-keys"): {"name": "k"},
    ("PUT", "/cs/config"): {"companyId": "default"},
    ("POST", "/api/v1/tenants"): {"tenant_id": "newco", "name": "NewCo"},
}
Operation = tuple[str, str]


async def operations(client: httpx.AsyncClient) -> list[Operation]:
    """(METHOD, path template) of every operation the gateway's /openapi.json lists."""
    spec = (await client.get("/openapi.json")).json()
    verbs = ("get", "post", "put", "delete", "patch")
    return [(m.upper(), p) for p, item in spec["paths"].items() for m in item if m in verbs]


def _claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    return {"sub": "user-x", "tenant": "default", "roles": ["admin"], "iat": now, "exp": now + 600, **overrides}


def _alg_none(claims: dict[str, Any]) -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def bad_credentials(jwt_secret: str) -> dict[str, dict[str, str]]:
    """Headers of every credential that must be refused; the expired JWT is signed with the gateway's real secret."""
    return {
        "none": {},
        "wrong-key-jwt": {
            "Authorization": "Bearer " + jwt.encode(_claims(), "another-secret-of-the-same-length-0123456789")
        },
        "alg-none": {"Authorization": "Bearer " + _alg_none(_claims())},
        "expired-jwt": {"Authorization": "Bearer " + jwt.encode(_claims(exp=int(time.time()) - 5), jwt_secret)},
        "unknown-key": {"X-API-Key": "sb_" + "u" * 43},
        "malformed": {"Authorization": "Basic YWRtaW46YWRtaW4="},
    }


async def call(client: httpx.AsyncClient, method: str, path: str, headers: dict[str, str]) -> httpx.Response:
    url = path.replace("{", "").replace("}", "")  # every path parameter becomes its own name
    body = None if method in ("GET", "DELETE") else BODIES.get((method, path), {})
    return await client.request(method, url, json=body, headers=headers)


def refused(resp: httpx.Response, status: int) -> str | None:
    """None when `resp` is the expected refusal in a dialect envelope; otherwise what is wrong."""
    if resp.status_code != status:
        return f"{resp.status_code} {resp.text[:120]}"
    if "detail" in resp.json():  # FastAPI's default body: the dialect's envelope was bypassed
        return "not in the dialect's envelope"
    return None


async def unrefused(
    client: httpx.AsyncClient, ops: list[Operation], headers: dict[str, str], status: int
) -> dict[str, str]:
    """Every operation of `ops` called with `headers`; those not refused with `status`."""
    wrong = {}
    for method, path in ops:
        problem = refused(await call(client, method, path, headers), status)
        if problem:
            wrong[f"{method} {path}"] = problem
    return wrong


async def api_key(
    client: httpx.AsyncClient, operator: dict[str, str], roles: list[str], tenant_id: str | None = None
) -> tuple[str, str]:
    """(id, key) of a new API key the operator issues (in `tenant_id`, default its own)."""
    body: dict[str, Any] = {"name": "matrix", "roles": roles, "rate_tier": "enterprise"}
    if tenant_id:
        body["tenant_id"] = tenant_id
    resp = await client.post("/api/v1/api-keys", json=body, headers=operator)
    assert resp.status_code == 201, resp.text
    return resp.json()["data"]["id"], resp.json()["data"]["api_key"]
