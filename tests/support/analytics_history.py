"""A generated history of sessions for the analytics tests: seeded random sessions over some days, each with
scored messages, replies, escalations to any tier and an outcome (resolved, closed after resolving, abandoned
or still open), some lasting across hours, days and months, some customers coming back."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from pydantic import BaseModel

from libs.bus import Envelope
from libs.contracts.models.conversation import (
    ConversationCreatedV1,
    MessageReceivedV1,
    SessionAbandonedV1,
    SessionClosedV1,
    SessionEscalatedV1,
    SessionResolvedV1,
)
from tests.support.analytics_traffic import DAY, SessionScript, events

START = datetime(2026, 2, 25, tzinfo=UTC)
TIERS = ("AI_REP", "AI_MANAGER", "HUMAN_AGENT")


def _ts(at: datetime) -> str:
    return at.isoformat()


def _session(rng: random.Random, i: int, days: float) -> list[BaseModel]:
    """One session's conversation.events, in order."""
    s = f"g{i}"
    t = START + timedelta(minutes=rng.uniform(0, days * 1440))
    base = {"session_id": s, "customer_id": f"c{rng.randrange(max(1, i // 3) + 1)}"}
    out: list[BaseModel] = [
        ConversationCreatedV1(**base, channel=rng.choice(("chat", "email")), dialect="tiered_cs", tier="AI_REP",
                              created_at=_ts(t)),
    ]  # fmt: skip
    step = timedelta(minutes=rng.choice((1, 7, 45, 300, 2000)))  # some sessions span hours, days, months
    tier = "AI_REP"
    for n in range(rng.randrange(0, 4)):
        t += step
        score = round(rng.uniform(-1, 1), 3)
        out.append(MessageReceivedV1(
            **base, message_id=f"{s}-m{n}", channel="chat", tier=tier, length=10, sentiment_label="neutral",
            sentiment_score=score, cs_level="IRATE" if score < -0.8 else "NEUTRAL", sentiment_available=True,
            pii_detected=[], received_at=_ts(t),
        ))  # fmt: skip
        if rng.random() < 0.25:
            t += step
            to = rng.choice(TIERS[1:])
            out.append(SessionEscalatedV1(
                **base, from_tier=tier, to_tier=to, reason="CUSTOMER_REQUEST", reasons=["CUSTOMER_REQUEST"],
                support_reason=None, priority="medium", ticket_id=None, trigger="manual", notes=None,
                escalated_at=_ts(t),
            ))  # fmt: skip
            tier = to
    t += step
    outcome = rng.choice(("resolved", "resolved_closed", "abandoned", "closed", "open"))
    if outcome.startswith("resolved"):
        out.append(SessionResolvedV1(
            **base, tier=tier, resolution_type="solved", follow_up_required=False, message_count=2,
            duration_s=round(rng.uniform(10, 9000), 1), escalated=tier != "AI_REP", resolved_at=_ts(t),
        ))  # fmt: skip
    if outcome.endswith("closed"):
        out.append(SessionClosedV1(**base, tier=tier, message_count=2, duration_minutes=rng.randrange(1, 500),
                                   escalated=tier != "AI_REP", closed_at=_ts(t + step)))  # fmt: skip
    if outcome == "abandoned":
        out.append(SessionAbandonedV1(**base, tier=tier, message_count=1, idle_s=1800.0, escalated=False,
                                      abandoned_at=_ts(t)))  # fmt: skip
    return out


def history(sessions: int, *, days: float = 10, seed: int = 14) -> list[list[Envelope]]:
    """Per session, its envelopes in order (tenant "acme"); one in ten sessions is the scripted day's shape,
    with replies and ratings."""
    rng = random.Random(seed)
    out = []
    for i in range(sessions):
        if i % 10 == 9:
            at = (START - DAY) / timedelta(minutes=1) + rng.uniform(0, days * 1440)
            made = events(SessionScript(f"g{i}", at, escalate_to=rng.choice(TIERS[1:])))
        else:
            made = _session(rng, i, days)
        out.append([envelope(e, f"g{i}") for e in made])
    return out


def envelope(event: BaseModel, session: str, tenant: str = "acme") -> Envelope:
    name = type(event).__name__.removesuffix("V1")
    return Envelope(source="test", type=f"conversation.{name}.v1", tenantid=tenant, correlationid=session,
                    subject=session, data=event.model_dump(mode="json"))  # fmt: skip
