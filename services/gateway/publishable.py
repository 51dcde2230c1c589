"""Publishable keys (`pk_…`) for the chat widget: seed 003 says never to put an API key in a page, so the widget
carries a key that can do almost nothing.

A publishable key is locked to the origins it was created for, is good only on seed 003's conversation routes, acts
for one visitor at a time (the `X-Visitor-Id` the widget keeps in the browser) who sees and continues only their
own conversations, and is rate-limited per visitor (its tier counts per visitor, not per key). `WidgetCors` answers
the browser's CORS checks for those routes and refuses a secret `sb_` key sent from another site.
"""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request

from libs.errors import Forbidden, Invalid, NotFound, Unauthorized
from libs.store import DocumentStore
from services.gateway.auth import API_KEY_PREFIX, Principal, hash_api_key

PK_PREFIX = "pk_"
VISITOR_ROLE = "visitor"
VISITOR_HEADER = "x-visitor-id"
VISITOR_ID = re.compile(r"^visitor_[A-Za-z0-9]{16,64}$")
# (method, route template) a publishable key may call: start/continue a conversation and read it back.
WIDGET_ROUTES = frozenset({("POST", "/api/v1/conversations"), ("GET", "/api/v1/conversations/{conversation_id}")})
WIDGET_PATH = "/api/v1/conversations"


def normalize_origin(value: str) -> str:
    """`scheme://host[:port]`, lower-case, as browsers send it in the Origin header; anything else is refused."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/") or parts.query:
        raise Invalid("An origin is scheme://host[:port]", {"allowed_origins": value})
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname.lower()}{port}"


class PublishableKeys:
    """The keys (sha256 at rest, like API keys) and an origin index the CORS preflight can ask."""

    def __init__(self, store: DocumentStore) -> None:
        self._keys = store.collection("publishable_keys")
        self._origins = store.collection("publishable_origins")

    async def ensure_indexes(self) -> None:
        await self._keys.ensure_index(["key_hash"], unique=True)
        await self._keys.ensure_index(["tenant_id"])
        await self._origins.ensure_index(["origin"])

    async def create(
        self, *, tenant_id: str, name: str, allowed_origins: list[str], rate_tier: str, created_by: str
    ) -> tuple[str, dict[str, Any]]:
        origins = sorted({normalize_origin(o) for o in allowed_origins})
        key = PK_PREFIX + secrets.token_urlsafe(24)
        record = {
            "id": f"pkey_{uuid.uuid4().hex[:12]}",
            "tenant_id": tenant_id,
            "name": name,
            "key_hash": hash_api_key(key),
            "key_prefix": key[:10],
            "allowed_origins": origins,
            "rate_tier": rate_tier,
            "created_by": created_by,
            "created_at": datetime.now(UTC).isoformat(),
            "revoked": False,
        }
        await self._keys.insert(record)
        for origin in origins:
            await self._origins.upsert({"id": f"{record['id']}|{origin}", "origin": origin, "key_id": record["id"]})
        return key, public(record)

    async def list(self, tenant_id: str) -> list[dict[str, Any]]:
        return [public(r) for r in await self._keys.find({"tenant_id": tenant_id}, sort=[("created_at", 1)])]

    async def revoke(self, tenant_id: str, key_id: str) -> dict[str, Any]:
        record = await self._keys.get(key_id)
        if record is None or record["tenant_id"] != tenant_id:
            raise NotFound("Publishable key not found", {"key_id": key_id})
        await self._origins.delete_many({"key_id": key_id})
        return public(await self._keys.update(key_id, {"revoked": True}) or record)

    async def origin_allowed(self, origin: str) -> bool:
        """Whether any live key lists `origin` (what a preflight, which carries no key, can be told)."""
        return await self._origins.find_one({"origin": origin}) is not None

    async def authenticate(self, request: Request, key: str) -> Principal:
        record = await self._keys.find_one({"key_hash": hash_api_key(key)})
        if record is None or record.get("revoked"):
            raise Unauthorized("Invalid or revoked publishable key")
        origin = request.headers.get("origin")
        if origin is None or origin not in record["allowed_origins"]:
            raise Forbidden("This publishable key is not allowed from this origin", {"origin": origin or "none"})
        route = getattr(request.scope.get("route"), "path", "")
        if (request.method, route) not in WIDGET_ROUTES:
            raise Forbidden("A publishable key can only start and continue a conversation", {"route": route})
        visitor = request.headers.get(VISITOR_HEADER, "")
        if not VISITOR_ID.match(visitor):
            raise Unauthorized("Missing or malformed X-Visitor-Id", {"x_visitor_id": "visitor_<16-64 letters/digits>"})
        # The visitor in subject_id makes the key's tier count per visitor in the limiter.
        return Principal(
            subject_id=f"{record['id']}:{visitor}",
            tenant_id=record["tenant_id"],
            roles=frozenset({VISITOR_ROLE}),
            kind="api_key",
            rate_tier=record["rate_tier"],
        )


def public(record: dict[str, Any]) -> dict[str, Any]:
    fields = ("id", "tenant_id", "name", "key_prefix", "allowed_origins", "rate_tier", "created_at", "revoked")
    return {k: record.get(k) for k in fields}


def bearer(authorization: str | None, x_api_key: str | None) -> str | None:
    if x_api_key:
        return x_api_key.strip()
    scheme, _, value = (authorization or "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else None


def visitor_of(caller: Principal) -> str | None:
    """The visitor a publishable-key caller acts for; None for every other caller."""
    return caller.subject_id.split(":", 1)[1] if VISITOR_ROLE in caller.roles else None


def ensure_visitor_owns(caller: Principal, customer_id: str) -> None:
    """A visitor sees only their own conversations; another's answers 404, as if it did not exist."""
    visitor = visitor_of(caller)
    if visitor is not None and visitor != customer_id:
        raise NotFound("Conversation not found", {})


async def ensure_visitor_may_post(
    caller: Principal, user_id: str, conversation_id: str | None, owner_of: Callable[[str], Awaitable[str]]
) -> None:
    """A visitor posts as themselves, and continues only a conversation they started."""
    visitor = visitor_of(caller)
    if visitor is None:
        return
    if user_id != visitor:
        raise Forbidden("user_id must be the visitor's own id", {"user_id": "must equal X-Visitor-Id"})
    if conversation_id is not None:
        ensure_visitor_owns(caller, await owner_of(conversation_id))


def is_secret_key(token: str | None) -> bool:
    return bool(token and token.startswith(API_KEY_PREFIX))
