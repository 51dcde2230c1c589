"""The conversation service's repository: sessions, messages, idempotent turns, customer tokens and CRM users."""

from __future__ import annotations

import re
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass, fields
from typing import Any

from libs.store import DocumentStore, Filter, Insert, Update, Upsert, Write
from libs.store.staging import Staging
from services.conversation.domain import (
    CrmUser,
    CustomerToken,
    EscalationEntry,
    Feedback,
    Message,
    Resolution,
    SentimentPoint,
    Session,
    TicketRef,
    now_iso,
)


@dataclass(frozen=True)
class TurnWrite:
    """Everything one turn stores, committed as one unit (`ConversationRepository.commit_turn`)."""

    event_id: str
    before: Session
    after: Session
    customer: Message
    reply: Message
    result: dict[str, Any]  # the TurnResult as JSON data, answered again to a redelivery
    turn_key: str | None
    at: str
    events: list[dict[str, Any]]


# The writes of the command being handled, while it runs as a unit of work (see `ConversationRepository.staging`).
_staging = Staging("conversation_staged")

OPEN_STATUSES = ["ACTIVE", "WAITING_CUSTOMER", "ESCALATED"]


def doc_id(tenant_id: str, public_id: str) -> str:
    """Public ids are only unique inside a tenant (seed 001 lets callers choose them), so the key holds both."""
    return f"{tenant_id}/{public_id}"


