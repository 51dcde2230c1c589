"""Identity: users (argon2 passwords, roles, JWT) and API keys (sha256 at rest, tenant, rate tier), authenticated into
the calling Principal (services/gateway/principal.py)."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from libs.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized
from libs.store import DocumentStore
from services.gateway.principal import OPERATOR_ROLE, RATE_TIERS, ROLES, Principal

API_KEY_PREFIX = "sb_"
JWT_ALGORITHM = "HS256"
HASH_CONCURRENCY = 4  # argon2 hashes at once per gateway: bounds its threads and memory (64 MiB each by default)
# An email may belong to users of several tenants; a login without a tenant tries the password on at most this many
# of them, verified in parallel (as many as HASH_CONCURRENCY), so such a login takes about one hash's time.
MAX_LOGIN_CANDIDATES = HASH_CONCURRENCY


def _now() -> datetime:
    return datetime.now(UTC)


def hash_api_key(key: str) -> str:
    # API keys are 256-bit random secrets, so a fast hash is enough (no brute force is possible).
    return hashlib.sha256(key.encode()).hexdigest()


class Identity:
    """Users, API keys and token checks over the gateway's own store."""

    def __init__(
        self, store: DocumentStore, *, jwt_secret: str, jwt_ttl: timedelta, hasher: PasswordHasher | None = None
    ) -> None:
        self._users = store.collection("users")
        self._keys = store.collection("api_keys")
        self._secret = jwt_secret
        self._ttl = jwt_ttl
        self._hasher = hasher or PasswordHasher()
        self._hash_slots = asyncio.Semaphore(HASH_CONCURRENCY)
        self._dummy_hash: str | None = None

    async def ensure_indexes(self) -> None:
        # Emails are unique per tenant, not per platform: a platform-wide index let one tenant's admin probe
        # another tenant's users through a 409. Stores made before that keep the old index until it is dropped.
        await self._users.drop_index(["email"], unique=True)
        await self._users.ensure_index(["tenant_id", "email"], unique=True)
        await self._users.ensure_index(["email"])
        await self._keys.ensure_index(["key_hash"], unique=True)
        await self._keys.ensure_index(["tenant_id"])

    # -- users -------------------------------------------------------------------------------------------
    async def create_user(
        self, *, tenant_id: str, email: str, password: str, roles: list[str], operator: bool = False
    ) -> dict[str, Any]:
        """A tenant user; `operator=True` (settings only, never the API) adds the platform operator role."""
        _check_roles(roles)
        if len(password) < 8:
            raise Invalid("Password too short", {"password": "at least 8 characters"})
        user = {
            "id": f"user-{uuid.uuid4().hex[:12]}",
            "tenant_id": tenant_id,
            "email": email.lower(),
            "password_hash": await self._hash(password),
            "roles": sorted(set(roles) | ({OPERATOR_ROLE} if operator else set())),
            "created_at": _now().isoformat(),
        }
        try:
            await self._users.insert(user)
        except Conflict as exc:  # only a user of the same tenant can collide (the index is per tenant)
            raise Conflict("A user with this email exists", {"email": email}) from exc
        return public_user(user)

    async def ensure_operator(
        self, *, tenant_id: str, email: str, password: str
    ) -> Literal["created", "updated", "unchanged"]:
        """The configured operator login: created on first start; on later starts given the operator role (an older
        start made it a plain admin) and the configured password (settings are the source of truth for it, so the
        launcher's credentials file never shows a stale one). Only settings reach this; no route grants the role."""
        # Only the operator's own tenant is searched: a tenant's user with this email is never promoted.
        existing = await self._users.find_one({"tenant_id": tenant_id, "email": email.lower()})
        if existing is None:
            await self.create_user(tenant_id=tenant_id, email=email, password=password, roles=["admin"], operator=True)
            return "created"
        changes: dict[str, Any] = {}
        if OPERATOR_ROLE not in existing["roles"]:
            changes["roles"] = sorted({*existing["roles"], OPERATOR_ROLE})
        if not await self._verify(existing["password_hash"], password):
            changes["password_hash"] = await self._hash(password)
        if changes:
            await self._users.update(existing["id"], changes)
        return "updated" if changes else "unchanged"

    async def list_users(self, tenant_id: str) -> list[dict[str, Any]]:
        return [public_user(u) for u in await self._users.find({"tenant_id": tenant_id}, sort=[("created_at", 1)])]

    async def login(self, username: str, password: str, tenant_id: str | None = None) -> tuple[str, dict[str, Any]]:
        """The one user of `username` (in `tenant_id`, when given) whose password this is.

        An email in several tenants without a `tenant_id` has the password tried on each (the oldest
        MAX_LOGIN_CANDIDATES), in parallel; it logs in only when exactly one matches. Unknown user, wrong password
        and a password matching several are one answer, so nothing tells which emails or tenants exist."""
        query: dict[str, Any] = {"email": username.lower()}
        if tenant_id is not None:
            query["tenant_id"] = tenant_id
        candidates = await self._users.find(query, sort=[("created_at", 1)], limit=MAX_LOGIN_CANDIDATES)
        # An unknown user is checked against a dummy hash of the same cost: the same work, time and message.
        hashes = [user["password_hash"] for user in candidates] or [await self._dummy()]
        verdicts = await asyncio.gather(*(self._verify(stored, password) for stored in hashes))
        matched = [user for user, ok in zip(candidates, verdicts, strict=False) if ok]
        if len(matched) != 1:
            raise Unauthorized("Invalid credentials")
        return self.issue_jwt(matched[0]), public_user(matched[0])

    # argon2 costs ~100-200 ms of CPU: it runs in worker threads (argon2-cffi releases the GIL), a few at a time,
    # so logins never stall the event loop that serves every other request.
    async def _hash(self, password: str) -> str:
        async with self._hash_slots:
            return await asyncio.to_thread(self._hasher.hash, password)

    async def _verify(self, stored: str, password: str) -> bool:
        def check() -> bool:
            try:
                return self._hasher.verify(stored, password)
            except (VerificationError, InvalidHashError):
                return False

        async with self._hash_slots:
            return await asyncio.to_thread(check)

    async def _dummy(self) -> str:
        if self._dummy_hash is None:
            self._dummy_hash = await self._hash(secrets.token_urlsafe(16))
        return self._dummy_hash

    def issue_jwt(self, user: dict[str, Any]) -> str:
        now = _now()
        claims = {
            "sub": user["id"],
            "tenant": user["tenant_id"],
            "roles": user["roles"],
            "iat": now,
            "exp": now + self._ttl,
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode(claims, self._secret, algorithm=JWT_ALGORITHM)

    # -- API keys ----------------------------------------------------------------------------------------
    async def create_api_key(
        self,
        *,
        tenant_id: str,
        name: str,
        rate_tier: str,
        roles: list[str],
        created_by: str,
        plaintext: str | None = None,
        operator: bool = False,
    ) -> tuple[str, dict[str, Any]]:
        """A new key; `plaintext` and `operator` are for the settings' bootstrap key only, never the API."""
        if rate_tier not in RATE_TIERS:
            raise Invalid("Unknown rate tier", {"rate_tier": f"one of {list(RATE_TIERS)}"})
        _check_roles(roles)
        if operator:
            roles = [*roles, OPERATOR_ROLE]
        key = plaintext or API_KEY_PREFIX + secrets.token_urlsafe(32)
        record = {
            "id": f"key_{uuid.uuid4().hex[:12]}",
            "tenant_id": tenant_id,
            "name": name,
            "key_hash": hash_api_key(key),
            "key_prefix": key[:10],
            "rate_tier": rate_tier,
            "roles": sorted(set(roles)),
            "created_by": created_by,
            "created_at": _now().isoformat(),
            "revoked": False,
        }
        await self._keys.insert(record)
        return key, public_key(record)

    async def ensure_operator_key(self, tenant_id: str, plaintext: str) -> bool:
        """The settings' bootstrap key: created with the operator role on first start (True); a key an older start
        created as a plain admin key is given the role. Only the settings reach this; no route grants the role."""
        existing = await self._keys.find_one({"key_hash": hash_api_key(plaintext)})
        if existing is None:
            await self.create_api_key(
                tenant_id=tenant_id,
                name="bootstrap",
                rate_tier="enterprise",
                roles=["admin"],
                created_by="bootstrap",
                plaintext=plaintext,
                operator=True,
            )
            return True
        if OPERATOR_ROLE not in existing["roles"] and existing["tenant_id"] == tenant_id:
            await self._keys.update(existing["id"], {"roles": sorted({*existing["roles"], OPERATOR_ROLE})})
        return False

    async def list_api_keys(self, tenant_id: str) -> list[dict[str, Any]]:
        return [public_key(k) for k in await self._keys.find({"tenant_id": tenant_id}, sort=[("created_at", 1)])]

    async def revoke_api_key(self, tenant_id: str | None, key_id: str) -> dict[str, Any]:
        """Revoke a key of `tenant_id` (None: any tenant, for the operator); another tenant's key is a 404, and
        only the operator (tenant_id None) may revoke an operator key."""
        record = await self._keys.get(key_id)
        if record is None or (tenant_id is not None and record["tenant_id"] != tenant_id):
            raise NotFound("API key not found", {"key_id": key_id})
        if tenant_id is not None and OPERATOR_ROLE in record["roles"]:
            raise Forbidden("Only the platform operator may revoke this key", {"key_id": key_id})
        updated = await self._keys.update(key_id, {"revoked": True, "revoked_at": _now().isoformat()})
        return public_key(updated or record)

    # -- authentication ----------------------------------------------------------------------------------
    async def authenticate(self, authorization: str | None, api_key_header: str | None) -> Principal:
        """Accept `Authorization: Bearer <JWT or API key>` or `X-API-Key`; refuse missing, expired, forged, revoked."""
        token = api_key_header
        if token is None and authorization:
            scheme, _, value = authorization.partition(" ")
            if scheme.lower() != "bearer" or not value.strip():
                raise Unauthorized("Authorization header must be 'Bearer <token>'")
            token = value.strip()
        if not token:
            raise Unauthorized("Missing credentials")
        if token.startswith(API_KEY_PREFIX):
            return await self._api_key_principal(token)
        return self._jwt_principal(token)

    def _jwt_principal(self, token: str) -> Principal:
        try:
            claims = jwt.decode(token, self._secret, algorithms=[JWT_ALGORITHM], options={"require": ["exp", "sub"]})
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized("Token expired") from exc
        except jwt.PyJWTError as exc:
            raise Unauthorized("Invalid token") from exc
        return Principal(
            subject_id=str(claims["sub"]),
            tenant_id=str(claims["tenant"]),
            roles=frozenset(claims.get("roles", ())),
            kind="user",
            rate_tier="professional",
        )

    async def _api_key_principal(self, key: str) -> Principal:
        record = await self._keys.find_one({"key_hash": hash_api_key(key)})
        if record is None or record.get("revoked"):
            raise Unauthorized("Invalid or revoked API key")
        return Principal(
            subject_id=record["id"],
            tenant_id=record["tenant_id"],
            roles=frozenset(record["roles"]),
            kind="api_key",
            rate_tier=record["rate_tier"],
        )


def _check_roles(roles: list[str]) -> None:
    if set(roles) - ROLES or not roles:
        raise Invalid("Unknown role", {"roles": f"each role must be one of {sorted(ROLES)}"})


def public_user(user: dict[str, Any]) -> dict[str, Any]:
    return {k: user[k] for k in ("id", "tenant_id", "email", "roles", "created_at")}


def public_key(record: dict[str, Any]) -> dict[str, Any]:
    fields = ("id", "tenant_id", "name", "key_prefix", "rate_tier", "roles", "created_at", "revoked")
    return {k: record.get(k) for k in fields}
