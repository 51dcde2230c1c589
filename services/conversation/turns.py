"""One customer turn end to end: PostMessage fields in; pipeline, persisted messages, session update, events and
the TurnResult data out. Idempotent per `Idempotency-Key`."""

from __future__ import annotations

import time
import uuid
from datetime import datetime
from typing import Any

from libs.errors import NotFound
from services.conversation import events
from services.conversation.domain import (
    AI_DOWN_TEXT,
    HANDOFF_TEXT,
    TIER_ROLE,
    check_message,
    check_open,
    issue_summary,
    now_iso,
    suggested_actions,
    tier_rank,
    title_from,
)
from services.conversation.events import Emit
from services.conversation.pipeline.deadline import Deadline, TurnTimer
from services.conversation.pipeline.turn import TurnOutcome, TurnPipeline, TurnRequest
from services.conversation.sessions import SessionService
from services.conversation.store import ConversationRepository


def _message_id() -> str:
    return f"msg_{uuid.uuid4().hex[:16]}"


class TurnService:
    def __init__(self, repo: ConversationRepository, sessions: SessionService, pipeline: TurnPipeline) -> None:
        self.repo = repo
        self.sessions = sessions
        self.pipeline = pipeline
        self.timer = TurnTimer()

    async def post_message(
        self, tenant_id: str, cmd: dict[str, Any], emit: Emit, *, deadline_at: datetime | None = None
    ) -> dict[str, Any]:
        started = time.perf_counter()
        deadline = Deadline(None if deadline_at is None else deadline_at.timestamp())
        # Queued (nearly) past its deadline: the requester has gone or will have before the turn ends; skip it.
        self.timer.admit(deadline)
        text = check_message(cmd["text"])
        turn_key = f"idem:{cmd['session_id']}:{cmd['idempotency_key']}" if cmd.get("idempotency_key") else None
        if turn_key is not None:
            earlier = await self.repo.get_turn(tenant_id, turn_key)
            if earlier is not None:
                return earlier
        session = await self._session(tenant_id, cmd, emit)
        check_open(session)
        message_id = _message_id()
        outcome = await self.pipeline.run(
            TurnRequest(
                tenant_id=tenant_id,
                session=session,
                text=text,
                message_id=message_id,
                want_category=bool(cmd.get("want_category")),
                want_agent=bool(cmd.get("want_agent")),
                want_alternatives=bool(cmd.get("want_alternatives")),
                local_only=bool(session.get("test")),
                deadline=deadline,
            )
        )
        deadline.check("persist")  # nothing of the turn is stored or published once its requester gave up
        persist_started = time.perf_counter()
        customer = self._customer_message(session, message_id, text, outcome)
        await self.repo.add_message(customer)
        total_ms = round((time.perf_counter() - started) * 1000, 2)
        outcome.steps.ms["persist"] = round((time.perf_counter() - persist_started) * 1000, 2)
        reply = self._reply_message(session, customer, outcome, total_ms)
        await self.repo.add_message(reply)
        session = await self._update_session(session, customer, outcome, emit)
        await self._emit_turn(session, customer, reply, outcome, emit)
        result = {
            "session": session,
            "customer_message": customer,
            "reply_message": reply,
            "turn": _turn_facts(session, outcome, reply, total_ms),
        }
        if turn_key is not None:
            await self.repo.save_turn(tenant_id, turn_key, result, now_iso())
        self.timer.record(time.perf_counter() - started)
        return result

    async def _session(self, tenant_id: str, cmd: dict[str, Any], emit: Emit) -> dict[str, Any]:
        session = await self.repo.get_session(tenant_id, cmd["session_id"])
        if session is not None:
            return session
        if not cmd.get("create_if_missing"):
            raise NotFound("Session not found", {"session_id": cmd["session_id"]})
        spec = {
            "session_id": cmd["session_id"],
            "customer_id": cmd.get("customer_id") or "anonymous",
            "channel": cmd["channel"],
            "dialect": cmd["dialect"],
            "metadata": {},
            "if_exists": "return",
            "test": bool(cmd.get("test")),
        }
        return await self.sessions.start(tenant_id, spec, emit)

    def _customer_message(
        self, session: dict[str, Any], message_id: str, text: str, outcome: TurnOutcome
    ) -> dict[str, Any]:
        reading = outcome.sentiment
        return {
            "message_id": message_id,
            "tenant_id": session["tenant_id"],
            "session_id": session["session_id"],
            "customer_id": session["customer_id"],
            "seq": session["message_count"] + 1,
            "role": "customer",
            "content": text,
            "redacted_content": outcome.redaction.text,
            "pii_detected": list(outcome.redaction.pii_detected),
            "pii_token": outcome.redaction.token,
            "timestamp": now_iso(),
            "sentiment": reading.cs_level,
            "metadata": {
                "sentimentScore": reading.score,
                "sentimentLabel": reading.label,
                "sentimentAvailable": reading.available,
                "irate": reading.irate,
            },
        }

    def _reply_message(
        self, session: dict[str, Any], customer: dict[str, Any], outcome: TurnOutcome, total_ms: float
    ) -> dict[str, Any]:
        answer, verdict, tier = outcome.answer, outcome.verdict, session["current_tier"]
        text = answer.text if answer else (HANDOFF_TEXT if outcome.handoff else AI_DOWN_TEXT)
        return {
            "message_id": _message_id(),
            "tenant_id": session["tenant_id"],
            "session_id": session["session_id"],
            "customer_id": session["customer_id"],
            "seq": session["message_count"] + 2,
            "role": TIER_ROLE[tier] if answer else "system",
            "content": text,
            "timestamp": now_iso(),
            "metadata": {
                "aiGenerated": answer is not None,
                "model": answer.model if answer else None,
                "modelId": answer.model_id if answer else None,
                "provider": answer.provider if answer else None,
                "tokens": {"input": answer.input_tokens, "output": answer.output_tokens} if answer else _no_tokens(),
                "latencyMs": round(total_ms),
                "generationMs": answer.latency_ms if answer else 0.0,
                "actionsTaken": _actions(outcome, tier),
                "suggestedActions": suggested_actions(
                    outcome.redaction.text, escalated=verdict.escalate, irate=outcome.sentiment.irate
                ),
                "sentimentScore": outcome.sentiment.score,
                "complexityScore": outcome.complexity,
                "confidence": answer.confidence if answer else None,
                "sources": list(answer.sources) if answer else [],
                "cached": bool(answer and answer.cached),
                "escalated": verdict.escalate,
                "escalationReason": escalation_reason(outcome),
                "ticketId": verdict.ticket_id,
                "tier": tier,
                "replyTo": customer["message_id"],
                "handoff": outcome.handoff,
                "agentUsed": outcome.agent,
                "category": outcome.insight_category,
                "costUsd": answer.cost_usd if answer and not answer.cached else 0.0,
                "requiresHumanReview": bool(answer and answer.requires_human_review) or verdict.escalate,
                "complianceFlags": list(outcome.compliance.flags),
                "degraded": list(outcome.steps.degraded),
                "stepMs": dict(outcome.steps.ms),
            },
        }

    async def _update_session(
        self, session: dict[str, Any], customer: dict[str, Any], outcome: TurnOutcome, emit: Emit
    ) -> dict[str, Any]:
        reading, verdict, now = outcome.sentiment, outcome.verdict, now_iso()
        category = session.get("issue_category") or outcome.issue_category
        changes: dict[str, Any] = {
            "message_count": session["message_count"] + 2,
            "failed_attempts": outcome.failed_attempts,
            "tier_replies": session.get("tier_replies", 0) + (0 if outcome.handoff else 1),
            "last_reply_answered": bool(outcome.answer and outcome.answer.answered),
            "last_activity_at": now,
            "updated_at": now,
            "issue_category": category,
            "issue_summary": issue_summary(category, session["status"], session["current_tier"]),
            "title": session.get("title") or title_from(outcome.redaction.text),
            "category": _crm_category(session, outcome),
            "agent_used": outcome.agent or session.get("agent_used"),
            "needs_review": session.get("needs_review", False) or (verdict.escalate and not verdict.available),
        }
        if reading.available:
            changes["customer_sentiment"] = reading.cs_level
            point = {"sentiment": reading.cs_level, "score": reading.score, "timestamp": customer["timestamp"]}
            changes["sentiment_history"] = [*session["sentiment_history"], point]
        if verdict.ticket_id:
            ticket = {"ticket_id": verdict.ticket_id, "reason": escalation_reason(outcome), "created_at": now}
            changes["escalations"] = [*session.get("escalations", []), {**ticket, "status": "open"}]
        updated = await self.repo.update_session(session["tenant_id"], session["session_id"], changes)
        if verdict.escalate and tier_rank(verdict.target_tier) > tier_rank(session["current_tier"]):
            updated = await self.sessions.move_tier(
                updated,
                to_tier=verdict.target_tier,
                reasons=list(verdict.reasons),
                emit=emit,
                priority=verdict.priority,
                ticket_id=verdict.ticket_id,
                support_reason=verdict.support_reason,
                trigger="policy" if verdict.available else "degraded",
            )
        return updated

    async def _emit_turn(
        self,
        session: dict[str, Any],
        customer: dict[str, Any],
        reply: dict[str, Any],
        outcome: TurnOutcome,
        emit: Emit,
    ) -> None:
        await emit(events.received(session, customer, outcome), session)
        await emit(events.replied(session, reply, outcome), session)
        if outcome.answer is not None and outcome.answer.cached:
            await emit(events.cache_hit(session, reply, outcome), session)