class ConversationRepository:
    def __init__(self, store: DocumentStore) -> None:
        self.store = store
        self.inbox = store.collection("inbox")
        self.sessions = store.collection("sessions")
        self.messages = store.collection("messages")
        self.turns = store.collection("turns")
        self.tokens = store.collection("customer_tokens")
        self.users = store.collection("crm_users")

    async def ensure_indexes(self) -> None:
        await self.sessions.ensure_index(["tenant_id", "created_at"])
        await self.sessions.ensure_index(["tenant_id", "customer_id", "created_at"])
        await self.sessions.ensure_index(["status", "last_activity_at"])
        await self.messages.ensure_index(["tenant_id", "session_id", "seq"])
        await self.tokens.ensure_index(["token_hash"], unique=True)
        await self.users.ensure_index(["tenant_id", "email"], unique=True)
        await self.users.ensure_index(["tenant_id", "created_at"])

    # -- sessions ------------------------------------------------------------------------------------------
    async def get_session(self, tenant_id: str, session_id: str) -> Session | None:
        found = await self.sessions.get(doc_id(tenant_id, session_id))
        return None if found is None else session_from_row(found)

    async def insert_session(self, session: Session) -> Session:
        await self.sessions.insert(session_doc(session))
        return session

    async def update_session(self, before: Session, after: Session) -> Session:
        """Store what `after` changed (inside `staging()`: collected for the command's commit instead)."""
        changes = session_changes(before, after)
        if not changes:
            return after
        staged = _staging.writes()
        if staged is not None:
            staged.append(Update("sessions", doc_id(after.tenant_id, after.session_id), changes))
        else:
            updated = await self.sessions.update(doc_id(after.tenant_id, after.session_id), changes)
            assert updated is not None, "sessions are never deleted"
        return after

    def staging(self) -> AbstractContextManager[list[Write]]:
        """Inside, session updates are collected instead of written, for `commit_command` to store them with the
        command's inbox record in one commit."""
        return _staging.collect()

    async def commit_command(self, tenant_id: str, event_id: str, inbox: dict[str, Any], writes: list[Write]) -> None:
        """A session command's staged writes and its inbox record (`result`, `events`) as ONE commit."""
        record = {"id": doc_id(tenant_id, f"inbox:{event_id}"), "tenant_id": tenant_id, "created_at": now_iso()}
        await self.store.commit([Insert("inbox", {**record, **inbox}), *writes])

    async def list_sessions(
        self, tenant_id: str, filters: Filter, *, limit: int, offset: int
    ) -> tuple[list[Session], int]:
        query = {**filters, "tenant_id": tenant_id}
        items = await self.sessions.find(query, sort=[("created_at", -1)], skip=offset, limit=limit)
        return [session_from_row(s) for s in items], await self.sessions.count(query)

    async def count_sessions(self, tenant_id: str, customer_id: str) -> int:
        return await self.sessions.count({"tenant_id": tenant_id, "customer_id": customer_id})

    async def count_recent_contacts(self, tenant_id: str, customer_id: str, since_iso: str) -> int:
        """The customer's sessions opened since `since_iso` in which they wrote at least one message."""
        query: Filter = {
            "tenant_id": tenant_id,
            "customer_id": customer_id,
            "created_at": {"$gte": since_iso},
            "message_count": {"$gt": 0},
        }
        return await self.sessions.count(query)

    async def idle_sessions(self, cutoff_iso: str, limit: int = 500) -> list[Session]:
        """Open sessions (any tenant) with no customer activity since `cutoff_iso`."""
        query = {"status": {"$in": OPEN_STATUSES}, "last_activity_at": {"$lt": cutoff_iso}}
        found = await self.sessions.find(query, sort=[("last_activity_at", 1)], limit=limit)
        return [session_from_row(s) for s in found]

    # -- messages ------------------------------------------------------------------------------------------
    async def list_messages(self, tenant_id: str, session_id: str, limit: int) -> list[Message]:
        query = {"tenant_id": tenant_id, "session_id": session_id}
        return [message_from_row(m) for m in await self.messages.find(query, sort=[("seq", 1)], limit=limit)]

    async def last_message(self, tenant_id: str, session_id: str) -> Message | None:
        query = {"tenant_id": tenant_id, "session_id": session_id}
        found = await self.messages.find(query, sort=[("seq", -1)], limit=1)
        return message_from_row(found[0]) if found else None

    async def count_messages(self, tenant_id: str, customer_id: str) -> int:
        return await self.messages.count({"tenant_id": tenant_id, "customer_id": customer_id})

    # -- idempotent turns ----------------------------------------------------------------------------------
    async def get_turn(self, tenant_id: str, turn_key: str) -> dict[str, Any] | None:
        found = await self.turns.get(doc_id(tenant_id, turn_key))
        return found["result"] if found else None

    # -- the inbox: commands handled, with their reply ---------------------------------------------------------
    async def handled(self, tenant_id: str, event_id: str) -> dict[str, Any] | None:
        """The inbox record of a command (by its envelope's event id) already handled: its `result` (the reply)
        and its `events`; None when it was not handled."""
        return await self.inbox.get(doc_id(tenant_id, f"inbox:{event_id}"))

    async def commit_turn(self, turn: TurnWrite) -> None:
        """The turn's two messages, its session changes, the idempotency record and the inbox record in ONE store
        commit: a crash leaves all of them or none, so a redelivery either returns the reply or redoes the turn."""
        tenant_id, session_id = turn.after.tenant_id, turn.after.session_id
        writes: list[Write] = [
            Insert("inbox", {**_inbox_doc(tenant_id, turn.event_id, turn.result, turn.at), "events": turn.events}),
            Insert("messages", message_doc(turn.customer)),
            Insert("messages", message_doc(turn.reply)),
            Update("sessions", doc_id(tenant_id, session_id), session_changes(turn.before, turn.after)),
        ]
        if turn.turn_key is not None:
            doc = {"id": doc_id(tenant_id, turn.turn_key), "tenant_id": tenant_id, "result": turn.result}
            writes.append(Upsert("turns", {**doc, "created_at": turn.at}))
        await self.store.commit(writes)

    # -- customer tokens -----------------------------------------------------------------------------------
    async def insert_token(self, token: CustomerToken) -> None:
        body = asdict(token)
        await self.tokens.insert({"id": body.pop("token_id"), **body})

    async def token_by_hash(self, token_hash: str) -> CustomerToken | None:
        row = await self.tokens.find_one({"token_hash": token_hash})
        if row is None:
            return None
        return CustomerToken(token_id=row["id"], **{k: v for k, v in row.items() if k in _TOKEN_FIELDS})

    # -- CRM users -----------------------------------------------------------------------------------------
    async def insert_user(self, user: CrmUser) -> CrmUser:
        await self.users.insert({"id": doc_id(user.tenant_id, user.user_id), **asdict(user)})
        return user

    async def get_user(self, tenant_id: str, user_id: str) -> CrmUser | None:
        row = await self.users.get(doc_id(tenant_id, user_id))
        return None if row is None else _user_from_row(row)

    async def list_users(
        self, tenant_id: str, *, active_only: bool, skip: int, limit: int
    ) -> tuple[list[CrmUser], int]:
        query: Filter = {"tenant_id": tenant_id}
        if active_only:
            query["is_active"] = True
        items = await self.users.find(query, sort=[("created_at", 1)], skip=skip, limit=limit)
        return [_user_from_row(u) for u in items], await self.users.count(query)

    async def last_activity(self, tenant_id: str, customer_id: str) -> str | None:
        found = await self.sessions.find(
            {"tenant_id": tenant_id, "customer_id": customer_id}, sort=[("last_activity_at", -1)], limit=1
        )
        return found[0]["last_activity_at"] if found else None


