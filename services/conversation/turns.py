"""One customer turn end to end: PostMessage fields in; pipeline, persisted messages, session update, events and
the TurnResult data out. Idempotent per `Idempotency-Key`."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import datetime

from pydantic import BaseModel

from libs.bus import derived_id
from libs.contracts.models.conversation import PostMessageV1, StartSessionV1, TurnResultV1
from libs.errors import NotFound
from services.conversation import events
from services.conversation.domain import (
    AI_DOWN_TEXT,
    HANDOFF_TEXT,
    TIER_ROLE,
    EscalationEntry,
    Message,
    SentimentPoint,
    Session,
    TicketRef,
    check_message,
    check_open,
    issue_summary,
    now_iso,
    tier_rank,
    title_from,
)
from services.conversation.events import Emit, RecordedSession, record, replay_events
from services.conversation.intents import suggested_actions
from services.conversation.pipeline.deadline import Deadline, TurnTimer
from services.conversation.pipeline.turn import TurnOutcome, TurnPipeline, TurnRequest
from services.conversation.sessions import SessionService, tier_move
from services.conversation.store import ConversationRepository, TurnWrite
from services.conversation.turn_facts import turn_facts
from services.conversation.views import message_model, session_model


def message_id_for(event_id: str, role: str) -> str:
    """Derived from the command's event id: a redelivered PostMessage writes the same ids, never new ones."""
    return f"msg_{derived_id(event_id, role)[:16]}"


