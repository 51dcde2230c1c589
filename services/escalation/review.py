"""Human review of AI responses: request validation, the estimated-review-time formula, item ids and what a
decision lets through, over the ReviewItem domain object. Pure."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from libs.errors import Invalid

from .domain import ReviewItem, ReviewStatus

STATUSES = tuple(s.value for s in ReviewStatus)

# Priority 1 is the most urgent, 5 the least; items are reviewed by priority, then oldest first.
MIN_PRIORITY, MAX_PRIORITY, DEFAULT_PRIORITY = 1, 5, 3
# estimated_review_time = now + MINUTES_PER_ITEM × (queued items at least as urgent + 1).
MINUTES_PER_ITEM = 15

_QUEUE_FIELDS = frozenset({"query", "response", "category", "priority", "metadata"})
_DECISION_FIELDS = frozenset({"item_id", "approved", "feedback", "edits"})


@dataclass(frozen=True, slots=True)
class ReviewRequest:
    """A validated request to queue a response for review (category defaults to "general", priority to 3)."""

    query: str
    response: str
    category: str
    priority: int
    metadata: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ReviewDecision:
    """A reviewer's validated verdict on one item."""

    item_id: str
    approved: bool
    feedback: str | None = None
    edits: dict[str, str] = field(default_factory=dict)


def format_item_id(sequence: int) -> str:
    return f"rev-{sequence:06d}"


def estimate_review_time(now: datetime, items_ahead: int) -> datetime:
    return now + timedelta(minutes=MINUTES_PER_ITEM * (max(0, items_ahead) + 1))


def _check_object(body: Any, allowed: frozenset[str]) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise Invalid("request body must be a JSON object", {"field": "body"})
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise Invalid(f"unknown field: {unknown[0]}", {"field": unknown[0]})
    return body


def _string(body: dict[str, Any], key: str, max_len: int, *, required: bool) -> str | None:
    value = body.get(key)
    if value is None:
        if required:
            raise Invalid(f"{key} is required", {"field": key})
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > max_len:
        raise Invalid(f"{key} must be a non-empty string of at most {max_len} characters", {"field": key})
    return value


def validate_queue(body: Any) -> ReviewRequest:
    """A queue-review body -> a ReviewRequest; wrong fields raise Invalid naming them."""
    body = _check_object(body, _QUEUE_FIELDS)
    priority = body.get("priority", DEFAULT_PRIORITY)
    if isinstance(priority, bool) or not isinstance(priority, int) or not MIN_PRIORITY <= priority <= MAX_PRIORITY:
        raise Invalid(
            f"priority must be an integer from {MIN_PRIORITY} (most urgent) to {MAX_PRIORITY}",
            {"field": "priority", "min": MIN_PRIORITY, "max": MAX_PRIORITY},
        )
    metadata = {} if body.get("metadata") is None else body["metadata"]
    if not isinstance(metadata, dict):
        raise Invalid("metadata must be an object", {"field": "metadata"})
    query, response = _string(body, "query", 20_000, required=True), _string(body, "response", 50_000, required=True)
    assert query is not None and response is not None  # required
    category = _string(body, "category", 100, required=False) or "general"
    return ReviewRequest(query=query, response=response, category=category, priority=priority, metadata=metadata)


def validate_decision(body: Any) -> ReviewDecision:
    """A review-decision body -> a ReviewDecision; edits must be an object of strings."""
    body = _check_object(body, _DECISION_FIELDS)
    item_id = _string(body, "item_id", 100, required=True)
    assert item_id is not None  # required
    approved = body.get("approved")
    if not isinstance(approved, bool):
        raise Invalid("approved must be a boolean", {"field": "approved"})
    edits = {} if body.get("edits") is None else body["edits"]
    if not isinstance(edits, dict) or not all(isinstance(v, str) for v in edits.values()) or len(edits) > 20:
        raise Invalid("edits must be an object of at most 20 string fields", {"field": "edits"})
    feedback = _string(body, "feedback", 10_000, required=False)
    return ReviewDecision(item_id=item_id, approved=approved, feedback=feedback, edits=edits)


def final_response(item: ReviewItem, decision: ReviewDecision) -> str | None:
    """What may be sent after review: the reviewer's edit, else the original; nothing when rejected."""
    if not decision.approved:
        return None
    return decision.edits.get("modified_response") or item.response
