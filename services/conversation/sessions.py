"""Session lifecycle: open, read, list, escalate, resolve, close and the idle sweep; emits the lifecycle events."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from libs.bus import derived_id
from libs.contracts.models.conversation import (
    EscalateSessionV1,
    ListSessionsV1,
    ResolveSessionV1,
    StartSessionV1,
    SubmitFeedbackV1,
)
from libs.errors import Conflict, NotFound, Unavailable
from libs.observability import get_logger
from services.conversation import events
from services.conversation.domain import (
    EscalationEntry,
    Feedback,
    Message,
    Resolution,
    Session,
    check_open,
    iso_bound,
    issue_summary,
    now_iso,
)
from services.conversation.events import Emit
from services.conversation.store import ConversationRepository

# (tenant, session id, current tier, the EscalateSession command) -> the tier the escalation service allows.
ManualEscalation = Callable[[str, str, str, dict[str, Any]], Awaitable[str]]

log = get_logger("conversation.sessions")


def new_session_id() -> str:
    return f"sess_{uuid.uuid4().hex[:16]}"


def derived_session_id(event_id: str) -> str:
    return f"sess_{derived_id(event_id, 'session')[:16]}"


def tier_move(
    session: Session,
    to_tier: str,
    reasons: list[str],
    *,
    notes: str | None = None,
    ticket_id: str | None = None,
    support_reason: str | None = None,
) -> tuple[Session, EscalationEntry]:
    """The session after a tier move and its escalation_history entry, stored by the caller (a turn commits them
    with its messages, so a crash cannot leave the reply stored and the move lost)."""
    now = now_iso()
    entry = EscalationEntry(
        from_tier=session.current_tier,
        to_tier=to_tier,
        reason=reasons[0] if reasons else (support_reason or "POLICY"),
        reasons=list(reasons),
        timestamp=now,
        notes=notes or None,
        ticket_id=ticket_id or None,
    )
    moved = replace(
        session,
        current_tier=to_tier,
        status="ESCALATED",
        escalation_history=[*session.escalation_history, entry],
        issue_summary=issue_summary(session.issue_category, "ESCALATED", to_tier),
        failed_attempts=0,
        tier_replies=0,
        updated_at=now,
    )
    return moved, entry


class SessionService:
    def __init__(
        self,
        repo: ConversationRepository,
        *,
        repeat_contact_window_s: float = 7 * 86_400,
        ticketed: Callable[[str, str], Awaitable[bool]] | None = None,
        manual_escalation: ManualEscalation | None = None,
    ) -> None:
        self.repo = repo
        self.repeat_contact_window_s = repeat_contact_window_s
        # Asks the escalation service whether a session has a ticket this service never saw (None: not asked).
        self.ticketed = ticketed
        # The escalation service's decision on a manual escalation (None: not wired, so none is allowed).
        self.manual_escalation = manual_escalation

    async def repeat_contacts(self, tenant_id: str, customer_id: str) -> int:
        """Earlier contacts of this customer that count as coming back (seed 002 REPEAT_CONTACT): sessions opened
        within the window in which they wrote; a session opened but never used, or a months-old one, is not."""
        since = datetime.now(UTC) - timedelta(seconds=self.repeat_contact_window_s)
        since_iso = since.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        return await self.repo.count_recent_contacts(tenant_id, customer_id, since_iso)

    async def get(self, tenant_id: str, session_id: str) -> Session:
        session = await self.repo.get_session(tenant_id, session_id)
        if session is None:
            raise NotFound("Session not found", {"session_id": session_id})
        return session

    async def view(self, tenant_id: str, session_id: str, limit: int) -> tuple[Session, list[Message]]:
        session = await self.get(tenant_id, session_id)
        return session, await self.repo.list_messages(tenant_id, session_id, limit)

    async def start(
        self, tenant_id: str, cmd: StartSessionV1, emit: Emit, *, event_id: str | None = None, test: bool = False
    ) -> Session:
        """Open a session (`test`: a seed 001 test turn's own). An existing id is returned or a Conflict, except
        to a redelivery of the command `event_id` that created it, which gets that session back."""
        # Derived from the command, so a redelivered StartSession finds the session it opened, not a second one.
        session_id = cmd.session_id or (new_session_id() if event_id is None else derived_session_id(event_id))
        now = now_iso()
        session = Session(
            session_id=session_id,
            tenant_id=tenant_id,
            customer_id=cmd.customer_id,
            channel=cmd.channel,
            dialect=cmd.dialect,
            created_at=now,
            updated_at=now,
            last_activity_at=now,
            issue_category=cmd.issue_category,
            issue_summary=issue_summary(cmd.issue_category, "ACTIVE", "AI_REP"),
            metadata=dict(cmd.metadata or {}),
            test=test,
            repeat_contacts=await self.repeat_contacts(tenant_id, cmd.customer_id),
            created_by=event_id,
        )
        try:
            # The insert is the existence check (one store call less per new session than a read first).
            stored = await self.repo.insert_session(session)
        except Conflict:
            existing = await self.repo.get_session(tenant_id, session_id)
            redelivered = existing is not None and event_id is not None and existing.created_by == event_id
            if existing is not None and (cmd.if_exists == "return" or redelivered):
                return existing
            raise Conflict("Session already exists", {"session_id": session_id}) from None
        await emit(events.created(stored), stored)
        return stored

    async def search(self, tenant_id: str, query: ListSessionsV1) -> tuple[list[Session], int]:
        filters: dict[str, Any] = {}
        for value, field in (
            (query.customer_id, "customer_id"),
            (query.status, "status"),
            (query.tier, "current_tier"),
        ):
            if value:
                filters[field] = value
        bounds = {}
        if query.start_date:
            bounds["$gte"] = iso_bound(query.start_date, "start_date")
        if query.end_date:
            bounds["$lte"] = iso_bound(query.end_date, "end_date")
        if bounds:
            filters["created_at"] = bounds
        return await self.repo.list_sessions(tenant_id, filters, limit=query.limit, offset=query.offset)

    async def escalate_manually(self, tenant_id: str, cmd: EscalateSessionV1, emit: Emit) -> Session:
        session = await self.get(tenant_id, cmd.session_id)
        check_open(session)
        if self.manual_escalation is None:
            raise Unavailable("the escalation policy is not wired", {"step": "escalation"})
        to_tier = await self.manual_escalation(tenant_id, session.session_id, session.current_tier, cmd.model_dump())
        return await self.move_tier(
            session,
            to_tier=to_tier,
            reasons=[cmd.reason],
            emit=emit,
            priority="medium",
            notes=cmd.notes,
            trigger="manual",
        )

    async def move_tier(
        self,
        session: Session,
        *,
        to_tier: str,
        reasons: list[str],
        emit: Emit,
        priority: str,
        notes: str | None = None,
        ticket_id: str | None = None,
        support_reason: str | None = None,
        trigger: str = "policy",
    ) -> Session:
        """Record the move in escalation_history, reset per-tier counters, emit SessionEscalated."""
        moved, entry = tier_move(
            session, to_tier, reasons, notes=notes, ticket_id=ticket_id, support_reason=support_reason
        )
        updated = await self.repo.update_session(session, moved)
        event = events.escalated(updated, entry, priority=priority, support_reason=support_reason, trigger=trigger)
        await emit(event, updated)
        return updated

    async def resolve(self, tenant_id: str, cmd: ResolveSessionV1, emit: Emit) -> Session:
        session = await self.get(tenant_id, cmd.session_id)
        check_open(session)
        now = now_iso()
        resolution = Resolution(
            type=cmd.resolution_type,
            summary=cmd.summary,
            actions_taken=list(cmd.actions_taken or []),
            follow_up_required=bool(cmd.follow_up_required),
        )
        resolved = replace(
            session,
            status="RESOLVED",
            resolution=resolution,
            resolved_at=now,
            updated_at=now,
            issue_summary=issue_summary(session.issue_category, "RESOLVED", session.current_tier),
        )
        updated = await self.repo.update_session(session, resolved)
        await emit(events.resolved(updated), updated)
        return updated

    async def close(self, tenant_id: str, session_id: str, emit: Emit) -> Session:
        session = await self.get(tenant_id, session_id)
        if session.status == "CLOSED":
            return session  # closing twice is a no-op (DELETE is idempotent)
        now = now_iso()
        ticketed = False
        if not session.escalation_history and self.ticketed is not None:
            ticketed = await self.ticketed(tenant_id, session_id)
        closed = replace(session, status="CLOSED", closed_at=now, updated_at=now)
        updated = await self.repo.update_session(session, closed)
        await emit(events.closed(updated, ticketed=ticketed), updated)
        return updated

    async def submit_feedback(
        self, tenant_id: str, cmd: SubmitFeedbackV1, emit: Emit, *, command_id: str
    ) -> dict[str, Any]:
        """One rating per session. The same rating again answers the stored one; its event is emitted again only
        for a redelivery of the command that stored it (a crash may have come before the send; the derived event
        id lets consumers drop the copy), never for a client's retry, which would count the rating twice."""
        session = await self.get(tenant_id, cmd.session_id)
        stored = session.feedback
        if stored is None:
            stored = Feedback(cmd.rating, cmd.comment, now_iso(), command_id)
            session = await self.repo.update_session(session, replace(session, feedback=stored))
        elif (stored.rating, stored.comment) != (cmd.rating, cmd.comment):
            raise Conflict("This conversation already has feedback", {"field": "rating", "rating": stored.rating})
        if stored.command_id == command_id:
            await emit(events.feedback_submitted(session), session)
        receipt = {"rating": stored.rating, "comment": stored.comment, "submitted_at": stored.submitted_at}
        return {"session_id": session.session_id, **receipt}

    async def sweep_idle(self, idle_s: float, emit: Emit) -> int:
        """Mark open sessions with no customer activity for `idle_s` ABANDONED; returns how many."""
        now = datetime.now(UTC)
        cutoff = (now - timedelta(seconds=idle_s)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        count = 0
        for session in await self.repo.idle_sessions(cutoff):
            at = now_iso()
            abandoned = replace(session, status="ABANDONED", abandoned_at=at, updated_at=at)
            updated = await self.repo.update_session(session, abandoned)
            await emit(events.abandoned(session, now), updated)
            count += 1
        if count:
            log.info("conversation.sessions_abandoned", count=count)
        return count
