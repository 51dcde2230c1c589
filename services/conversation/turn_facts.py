"""The TurnResult's `turn` facts: what the dialects render about one turn besides its two messages."""

from __future__ import annotations

from typing import Any

from services.conversation.domain import Message, Session
from services.conversation.pipeline.turn import TurnOutcome


def turn_facts(session: Session, outcome: TurnOutcome, reply: Message, total_ms: float) -> dict[str, Any]:
    meta, verdict, reading = reply.metadata, outcome.verdict, outcome.sentiment
    answer = outcome.answer
    return {
        "response_time_ms": round(total_ms),
        "model": meta["model"],
        "model_id": meta["model_id"],
        "provider": meta["provider"],
        "tokens": meta["tokens"],
        "cost_usd": meta["cost_usd"],
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
        "escalation_reason": meta["escalation_reason"],
        "escalation_reasons": list(verdict.reasons),
        "escalation_explanation": verdict.explanation,
        "target_tier": verdict.target_tier,
        "priority": verdict.priority,
        "ticket_id": verdict.ticket_id,
        "cached": meta["cached"],
        "handoff": outcome.handoff,
        "agent_used": outcome.agent,
        "category": outcome.insight_category,
        "issue_category": session.issue_category,
        "requires_human_review": meta["requires_human_review"],
        "compliance": {"passed": outcome.compliance.passed, "flags": list(outcome.compliance.flags)},
        "alternatives": list(outcome.alternatives),
        "actions_taken": meta["actions_taken"],
        "suggested_actions": meta["suggested_actions"],
        "pii_detected": list(outcome.redaction.pii_detected) if outcome.redaction.available else None,
        "redaction": "applied" if outcome.redaction.available else "unavailable",
        "degraded": list(outcome.steps.degraded),
        "step_ms": dict(outcome.steps.ms),
    }
