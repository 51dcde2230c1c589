"""Human review of AI responses (seed 000 /api/v1/review/queue and /decision): request validation, the
estimated-review-time formula, item ids and the documented response shapes. Pure."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from libs.errors import Invalid

QUEUED = "queued"
REVIEWED = "reviewed"
STATUSES = (QUEUED, REVIEWED)

# Priority 1 is the most urgent, 5 the least; items are reviewed by priority, then oldest first.
MIN_PRIORITY, MAX_PRIORITY, DEFAULT_PRIORITY = 1, 5, 3
# estimated_review_time = now + MINUTES_PER_ITEM × (queued items at least as urgent + 1).
MINUTES_PER_ITEM = 15

_QUEUE_FIELDS = frozenset({"query", "response", "category", "priority", "metadata"})
_DECISION_FIELDS = frozenset({"item_id", "approved", "feedback", "edits"})


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


def validate_queue(body: Any) -> dict[str, Any]:
    """A POST /review/queue body -> clean fields (category defaults to "general", priority to 3)."""
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
    return {
        "query": _string(body, "query", 20_000, required=True),
        "response": _string(body, "response", 50_000, required=True),
        "category": _string(body, "category", 100, required=False) or "general",
        "priority": priority,
        "metadata": metadata,
    }


def validate_decision(body: Any) -> dict[str, Any]:
    """A POST /review/decision body -> clean fields; edits must be an object of strings."""
    body = _check_object(body, _DECISION_FIELDS)
    item_id = _string(body, "item_id", 100, required=True)
    approved = body.get("approved")
    if not isinstance(approved, bool):
        raise Invalid("approved must be a boolean", {"field": "approved"})
    edits = {} if body.get("edits") is None else body["edits"]
    if not isinstance(edits, dict) or not all(isinstance(v, str) for v in edits.values()) or len(edits) > 20:
        raise Invalid("edits must be an object of at most 20 string fields", {"field": "edits"})
    return {
        "item_id": item_id,
        "approved": approved,
        "feedback": _string(body, "feedback", 10_000, required=False),
        "edits": edits,
    }


def final_response(item: dict[str, Any], decision: dict[str, Any]) -> str | None:
    """What may be sent after review: the reviewer's edit, else the original; nothing when rejected."""
    if not decision["approved"]:
        return None
    return decision["edits"].get("modified_response") or item["response"]


def queued_view(doc: dict[str, Any]) -> dict[str, Any]:
    """POST /review/queue `data`."""
    return {
        "item_id": doc["item_id"],
        "status": doc["status"],
        "estimated_review_time": doc["estimated_review_time"],
    }


def decided_view(doc: dict[str, Any]) -> dict[str, Any]:
    """POST /review/decision `data`."""
    return {
        "item_id": doc["item_id"],
        "status": doc["status"],
        "review_time": doc["review_time"],
        "reviewer_id": doc["reviewer_id"],
    }


def item_view(doc: dict[str, Any]) -> dict[str, Any]:
    """One item of the reviewers' list: the original beside any edits and the decision."""
    keys = (
        "item_id", "status", "query", "response", "category", "priority", "metadata", "created_at",
        "estimated_review_time", "approved", "feedback", "edits", "final_response", "reviewer_id",
        "review_time",
    )  # fmt: skip
    return {key: doc.get(key) for key in keys}