class TurnService:
    def __init__(self, repo: ConversationRepository, sessions: SessionService, pipeline: TurnPipeline) -> None:
        self.repo = repo
        self.sessions = sessions
        self.pipeline = pipeline
        self.timer = TurnTimer()

    async def post_message(
        self, tenant_id: str, cmd: PostMessageV1, emit: Emit, *, event_id: str, deadline_at: datetime | None = None
    ) -> TurnResultV1:
        """Runs the turn of the command `event_id` once: a redelivery gets the stored result and changes nothing."""
        handled = await self.repo.handled(tenant_id, event_id)
        if handled is not None:
            # Re-published with the same derived event ids (consumers drop them as duplicates): a crash between
            # the commit and the publishing would otherwise lose this turn's events for good.
            recorded = RecordedSession(tenant_id, handled["result"]["session"]["session_id"])
            for event in replay_events(handled):
                await emit(event, recorded)
            return TurnResultV1.model_validate(handled["result"])
        started = time.perf_counter()
        deadline = Deadline(None if deadline_at is None else deadline_at.timestamp())
        # Queued (nearly) past its deadline: the requester has gone or will have before the turn ends; skip it.
        self.timer.admit(deadline)
        text = check_message(cmd.text)
        turn_key = f"idem:{cmd.session_id}:{cmd.idempotency_key}" if cmd.idempotency_key else None
        if turn_key is not None:
            earlier = await self.repo.get_turn(tenant_id, turn_key)
            if earlier is not None:
                return TurnResultV1.model_validate(earlier)
        session = await self._session(tenant_id, cmd, emit)
        check_open(session)
        request = TurnRequest(
            tenant_id=tenant_id, session=session, text=text, message_id=message_id_for(event_id, "customer"),
            want_category=bool(cmd.want_category),
            want_agent=bool(cmd.want_agent),
            want_alternatives=bool(cmd.want_alternatives),
            escalate_on_negative_sentiment=bool(cmd.escalate_on_negative_sentiment),
            local_only=session.test,
            deadline=deadline,
        )  # fmt: skip
        outcome = await self.pipeline.run(request)
        deadline.check("persist")  # nothing of the turn is stored or published once its requester gave up
        customer = self._customer_message(session, request.message_id, text, outcome)
        total_ms = round((time.perf_counter() - started) * 1000, 2)
        reply = self._reply_message(session, customer, outcome, total_ms, message_id_for(event_id, "reply"))
        updated, move = self._session_after(session, customer, outcome)
        result = TurnResultV1.model_validate(
            {
                "session": session_model(updated),
                "customer_message": message_model(customer),
                "reply_message": message_model(reply),
                "turn": turn_facts(updated, outcome, reply, total_ms),
            }
        )
        turn_events = self._turn_events(updated, customer, reply, outcome, move)
        persist_started = time.perf_counter()
        stored = result.model_dump(mode="json")
        await self.repo.commit_turn(
            TurnWrite(event_id, session, updated, customer, reply, stored, turn_key, now_iso(), record(turn_events))
        )
        outcome.steps.ms["persist"] = round((time.perf_counter() - persist_started) * 1000, 2)
        for event in turn_events:
            await emit(event, updated)
        self.timer.record(time.perf_counter() - started)
        return result

    async def _session(self, tenant_id: str, cmd: PostMessageV1, emit: Emit) -> Session:
        session = await self.repo.get_session(tenant_id, cmd.session_id)
        if session is not None:
            return session
        if not cmd.create_if_missing:
            raise NotFound("Session not found", {"session_id": cmd.session_id})
        start = StartSessionV1(
            session_id=cmd.session_id,
            customer_id=cmd.customer_id or "anonymous",
            channel=cmd.channel,
            dialect=cmd.dialect,
            if_exists="return",
        )
        return await self.sessions.start(tenant_id, start, emit, test=bool(cmd.test))

    def _customer_message(self, session: Session, message_id: str, text: str, outcome: TurnOutcome) -> Message:
        reading = outcome.sentiment
        return Message(
            message_id=message_id,
            tenant_id=session.tenant_id,
            session_id=session.session_id,
            customer_id=session.customer_id,
            seq=session.message_count + 1,
            role="customer",
            content=text,
            # Unredacted (privacy unavailable): store no "redacted" copy and claim no PII finding either way.
            redacted_content=outcome.redaction.text if outcome.redaction.available else None,
            pii_detected=list(outcome.redaction.pii_detected) if outcome.redaction.available else None,
            redaction=redaction_state(outcome),
            pii_token=outcome.redaction.token,
            timestamp=now_iso(),
            sentiment=reading.cs_level,
            metadata={
                "sentiment_score": reading.score,
                "sentiment_label": reading.label,
                "sentiment_available": reading.available,
                "irate": reading.irate,
            },
        )

    def _reply_message(
        self, session: Session, customer: Message, outcome: TurnOutcome, total_ms: float, message_id: str
    ) -> Message:
        answer, verdict, tier = outcome.answer, outcome.verdict, session.current_tier
        text = answer.text if answer else (HANDOFF_TEXT if outcome.handoff else AI_DOWN_TEXT)
        return Message(
            message_id=message_id,
            tenant_id=session.tenant_id,
            session_id=session.session_id,
            customer_id=session.customer_id,
            seq=session.message_count + 2,
            role=TIER_ROLE[tier] if answer else "system",
            content=text,
            timestamp=now_iso(),
            metadata={
                "ai_generated": answer is not None,
                "model": answer.model if answer else None,
                "model_id": answer.model_id if answer else None,
                "provider": answer.provider if answer else None,
                "tokens": {
                    "input": answer.input_tokens if answer else 0,
                    "output": answer.output_tokens if answer else 0,
                },
                "latency_ms": round(total_ms),
                "generation_ms": answer.latency_ms if answer else 0.0,
                "actions_taken": _actions(outcome, tier),
                "suggested_actions": suggested_actions(
                    outcome.redaction.text, escalated=verdict.escalate, irate=outcome.sentiment.irate
                ),
                "sentiment_score": outcome.sentiment.score,
                "complexity_score": outcome.complexity,
                "confidence": answer.confidence if answer else None,
                "sources": list(answer.sources) if answer else [],
                "cached": bool(answer and answer.cached),
                "escalated": verdict.escalate,
                "escalation_reason": escalation_reason(outcome),
                "ticket_id": verdict.ticket_id,
                "tier": tier,
                "reply_to": customer.message_id,
                "handoff": outcome.handoff,
                "agent_used": outcome.agent,
                "category": outcome.insight_category,
                "cost_usd": answer.cost_usd if answer and not answer.cached else 0.0,
                "requires_human_review": bool(answer and answer.requires_human_review) or verdict.escalate,
                "compliance_flags": list(outcome.compliance.flags),
                "degraded": list(outcome.steps.degraded),
                "redaction": redaction_state(outcome),
                "step_ms": dict(outcome.steps.ms),
            },
        )

    def _session_after(
        self, session: Session, customer: Message, outcome: TurnOutcome
    ) -> tuple[Session, EscalationEntry | None]:
        """The session after the turn (a policy tier move included) and that move's history entry, if any."""
        reading, verdict, now = outcome.sentiment, outcome.verdict, now_iso()
        category = session.issue_category or outcome.issue_category
        after = replace(
            session,
            message_count=session.message_count + 2,
            failed_attempts=outcome.failed_attempts,
            tier_replies=session.tier_replies + (0 if outcome.handoff else 1),
            last_reply_answered=bool(outcome.answer and outcome.answer.answered),
            last_activity_at=now,
            updated_at=now,
            issue_category=category,
            issue_summary=issue_summary(category, session.status, session.current_tier),
            title=session.title or _title(outcome),
            category=_crm_category(session, outcome),
            agent_used=outcome.agent or session.agent_used,
            needs_review=session.needs_review or (verdict.escalate and not verdict.available),
        )
        if reading.available:
            point = SentimentPoint(reading.cs_level, reading.score, customer.timestamp)
            after = replace(
                after, customer_sentiment=reading.cs_level, sentiment_history=[*after.sentiment_history, point]
            )
        if verdict.ticket_id:
            ticket = TicketRef(verdict.ticket_id, escalation_reason(outcome), now)
            after = replace(after, escalations=[*after.escalations, ticket])
        if not (verdict.escalate and tier_rank(verdict.target_tier) > tier_rank(session.current_tier)):
            return after, None
        return tier_move(
            after, verdict.target_tier, list(verdict.reasons), ticket_id=verdict.ticket_id,
            support_reason=verdict.support_reason,
        )  # fmt: skip

    def _escalated_event(self, session: Session, entry: EscalationEntry, outcome: TurnOutcome) -> BaseModel:
        verdict = outcome.verdict
        trigger = "policy" if verdict.available else "degraded"
        return events.escalated(
            session, entry, priority=verdict.priority, support_reason=verdict.support_reason, trigger=trigger
        )

    def _turn_events(
        self,
        session: Session,
        customer: Message,
        reply: Message,
        outcome: TurnOutcome,
        move: EscalationEntry | None,
    ) -> list[BaseModel]:
        """The events of the turn, in publishing order (their derived ids depend on it)."""
        out = [] if move is None else [self._escalated_event(session, move, outcome)]
        out += [events.received(session, customer, outcome), events.replied(session, reply, outcome)]
        if outcome.answer is not None and outcome.answer.cached:
            out.append(events.cache_hit(session, reply, outcome))
        return out


