"""Seed 001 test endpoints (admin only, when SWITCHBOARD_GATEWAY_TEST_ENDPOINTS is on; else 404):
POST /api/test/query - a real turn on the local provider in a session marked as a test (left out of analytics);
POST /api/test/escalation - a ticket on such a session; GET /api/test/metrics - sample data, labelled as such."""

from __future__ import annotations

import random
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Body
from pydantic import BaseModel, ConfigDict, Field

from libs.contracts.models.conversation import PostMessageV1, TurnResultV1
from libs.contracts.models.escalation import CreateTicketV1
from libs.errors import NotFound
from services.gateway.auth import Principal
from services.gateway.deps import Caller, Gateway, GatewayDep
from services.gateway.dialects.support_agent.envelope import DIALECT
from services.gateway.dialects.support_agent.metrics_routes import Metrics
from services.gateway.dialects.support_agent.query_routes import QueryBody, model_used
from services.gateway.dialects.support_agent.responses import TestQueryOut, TestTicketReceipt
from services.gateway.input_policy import contract_length, contract_max_length

router = APIRouter(prefix="/api/test", route_class=DIALECT.route_class(), tags=["support agent: test"])

SAMPLE_MODELS = ("llama-3.3-70b-versatile", "openai/gpt-oss-120b", "llama-3.1-8b-instant")
TEST_PREFIX = "test_"
# The session id goes into conversation.PostMessage.v1 with TEST_PREFIX in front: room for the prefix (a 200-character
# id was a 500 past the contract's validation).
TEST_SESSION_MAX = (contract_max_length(PostMessageV1, "session_id") or 200) - len(TEST_PREFIX)


class TestQueryBody(QueryBody):
    model_config = ConfigDict(extra="forbid")
    session_id: Annotated[
        str, Field(min_length=1, max_length=TEST_SESSION_MAX, pattern=r"^[A-Za-z0-9_.:-]+$", strict=True)
    ]


class TestEscalationBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    query: str = Field(default="Test escalation: I need to speak to a person.", min_length=1, max_length=2000)
    # Copied into escalation.CreateTicket.v1: its limits (a longer priority was a 500 past validation).
    reason: Annotated[str, contract_length(CreateTicketV1, "reason")] = "manual_request"
    priority: Annotated[str, contract_length(CreateTicketV1, "priority")] = "medium"


class SampleMetrics(Metrics):
    sample: bool = True  # generated figures, not measurements


def _enabled(gw: Gateway, caller: Principal) -> None:
    if not gw.settings.test_endpoints:
        raise NotFound("Not found", {"path": "test endpoints are switched off (SWITCHBOARD_GATEWAY_TEST_ENDPOINTS)"})
    caller.require("admin")


async def _test_turn(gw: Gateway, caller: Principal, text: str, session: str, customer: str) -> TurnResultV1:
    command = PostMessageV1(
        session_id=session, customer_id=customer, text=text, channel="api", dialect="support_agent",
        escalate_on_negative_sentiment=True, create_if_missing=True, test=True,
    )  # fmt: skip
    return await gw.clients.conversation.post_message(caller, command)


@router.post("/query", response_model=TestQueryOut, response_model_exclude_unset=True)
async def test_query(body: TestQueryBody, caller: Caller, gw: GatewayDep) -> dict[str, Any]:
    """The /api/query shape plus `test: true`. The session id is prefixed `test_` so a test never continues a
    real conversation."""
    _enabled(gw, caller)
    session = body.session_id if body.session_id.startswith(TEST_PREFIX) else f"{TEST_PREFIX}{body.session_id}"
    data = await _test_turn(gw, caller, body.query, session, body.customer_id)
    turn = data.turn
    return {
        "response": data.reply_message.content,
        "model_used": model_used(turn),
        "sentiment_score": turn.sentiment.score,
        "complexity_score": turn.complexity_score,
        "response_time_ms": turn.response_time_ms,
        "escalated": turn.escalated,
        "escalation_reason": turn.escalation_reason,
        "ticket_id": turn.ticket_id,
        "cached": turn.cached,
        "test": True,
    }


@router.post("/escalation", response_model=TestTicketReceipt, response_model_exclude_unset=True)
async def test_escalation(
    caller: Caller, gw: GatewayDep, body: Annotated[TestEscalationBody | None, Body()] = None
) -> TestTicketReceipt:
    """A fresh test session, one test turn, then a ticket on it, as POST /api/escalation answers."""
    _enabled(gw, caller)
    spec = body or TestEscalationBody()
    session = f"{TEST_PREFIX}{uuid.uuid4().hex[:12]}"
    await _test_turn(gw, caller, spec.query, session, "test_customer")
    command = CreateTicketV1.model_validate({"session_id": session, "reason": spec.reason, "priority": spec.priority})
    receipt = await gw.clients.escalation.create_ticket(caller, command)
    return TestTicketReceipt.model_validate({**receipt.model_dump(exclude_none=True), "test": True})


@router.get("/metrics", response_model=SampleMetrics)
async def test_metrics(caller: Caller, gw: GatewayDep, timeframe: str = "day") -> SampleMetrics:
    """Sample figures in the GET /api/metrics shape (`sample: true`), the same for the same timeframe."""
    _enabled(gw, caller)
    rng = random.Random(timeframe)
    usage = {m: rng.randint(50, 500) for m in SAMPLE_MODELS}
    cost = {m: round(n * rng.uniform(0.0002, 0.002), 4) for m, n in usage.items()}
    total = sum(usage.values()) + rng.randint(0, 50)
    sentiment = {"positive": total // 2, "neutral": total // 3, "negative": total - total // 2 - total // 3}
    return SampleMetrics.model_validate(
        {
            "timeframe": timeframe if timeframe in ("hour", "day", "week", "month") else "day",
            "total_queries": total, "avg_response_time_ms": round(rng.uniform(300, 1500), 1),
            "model_usage": usage, "sentiment_distribution": sentiment,
            "escalation_rate": round(rng.uniform(0.05, 0.2), 3), "cache_hit_rate": round(rng.uniform(0.1, 0.4), 3),
            "cost_metrics": {"total_cost": round(sum(cost.values()), 4),
                             "cost_per_query": round(sum(cost.values()) / total, 6), "cost_by_model": cost},
        }
    )  # fmt: skip
