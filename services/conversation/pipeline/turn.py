"""The turn pipeline: a customer message and its session in; redaction, sentiment, sources, answer, verdict out.

redact -> (sentiment || retrieval) -> cache | route+generate -> compliance -> escalation policy. Persisting and
events are the caller's (services/conversation/turns.py). Every step runs under its deadline and falls back
visibly (StepLog.degraded) instead of failing the turn."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

from libs.llm import ComplianceCheck, check_compliance, complexity_score
from services.conversation.cache import ResponseCache
from services.conversation.domain import cache_key, next_failed_attempts
from services.conversation.intents import agent_for, categorize, sounds_upset
from services.conversation.pipeline import escalate, redact, retrieve, sentiment
from services.conversation.pipeline.generate import LOCAL_MODEL_ID, Answer, generate_answer
from services.conversation.pipeline.model import Ports, TurnOutcome, TurnRequest
from services.conversation.pipeline.ports import (
    EscalationQuery,
    EscalationVerdict,
    Redaction,
    Retrieval,
    SentimentReading,
)
from services.conversation.pipeline.steps import StepLog
from services.conversation.settings import StepDeadlines

INSIGHT_CATEGORIES = (
    "account_access", "billing", "loan_inquiry", "investment_advice", "fraud_report", "technical_support",
    "order_status", "refund_request", "complaint", "general_inquiry",
)  # fmt: skip
# TurnRequest, TurnOutcome and Ports live in model.py; re-exported because bootstrap, turns and events name them here.
__all__ = [
    "INSIGHT_CATEGORIES",
    "NEGATIVE_AT",
    "REDACTION_UNAVAILABLE",
    "Ports",
    "TurnOutcome",
    "TurnPipeline",
    "TurnRequest",
]
NEGATIVE_AT = -0.3  # sentiment score at or below which the previous reply counts as not having helped


REDACTION_UNAVAILABLE = "redaction_unavailable"


class TurnPipeline:
    def __init__(self, ports: Ports, cache: ResponseCache, deadlines: StepDeadlines, *, top_k: int = 5) -> None:
        self.ports = ports
        self.cache = cache
        self.deadlines = deadlines
        self.top_k = top_k

    async def run(self, req: TurnRequest) -> TurnOutcome:
        steps = StepLog()
        session, tier = req.session, req.session.current_tier
        redaction = await self._redact(req, steps)
        req.deadline.check("redact")
        if not redaction.available:
            return self._closed(req, redaction, steps)
        if tier == "HUMAN_AGENT":
            return await self._handoff(req, redaction, steps)
        reading, found = await asyncio.gather(
            self._sentiment(req, redaction, steps), self._retrieve(req, redaction, steps)
        )
        req.deadline.check("analyze")
        outcome = TurnOutcome(
            redaction=redaction,
            sentiment=reading,
            retrieval=found,
            answer=None,
            verdict=EscalationVerdict(target_tier=tier),
            compliance=ComplianceCheck(passed=True),
            complexity=complexity_score(redaction.text),
            failed_attempts=next_failed_attempts(session, negative=_negative(reading) or sounds_upset(redaction.text)),
            handoff=False,
            steps=steps,
        )
        self._classify_locally(req, outcome)
        outcome.answer = await self._answer(req, outcome)
        if outcome.answer is not None:
            outcome.compliance = check_compliance(outcome.answer.text)
            steps.ms.setdefault("compliance", 0.0)
        if req.want_category and outcome.insight_category is None:
            outcome.insight_category = await self._classify_with_llm(redaction.text, steps)
        if req.want_alternatives and outcome.answer is not None:
            outcome.alternatives = await self._alternatives(req, outcome)
        req.deadline.check("generate")
        outcome.verdict = await self._escalate(req, outcome)
        return outcome

    # -- steps ------------------------------------------------------------------------------------------
    async def _redact(self, req: TurnRequest, steps: StepLog) -> Redaction:
        limit = req.deadline.cap(self.deadlines.privacy_s)
        work = self.ports.redactor.redact(
            req.text, tenant_id=req.tenant_id, key=req.session.session_id, deadline_s=limit
        )
        return await steps.run("redact", work, redact.fallback_redaction(req.text), limit)

    async def _sentiment(self, req: TurnRequest, redaction: Redaction, steps: StepLog) -> SentimentReading:
        limit = req.deadline.cap(self.deadlines.sentiment_s)
        work = self.ports.sentiment.analyze(
            redaction.text, tenant_id=req.tenant_id, key=req.message_id, deadline_s=limit
        )
        return await steps.run("sentiment", work, sentiment.UNAVAILABLE, limit)

    async def _retrieve(self, req: TurnRequest, redaction: Redaction, steps: StepLog) -> Retrieval:
        limit = req.deadline.cap(self.deadlines.retrieval_s)
        work = self.ports.retrieval.retrieve(
            redaction.text, tenant_id=req.tenant_id, key=req.session.session_id, top_k=self.top_k, deadline_s=limit
        )
        return await steps.run("retrieval", work, retrieve.UNAVAILABLE, limit)

    async def _handoff(self, req: TurnRequest, redaction: Redaction, steps: StepLog) -> TurnOutcome:
        """At HUMAN_AGENT the AI stays silent: the message is read for mood (for the agent) and routed on."""
        reading = await self._sentiment(req, redaction, steps)
        for name in ("retrieval", "generation", "escalation"):
            steps.skip(name)
        tier = req.session.current_tier
        return TurnOutcome(
            redaction=redaction,
            sentiment=reading,
            retrieval=Retrieval(),
            answer=None,
            verdict=EscalationVerdict(target_tier=tier, irate=reading.irate),
            compliance=ComplianceCheck(passed=True),
            complexity=complexity_score(redaction.text),
            failed_attempts=req.session.failed_attempts,
            handoff=True,
            steps=steps,
        )

    def _closed(self, req: TurnRequest, redaction: Redaction, steps: StepLog) -> TurnOutcome:
        """Privacy fails closed: the text could not be redacted, so no step that would carry it out of this
        process runs — no provider, no sentiment/rag/escalation command. The customer gets the fallback notice
        and the turn is flagged for a person, decided locally (an explicit request for a human is honoured)."""
        for name in ("sentiment", "retrieval", "generation", "escalation"):
            steps.skip(name)
        tier = req.session.current_tier
        query = EscalationQuery(
            tenant_id=req.tenant_id,
            session_id=req.session.session_id,
            customer_id=req.session.customer_id,
            current_tier=tier,
            text=redaction.text,
            facts={},
        )
        verdict = escalate.fallback_verdict(query)
        if verdict.target_tier == tier:
            verdict = replace(
                verdict,
                priority="high",
                support_reason=REDACTION_UNAVAILABLE,
                explanation="the privacy service could not redact the message: not sent to any AI, flagged for a human",
            )
        return TurnOutcome(
            redaction=redaction,
            sentiment=sentiment.UNAVAILABLE,
            retrieval=Retrieval(),
            answer=None,
            verdict=verdict,
            compliance=ComplianceCheck(passed=True),
            complexity=complexity_score(redaction.text),
            failed_attempts=req.session.failed_attempts,
            handoff=tier == "HUMAN_AGENT",
            steps=steps,
        )

    def _classify_locally(self, req: TurnRequest, outcome: TurnOutcome) -> None:
        found = categorize(outcome.redaction.text)
        if found is not None:
            outcome.issue_category, outcome.insight_category, outcome.crm_category = found
        if req.want_agent:
            outcome.agent = agent_for(outcome.redaction.text)
            outcome.crm_category = {"sales_agent": "sales", "support_agent": "support"}.get(outcome.agent, "general")

    async def _answer(self, req: TurnRequest, outcome: TurnOutcome) -> Answer | None:
        found, steps, tier = outcome.retrieval, outcome.steps, req.session.current_tier
        key = None
        if found.available and found.knowledge_version is not None:
            key = cache_key(req.tenant_id, tier, outcome.agent, outcome.redaction.text, found.knowledge_version)
            hit = await self.cache.get(key)
            if hit is not None:
                steps.ms["generation"] = 0.0
                return Answer.from_dict(hit, cached=True)
        limit = req.deadline.cap(self.deadlines.generation_s)
        answer = await steps.run("generation", self._generate(outcome, tier, found, req.local_only), None, limit)
        if key is not None and answer is not None and answer.answered:
            await self.cache.put(key, answer.to_dict())
        return answer

    async def _generate(self, outcome: TurnOutcome, tier: str, found: Retrieval, local_only: bool) -> Answer:
        return await generate_answer(
            self.ports.llm,
            prompt=outcome.redaction.text,
            passages=found.passages,
            sentiment=outcome.sentiment.score if outcome.sentiment.available else None,
            query_vector=found.query_vector,
            tier=tier,
            agent=outcome.agent,
            model_id=LOCAL_MODEL_ID if local_only else None,
        )

    async def _classify_with_llm(self, text: str, steps: StepLog) -> str:
        async def work() -> str:
            result = await self.ports.llm.classify(text, INSIGHT_CATEGORIES)
            return result.top_category

        return await steps.run("classify", work(), "general_inquiry", self.deadlines.classify_s)

    async def _alternatives(self, req: TurnRequest, outcome: TurnOutcome) -> list[str]:
        """A second answer drawn without the best passage: a real alternative, not a paraphrase."""
        passages = outcome.retrieval.passages
        if len(passages) < 2 or outcome.answer is None:
            return []
        alternative = Retrieval(passages=passages[1:], query_vector=outcome.retrieval.query_vector)
        tier = req.session.current_tier
        other = await outcome.steps.run(
            "alternatives",
            self._generate(outcome, tier, alternative, req.local_only),
            None,
            req.deadline.cap(self.deadlines.generation_s),
        )
        if other is None or not other.answered or other.text == outcome.answer.text:
            return []
        return [other.text]

    async def _escalate(self, req: TurnRequest, outcome: TurnOutcome) -> EscalationVerdict:
        query = EscalationQuery(
            tenant_id=req.tenant_id,
            session_id=req.session.session_id,
            customer_id=req.session.customer_id,
            current_tier=req.session.current_tier,
            text=outcome.redaction.text,
            facts=_facts(req, outcome),
            negative_sentiment=req.escalate_on_negative_sentiment,
        )
        limit = req.deadline.cap(self.deadlines.escalation_s)
        work = self.ports.escalation.evaluate(query, deadline_s=limit)
        verdict = await outcome.steps.run("escalation", work, escalate.fallback_verdict(query), limit)
        if outcome.answer is None and not verdict.escalate:
            # No provider answered: a person must pick this up even though the policy saw no trigger.
            return EscalationVerdict(
                escalate=True,
                target_tier=verdict.target_tier,
                reasons=verdict.reasons,
                priority="high",
                explanation="no AI provider answered: flagged for a human",
                support_reason="ai_unavailable",
                irate=verdict.irate,
                ticket_id=verdict.ticket_id,
                available=verdict.available,
            )
        return verdict


def _negative(reading: SentimentReading) -> bool:
    return reading.available and (reading.irate or reading.score <= NEGATIVE_AT)


def _facts(req: TurnRequest, outcome: TurnOutcome) -> dict[str, Any]:
    reading, answer = outcome.sentiment, outcome.answer
    facts: dict[str, Any] = {
        "complexity_score": outcome.complexity,
        "failed_attempts": outcome.failed_attempts,
        "repeat_contacts": req.session.repeat_contacts,
    }
    if reading.available:
        facts |= {"sentiment_score": reading.score, "sentiment_level": reading.cs_level, "irate": reading.irate}
    if answer is not None and outcome.retrieval.passages and answer.confidence is not None:
        facts["retrieval_confidence"] = answer.confidence
    category = req.session.issue_category or outcome.issue_category
    if category:
        facts["category"] = category
    policy_flags = [f for f in outcome.compliance.flags if not f.startswith("pii_")]
    if policy_flags:
        facts["policy_flags"] = policy_flags
    return facts