def redaction_state(outcome: TurnOutcome) -> str:
    """ "unavailable" flags a turn whose text the privacy service could not redact (nothing left the process)."""
    return "applied" if outcome.redaction.available else "unavailable"


def _title(outcome: TurnOutcome) -> str | None:
    # An unredacted text may hold names the local scrubber cannot see: no title until a redacted turn gives one.
    return title_from(outcome.redaction.text) if outcome.redaction.available else None


def _actions(outcome: TurnOutcome, tier: str) -> list[str]:
    actions = []
    if outcome.retrieval.passages:
        actions.append("knowledge_base_search")
    if outcome.handoff:
        actions.append("routed_to_human_agent")
    if outcome.verdict.escalate and tier_rank(outcome.verdict.target_tier) > tier_rank(tier):
        actions.append(f"escalated_to_{outcome.verdict.target_tier.lower()}")
    if outcome.verdict.ticket_id:
        actions.append("ticket_created")
    return actions


def escalation_reason(outcome: TurnOutcome) -> str | None:
    """Seed 001's reason word: the policy's support reason, else its leading seed 002 reason, lower-cased."""
    verdict = outcome.verdict
    if not verdict.escalate:
        return None
    if verdict.support_reason:
        return verdict.support_reason
    return verdict.reasons[0].lower() if verdict.reasons else "policy"


def _crm_category(session: Session, outcome: TurnOutcome) -> str:
    """The conversation's support/sales/general label: set by the agent router, else by the first categorised turn."""
    if outcome.agent or session.category == "general":
        return outcome.crm_category
    return session.category
