"""Identity: users (argon2 passwords, roles, JWT), API keys (sha256 at rest, tenant, rate tier) and who is calling."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import VerificationError

from libs.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized
from libs.store import DocumentStore

ROLES = frozenset({"admin", "analyst", "agent", "reviewer"})
RATE_TIERS = ("free", "starter", "professional", "enterprise")
API_KEY_PREFIX = "sb_"
JWT_ALGORITHM = "HS256"


@dataclass(frozen=True)
class Principal:
    """The authenticated caller: every request is served inside its tenant."""

    subject_id: str
    tenant_id: str
    roles: frozenset[str]
    kind: Literal["user", "api_key"]
    rate_tier: str

    def require(self, *roles: str) -> None:
        if not self.roles.intersection(roles) and "admin" not in self.roles:
            raise Forbidden("Insufficient permissions", {"required_roles": sorted(roles)})


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

    async def ensure_indexes(self) -> None:
        await self._users.ensure_index(["email"], unique=True)
        await self._keys.ensure_index(["key_hash"], unique=True)
        await self._keys.ensure_index(["tenant_id"])

    # -- users -------------------------------------------------------------------------------------------
    async def create_user(self, *, tenant_id: str, email: str, password: str, roles: list[str]) -> dict[str, Any]:
        unknown = set(roles) - ROLES
        if unknown or not roles:
            raise Invalid("Unknown role", {"roles": f"each role must be one of {sorted(ROLES)}"})
        if len(password) < 8:
            raise Invalid("Password too short", {"password": "at least 8 characters"})
        user = {
            "id": f"user-{uuid.uuid4().hex[:12]}",
            "tenant_id": tenant_id,
            "email": email.lower(),
            "password_hash": self._hasher.hash(password),
            "roles": sorted(set(roles)),
            "created_at": _now().isoformat(),
        }
        try:
            await self._users.insert(user)
        except Conflict as exc:
            raise Conflict("A user with this email exists", {"email": email}) from exc
        return public_user(user)

    async def ensure_user(self, *, tenant_id: str, email: str, password: str, roles: list[str]) -> bool:
        """Create the user unless one with this email exists; True when created (first start)."""
        if await self._users.find_one({"email": email.lower()}):
            return False
        await self.create_user(tenant_id=tenant_id, email=email, password=password, roles=roles)
        return True

    async def list_users(self, tenant_id: str) -> list[dict[str, Any]]:
        return [public_user(u) for u in await self._users.find({"tenant_id": tenant_id}, sort=[("created_at", 1)])]

    async def login(self, username: str, password: str) -> tuple[str, dict[str, Any]]:
        user = await self._users.find_one({"email": username.lower()})
        if user is None:
            self._hasher.hash(password)  # same work either way, so timing does not reveal which emails exist
            raise Unauthorized("Invalid credentials")
        try:
            self._hasher.verify(user["password_hash"], password)
        except VerificationError as exc:
            raise Unauthorized("Invalid credentials") from exc
        return self.issue_jwt(user), public_user(user)

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
    ) -> tuple[str, dict[str, Any]]:
        if rate_tier not in RATE_TIERS:
            raise Invalid("Unknown rate tier", {"rate_tier": f"one of {list(RATE_TIERS)}"})
        if set(roles) - ROLES or not roles:
            raise Invalid("Unknown role", {"roles": f"each role must be one of {sorted(ROLES)}"})
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

    async def has_api_key(self, plaintext: str) -> bool:
        return await self._keys.find_one({"key_hash": hash_api_key(plaintext)}) is not None

    async def list_api_keys(self, tenant_id: str) -> list[dict[str, Any]]:
        return [public_key(k) for k in await self._keys.find({"tenant_id": tenant_id}, sort=[("created_at", 1)])]

    async def revoke_api_key(self, tenant_id: str, key_id: str) -> dict[str, Any]:
        record = await self._keys.get(key_id)
        if record is None or record["tenant_id"] != tenant_id:
            raise NotFound("API key not found", {"key_id": key_id})
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


def public_user(user: dict[str, Any]) -> dict[str, Any]:
    return {k: user[k] for k in ("id", "tenant_id", "email", "roles", "created_at")}


def public_key(record: dict[str, Any]) -> dict[str, Any]:
    fields = ("id", "tenant_id", "name", "key_prefix", "rate_tier", "roles", "created_at", "revoked")
    return {k: record.get(k) for k in fields}
