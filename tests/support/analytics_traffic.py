"""A scripted day of domain events for the analytics tests: sessions, turns, escalations, resolutions, ratings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pydantic import BaseModel

from libs.bus.base import Bus
from libs.contracts.models.conversation import (
    ConversationCreatedV1,
    MessageReceivedV1,
    MessageRepliedV1,
    SessionAbandonedV1,
    SessionEscalatedV1,
    SessionResolvedV1,
)
from libs.contracts.models.escalation import EscalationUpdatedV1

DAY = datetime(2026, 3, 2, tzinfo=UTC)


def _ts(offset_min: float) -> str:
    return (DAY + timedelta(minutes=offset_min)).isoformat()


@dataclass(frozen=True)
class SessionScript:
    session_id: str
    start_min: float
    channel: str = "chat"
    score: float = 0.5
    level: str = "SATISFIED"
    escalate_to: str | None = None
    outcome: str = "resolved"  # resolved | abandoned | open


def events(script: SessionScript) -> list[BaseModel]:
    """The conversation.events one session emits, in order."""
    s, t = script.session_id, script.start_min
    base = {"session_id": s, "customer_id": f"cust-{s}"}
    out: list[BaseModel] = [
        ConversationCreatedV1(**base, channel=script.channel, dialect="tiered_cs", tier="AI_REP", created_at=_ts(t)),
        MessageReceivedV1(
            **base, message_id=f"{s}-m1", channel=script.channel, tier="AI_REP", length=20,
            sentiment_label="positive" if script.score > 0 else "negative", sentiment_score=script.score,
            cs_level=script.level, sentiment_available=True, pii_detected=[], received_at=_ts(t + 1),
        ),
        MessageRepliedV1(
            **base, message_id=f"{s}-r1", reply_to=f"{s}-m1", channel=script.channel, dialect="tiered_cs",
            tier="AI_REP", ai_generated=True, model="local-extractive", model_id="local", provider="local",
            tokens={"input": 100, "output": 40}, cost_usd=0.0014, latency_ms=200, sentiment_score=script.score,
            cs_level=script.level, complexity_score=0.2, confidence=0.9, cached=False, escalated=False,
            escalation_reasons=[], sources_count=1, agent_used=None, category="billing",
            requires_human_review=False, compliance_flags=[], degraded=[], step_ms={}, replied_at=_ts(t + 1.5),
        ),
    ]  # fmt: skip
    tier = "AI_REP"
    if script.escalate_to:
        tier = script.escalate_to
        out.append(
            SessionEscalatedV1(
                **base, from_tier="AI_REP", to_tier=tier, reason="CUSTOMER_REQUEST", reasons=["CUSTOMER_REQUEST"],
                support_reason=None, priority="medium", ticket_id=None, trigger="manual", notes=None,
                escalated_at=_ts(t + 3),
            )
        )  # fmt: skip
    if script.outcome == "resolved":
        out.append(
            SessionResolvedV1(
                **base, tier=tier, resolution_type="solved", follow_up_required=False, message_count=2,
                duration_s=600.0, escalated=bool(script.escalate_to), resolved_at=_ts(t + 10),
            )
        )  # fmt: skip
    elif script.outcome == "abandoned":
        out.append(
            SessionAbandonedV1(
                **base, tier=tier, message_count=2, idle_s=1800.0, escalated=False, abandoned_at=_ts(t + 40)
            )
        )
    return out


SCRIPT = (
    SessionScript("s1", 60),
    SessionScript("s2", 90, channel="email", score=-0.8, level="IRATE", escalate_to="HUMAN_AGENT"),
    SessionScript("s3", 26 * 60, outcome="abandoned"),
    SessionScript("s4", 26 * 60 + 5, escalate_to="AI_MANAGER", outcome="open"),
)


def rating(session_id: str, value: int) -> EscalationUpdatedV1:
    return EscalationUpdatedV1(
        ticket_id=f"t-{session_id}", session_id=session_id, priority="medium", reason="CUSTOMER_REQUEST",
        status="resolved", previous_status="open", customer_satisfaction=value, changed=["customer_satisfaction"],
        created_at=_ts(100), updated_at=_ts(200),
    )  # fmt: skip


async def send_day(bus: Bus, tenant: str, *, ratings: bool = True) -> int:
    """Publish the script for `tenant`; returns the number of events sent."""
    sent = 0
    for script in SCRIPT:
        for event in events(script):
            await bus.publish("conversation.events", event, key=script.session_id, tenant_id=tenant)
            sent += 1
    if ratings:
        await bus.publish("escalation.events", rating("s2", 4), key="s2", tenant_id=tenant)
        sent += 1
    return sent
