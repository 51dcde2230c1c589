"""End-customer session tokens (hashed at rest, expiring) and the seed 004 CRM views: users and their conversations."""

from __future__ import annotations

import hashlib
import math
import re
import secrets
import uuid
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any

from libs.contracts.models.conversation import CreateCrmUserV1
from libs.errors import Conflict, Invalid, NotFound, Unauthorized
from services.conversation.domain import CrmUser, CustomerToken, Session, now_iso
from services.conversation.store import ConversationRepository

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{2,63}$")
_CRM_STATUS = {"RESOLVED": "completed", "CLOSED": "archived", "ABANDONED": "archived"}


def hash_token(token: str) -> str:
    # Tokens are 256-bit random secrets: a fast hash is enough, nothing can be brute-forced.
    return hashlib.sha256(token.encode()).hexdigest()


def _iso(at: datetime) -> str:
    return at.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class CustomerTokens:
    def __init__(self, repo: ConversationRepository, *, ttl_s: int) -> None:
        self.repo = repo
        self.ttl_s = ttl_s

    async def issue(self, tenant_id: str, user_id: str, ttl_s: int | None = None) -> dict[str, Any]:
        """A new token: the plaintext is returned once and never stored."""
        token = secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        record = CustomerToken(
            token_id=f"{tenant_id}/tok_{uuid.uuid4().hex}",
            tenant_id=tenant_id,
            session_id=f"sess_{uuid.uuid4().hex[:16]}",
            user_id=user_id,
            token_hash=hash_token(token),
            created_at=_iso(now),
            expires_at=_iso(now + timedelta(seconds=ttl_s or self.ttl_s)),
        )
        await self.repo.insert_token(record)
        return _token_view(record, token)

    async def validate(self, token: str) -> dict[str, Any]:
        """The token's record (any tenant: the token itself is the credential); Unauthorized when unknown/expired."""
        record = await self.repo.token_by_hash(hash_token(token))
        if record is None:
            raise Unauthorized("Invalid session token", {"session_token": "unknown"})
        if record.expires_at <= now_iso():
            raise Unauthorized("Session token expired", {"session_token": "expired"})
        return _token_view(record, None)


def _token_view(record: CustomerToken, token: str | None) -> dict[str, Any]:
    return {
        "valid": True,
        "session_id": record.session_id,
        "user_id": record.user_id,
        "tenant_id": record.tenant_id,
        "session_token": token,
        "expires_at": record.expires_at,
        "created_at": record.created_at,
    }


class CrmService:
    def __init__(self, repo: ConversationRepository) -> None:
        self.repo = repo

    async def create_user(self, tenant_id: str, cmd: CreateCrmUserV1) -> dict[str, Any]:
        name, email = cmd.name.strip(), cmd.email.strip().lower()
        if not name:
            raise Invalid("Name is required", {"name": "must not be empty"})
        if not _EMAIL.match(email):
            raise Invalid("Email is invalid", {"email": "must be an e-mail address"})
        now = now_iso()
        user = CrmUser(
            user_id=f"user_{uuid.uuid4().hex[:12]}",
            tenant_id=tenant_id,
            name=name,
            email=email,
            created_at=now,
            updated_at=now,
            phone=cmd.phone,
            company=cmd.company,
            role=cmd.role,
            preferences=dict(cmd.preferences or {}),
        )
        try:
            stored = await self.repo.insert_user(user)
        except Conflict:
            raise Conflict("A user with this email already exists", {"email": "already registered"}) from None
        return public_user(stored)

    async def get_user(self, tenant_id: str, user_id: str) -> dict[str, Any]:
        user = await self.repo.get_user(tenant_id, user_id)
        if user is None:
            raise NotFound("User not found", {"user_id": f"User with ID '{user_id}' does not exist"})
        stats = {
            "total_conversations": await self.repo.count_sessions(tenant_id, user_id),
            "total_messages": await self.repo.count_messages(tenant_id, user_id),
            "last_active": await self.repo.last_activity(tenant_id, user_id),
        }
        return {**public_user(user), "stats": stats}

    async def list_users(self, tenant_id: str, page: int, per_page: int, active_only: bool) -> dict[str, Any]:
        users, total = await self.repo.list_users(
            tenant_id, active_only=active_only, skip=(page - 1) * per_page, limit=per_page
        )
        items = [
            {"id": u.user_id, "name": u.name, "email": u.email, "company": u.company, "created_at": u.created_at}
            | {"is_active": u.is_active}
            for u in users
        ]
        return {"items": items, "total": total, "page": page, "per_page": per_page}

    async def conversations(self, tenant_id: str, user_id: str, page: int, per_page: int) -> dict[str, Any]:
        sessions, total = await self.repo.list_sessions(
            tenant_id, {"customer_id": user_id}, limit=per_page, offset=(page - 1) * per_page
        )
        items = [await self._summary(s) for s in sessions]
        return {"items": items, "total": total, "page": page, "per_page": per_page}

    async def _summary(self, session: Session) -> dict[str, Any]:
        last = await self.repo.last_message(session.tenant_id, session.session_id)
        return {
            "id": session.session_id,
            "title": session.title or "New conversation",
            "status": _CRM_STATUS.get(session.status, "active"),
            "category": session.category or "general",
            "created_at": session.created_at,
            "updated_at": session.updated_at,
            "message_count": session.message_count,
            "last_message": None
            if last is None
            else {
                "content": last.content,
                "type": "user" if last.role == "customer" else "assistant",
                "created_at": last.timestamp,
            },
        }


def public_user(user: CrmUser) -> dict[str, Any]:
    """The contract's CrmUserRecord: the record with its public id as `id`."""
    fields = asdict(user)
    del fields["user_id"], fields["tenant_id"]
    return {"id": user.user_id, **fields}


def pages(total: int, per_page: int) -> int:
    return max(1, math.ceil(total / per_page)) if total else 0
