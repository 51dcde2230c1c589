"""Seed 000 POST /api/v1/review/queue and /review/decision, plus GET /api/v1/review/queue for reviewers: the human
review queue, answered by the escalation service over the bus, in the insights envelope."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from libs.contracts.models.escalation import DecideReviewV1, QueueReviewV1
from services.gateway.deps import Caller, GatewayDep
from services.gateway.dialects.insights.envelope import DIALECT, ok
from services.gateway.dialects.insights.responses import Ok, ReviewListV1, ReviewReceiptV1, ReviewVerdictV1
from services.gateway.input_policy import FreeForm

router = APIRouter(prefix="/api/v1/review", route_class=DIALECT.route_class(), tags=["insights: human review"])

# Who may put AI responses up for review (the pipeline's agents) and who may decide on them.
QUEUE_ROLES = ("agent", "reviewer")
REVIEW_ROLES = ("reviewer",)  # admin always passes Principal.require


class QueueRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    query: str = Field(min_length=1, max_length=20_000, strict=True)
    response: str = Field(min_length=1, max_length=50_000, strict=True)
    category: str | None = Field(default=None, min_length=1, max_length=100, strict=True)
    priority: int = Field(default=3, ge=1, le=5, strict=True, description="1 = most urgent .. 5")
    metadata: FreeForm = Field(default_factory=dict)


class DecisionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    item_id: str = Field(min_length=1, max_length=100, strict=True)
    approved: bool = Field(strict=True)
    feedback: str | None = Field(default=None, max_length=10_000, strict=True)
    edits: dict[str, Annotated[str, Field(max_length=50_000, strict=True)]] = Field(default_factory=dict, max_length=20)


TIME_FIELDS = ("estimated_review_time", "review_time", "created_at")


M = TypeVar("M", bound=BaseModel)


def _seed_times(reply: M) -> M:
    """The seed's timestamp style (UTC, no offset, microseconds: 2023-08-15T16:30:00.000000) for time fields."""
    changes: dict[str, str] = {}
    for key in TIME_FIELDS:
        value = getattr(reply, key, None)
        if isinstance(value, str):
            moment = datetime.fromisoformat(value).astimezone(UTC).replace(tzinfo=None)
            changes[key] = moment.isoformat(timespec="microseconds")
    return reply.model_copy(update=changes)


@router.post("/queue", response_model=Ok[ReviewReceiptV1], response_model_exclude_unset=True)
async def queue_for_review(body: QueueRequest, caller: Caller, gw: GatewayDep) -> dict[str, Any]:
    caller.require(*QUEUE_ROLES)
    command = QueueReviewV1.model_validate(body.model_dump(exclude_none=True))
    return ok(_seed_times(await gw.clients.escalation.queue_review(caller, command)))


@router.post("/decision", response_model=Ok[ReviewVerdictV1], response_model_exclude_unset=True)
async def record_decision(body: DecisionRequest, caller: Caller, gw: GatewayDep) -> dict[str, Any]:
    """reviewer_id is the authenticated reviewer; a second decision on an item is 409."""
    caller.require(*REVIEW_ROLES)
    command = DecideReviewV1.model_validate({**body.model_dump(exclude_none=True), "reviewer_id": caller.subject_id})
    return ok(_seed_times(await gw.clients.escalation.decide_review(caller, command)))


@router.get("/queue", response_model=Ok[ReviewListV1], response_model_exclude_unset=True)
async def list_review_queue(
    caller: Caller,
    gw: GatewayDep,
    status: Literal["queued", "reviewed", "all"] = "queued",
    category: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,  # bounded: ≥ 2^63 once reached the store as a 503
) -> dict[str, Any]:
    """Items most urgent first, then oldest; each with its original response beside any edits and the decision."""
    caller.require(*REVIEW_ROLES)
    page = await gw.clients.escalation.list_reviews(
        caller, status=status, category=category, limit=limit, offset=offset
    )
    page = page.model_copy(update={"items": [_seed_times(item) for item in page.items]})
    # Dumped whole here: an undecided item answers its decision fields (approved, feedback, …) as null.
    return ok(page.model_dump(mode="json"))