def _inbox_doc(tenant_id: str, event_id: str, result: dict[str, Any], at: str) -> dict[str, Any]:
    return {"id": doc_id(tenant_id, f"inbox:{event_id}"), "tenant_id": tenant_id, "result": result, "created_at": at}


# -- rows <-> records -----------------------------------------------------------------------------------------
# Rows written before the records were typed (contracts/common/Session.json, Message.json) carry camelCase keys in
# escalation history entries, resolutions and message metadata; they are read in today's snake_case shape.
_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")
_SESSION_FIELDS = frozenset(f.name for f in fields(Session))
_MESSAGE_FIELDS = frozenset(f.name for f in fields(Message))
_USER_FIELDS = frozenset(f.name for f in fields(CrmUser))
_TOKEN_FIELDS = frozenset(f.name for f in fields(CustomerToken)) - {"token_id"}


def _user_from_row(row: dict[str, Any]) -> CrmUser:
    return CrmUser(**{k: v for k, v in row.items() if k in _USER_FIELDS})


def _snake_keys(value: dict[str, Any]) -> dict[str, Any]:
    return {_CAMEL.sub("_", key).lower(): item for key, item in value.items()}


def session_doc(session: Session) -> dict[str, Any]:
    return {"id": doc_id(session.tenant_id, session.session_id), **asdict(session)}


def session_changes(before: Session, after: Session) -> dict[str, Any]:
    """The top-level fields `after` changed, as the store's $set."""
    old, new = asdict(before), asdict(after)
    return {key: value for key, value in new.items() if old[key] != value}


def session_from_row(row: dict[str, Any]) -> Session:
    data = {k: v for k, v in row.items() if k in _SESSION_FIELDS}
    data["sentiment_history"] = [SentimentPoint(**p) for p in row.get("sentiment_history") or []]
    data["escalation_history"] = [EscalationEntry(**_snake_keys(e)) for e in row.get("escalation_history") or []]
    data["escalations"] = [TicketRef(**t) for t in row.get("escalations") or []]
    if row.get("resolution"):
        data["resolution"] = Resolution(**_snake_keys(row["resolution"]))
    if row.get("feedback"):
        data["feedback"] = Feedback(**row["feedback"])
    return Session(**data)


def message_doc(message: Message) -> dict[str, Any]:
    return {"id": doc_id(message.tenant_id, message.message_id), **asdict(message)}


def message_from_row(row: dict[str, Any]) -> Message:
    data = {k: v for k, v in row.items() if k in _MESSAGE_FIELDS}
    metadata = row.get("metadata")
    if isinstance(metadata, dict) and any(_CAMEL.search(key) for key in metadata):
        data["metadata"] = _snake_keys(metadata)
    return Message(**data)