def _no_tokens() -> dict[str, int]:
    return {"input": 0, "output": 0}


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


def _crm_category(session: dict[str, Any], outcome: TurnOutcome) -> str:
    """The conversation's support/sales/general label: set by the agent router, else by the first categorised turn."""
    if outcome.agent or session.get("category", "general") == "general":
        return outcome.crm_category
    return str(session["category"])


def _turn_facts(
    session: dict[str, Any], outcome: TurnOutcome, reply: dict[str, Any], total_ms: float
) -> dict[str, Any]:
    meta, verdict, reading = reply["metadata"], outcome.verdict, outcome.sentiment
    answer = outcome.answer
    return {
        "response_time_ms": round(total_ms),
        "model": meta["model"],
        "model_id": meta["modelId"],
        "provider": meta["provider"],
        "tokens": meta["tokens"],
        "cost_usd": meta["costUsd"],
        "sentiment": {
            "label": reading.label,
            "score": reading.score,
            "cs_level": reading.cs_level,
            "irate": reading.irate,
            "available": reading.available,
        },
        "complexity_score": outcome.complexity,
        "confidence": answer.confidence if answer else None,
        "answered": bool(answer and answer.answered),
        "sources": meta["sources"],
        "rag_context": [
            {
                "content": p.content,
                "source": p.source,
                "score": p.score,
                "filename": p.filename,
                "chunk_id": p.chunk_id,
                "article_id": p.article_id,
            }
            for p in outcome.retrieval.passages
        ],
        "knowledge_version": outcome.retrieval.knowledge_version,
        "escalated": verdict.escalate,
        "escalation_reason": meta["escalationReason"],
        "escalation_reasons": list(verdict.reasons),
        "escalation_explanation": verdict.explanation,
        "target_tier": verdict.target_tier,
        "priority": verdict.priority,
        "ticket_id": verdict.ticket_id,
        "cached": meta["cached"],
        "handoff": outcome.handoff,
        "agent_used": outcome.agent,
        "category": outcome.insight_category,
        "issue_category": session.get("issue_category"),
        "requires_human_review": meta["requiresHumanReview"],
        "compliance": {"passed": outcome.compliance.passed, "flags": list(outcome.compliance.flags)},
        "alternatives": list(outcome.alternatives),
        "actions_taken": meta["actionsTaken"],
        "suggested_actions": meta["suggestedActions"],
        "pii_detected": list(outcome.redaction.pii_detected),
        "degraded": list(outcome.steps.degraded),
        "step_ms": dict(outcome.steps.ms),
    }
