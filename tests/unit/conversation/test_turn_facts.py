"""What the turn pipeline tells the escalation policy: a first turn has no failed attempts, failed attempts count
this session's unhelpful replies, repeat contacts count the customer's recent used sessions, and support-agent
sessions ask for seed 001's negative-sentiment rule. Fake ports, real pipeline, in-memory store."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from libs.llm import LLMService, LLMSettings
from libs.store import open_store
from services.conversation.cache import open_cache
from services.conversation.domain import Session, next_failed_attempts
from services.conversation.pipeline.ports import (
    EscalationQuery,
    EscalationVerdict,
    Redaction,
    Retrieval,
    SentimentReading,
)
from services.conversation.pipeline.turn import Ports, TurnPipeline, TurnRequest
from services.conversation.sessions import SessionService
from services.conversation.settings import StepDeadlines
from services.conversation.store import ConversationRepository

UPSET = SentimentReading(label="negative", score=-0.8, cs_level="IRATE", irate=True)


class PlainRedactor:
    async def redact(self, text: str, *, tenant_id: str, key: str, deadline_s: float) -> Redaction:
        return Redaction(text=text)


@dataclass
class FixedSentiment:
    reading: SentimentReading

    async def analyze(self, text: str, *, tenant_id: str, key: str, deadline_s: float) -> SentimentReading:
        return self.reading


class NoKnowledge:
    async def retrieve(self, query: str, *, tenant_id: str, key: str, top_k: int, deadline_s: float) -> Retrieval:
        return Retrieval()


@dataclass
class RecordingEscalation:
    queries: list[EscalationQuery] = field(default_factory=list)

    async def evaluate(self, query: EscalationQuery, *, deadline_s: float) -> EscalationVerdict:
        self.queries.append(query)
        return EscalationVerdict(target_tier=query.current_tier)


def _session(**overrides: Any) -> Session:
    at = "2026-01-01T00:00:00.000Z"
    session = Session(
        session_id="test_3",
        tenant_id="t1",
        customer_id="test_user",
        channel="api",
        dialect="support_agent",
        created_at=at,
        updated_at=at,
        last_activity_at=at,
        repeat_contacts=2,
    )
    return replace(session, **overrides)


ANGRY_TEXT = "This is terrible! Nothing works and I am extremely frustrated!"


async def _facts_sent(
    session: Session,
    reading: SentimentReading = UPSET,
    text: str = ANGRY_TEXT,
    *,
    negative_escalates: bool = False,
) -> EscalationQuery:
    escalation = RecordingEscalation()
    ports = Ports(PlainRedactor(), FixedSentiment(reading), NoKnowledge(), escalation, LLMService(LLMSettings()))
    pipeline = TurnPipeline(ports, open_cache(None, ttl_s=60), StepDeadlines())
    request = TurnRequest(
        tenant_id="t1", session=session, text=text, message_id="m1", escalate_on_negative_sentiment=negative_escalates
    )
    await pipeline.run(request)
    (query,) = escalation.queries
    return query


async def test_first_turn_of_a_new_session_has_no_failed_attempts() -> None:
    query = await _facts_sent(_session(), negative_escalates=True)
    assert query.facts["failed_attempts"] == 0
    assert query.facts["repeat_contacts"] == 2
    assert query.facts["sentiment_score"] == -0.8
    assert query.negative_sentiment is True, "the turn's policy asks for the negative-sentiment rule"


async def test_turns_without_the_negative_sentiment_policy_follow_the_irate_protocol() -> None:
    # The session's dialect plays no part: only the policy field the gateway's dialect sets on the command does.
    query = await _facts_sent(_session(dialect="support_agent"))
    assert query.negative_sentiment is False


async def test_failed_attempts_count_this_sessions_unhelpful_replies() -> None:
    after_one_reply = _session(message_count=2, tier_replies=1, last_reply_answered=True)
    assert (await _facts_sent(after_one_reply)).facts["failed_attempts"] == 1  # still upset after a reply
    calm = SentimentReading(label="neutral", score=0.1, cs_level="NEUTRAL")
    thanks = "Thanks, that worked."
    assert (await _facts_sent(after_one_reply, calm, thanks)).facts["failed_attempts"] == 0
    # The bookkeeping itself: no reply yet means nothing failed, whatever the mood.
    assert next_failed_attempts(_session(), negative=True) == 0
    assert next_failed_attempts(_session(tier_replies=2, failed_attempts=1), negative=True) == 2
    assert next_failed_attempts(_session(tier_replies=1, last_reply_answered=False), negative=False) == 1


def _iso(at: datetime) -> str:
    return at.isoformat(timespec="milliseconds").replace("+00:00", "Z")


@pytest.mark.parametrize(
    ("age", "message_count", "customer", "counts"),
    [
        (timedelta(minutes=5), 2, "test_user", True),
        (timedelta(days=6), 4, "test_user", True),
        (timedelta(days=8), 4, "test_user", False),  # outside the 7-day window
        (timedelta(minutes=5), 0, "test_user", False),  # opened but never used
        (timedelta(minutes=5), 2, "someone_else", False),
    ],
    ids=["recent", "within-window", "too-old", "empty", "other-customer"],
)
async def test_repeat_contacts_are_recent_used_sessions(
    age: timedelta, message_count: int, customer: str, counts: bool
) -> None:
    repo = ConversationRepository(open_store(database="repeat"))
    sessions = SessionService(repo, repeat_contact_window_s=7 * 86_400)
    created = _iso(datetime.now(UTC) - age)
    earlier = _session(session_id="earlier", customer_id=customer, message_count=message_count, created_at=created)
    await repo.insert_session(earlier)
    await repo.insert_session(_session(session_id="other_tenant", tenant_id="t2", message_count=3, created_at=created))
    assert await sessions.repeat_contacts("t1", "test_user") == (1 if counts else 0)
