"""Shared definitions in contracts/common/: a message refers to them by file, the registry bundles them into one
self-contained schema, and the conversation's messages are typed through them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from libs.contracts.models.conversation import SessionViewV1
from libs.contracts.registry import CONTRACTS_DIR, ContractRegistry, ContractViolation, default_registry
from libs.contracts.shared import SharedRefError, bundle

SCHEMA = "https://json-schema.org/draft/2020-12/schema"


def _write(path: Path, body: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"$schema": SCHEMA, **body}))
    return path


@pytest.fixture
def contracts(tmp_path: Path) -> Path:
    _write(tmp_path / "common/Color.json", {"title": "Color", "type": "string", "enum": ["red", "blue"]})
    thing = {
        "title": "Thing",
        "type": "object",
        "additionalProperties": False,
        "required": ["color", "part"],
        "properties": {"color": {"$ref": "../common/Color.json"}, "part": {"$ref": "#/$defs/Part"}},
        "$defs": {"Part": {"title": "Part", "type": "object", "additionalProperties": False, "properties": {}}},
    }
    _write(tmp_path / "common/Thing.json", thing)
    message = {
        "title": "PaintV1",
        "type": "object",
        "additionalProperties": False,
        "required": ["thing"],
        "properties": {"thing": {"$ref": "../common/Thing.json"}, "also": {"$ref": "../common/Color.json"}},
    }
    _write(tmp_path / "x/Paint.v1.json", message)
    (tmp_path / "topics.yaml").write_text(yaml.safe_dump({"topics": {"x.events": {"messages": ["x.Paint.v1"]}}}))
    return tmp_path


def test_a_shared_file_is_bundled_once_with_its_own_definitions(contracts: Path) -> None:
    registry = ContractRegistry(contracts)
    schema = registry.schema("x.Paint.v1")
    assert set(schema["$defs"]) == {"Thing", "Color", "Part"}, "each file once, its nested $defs hoisted"
    assert schema["properties"]["thing"] == {"$ref": "#/$defs/Thing"}
    registry.validate("x.Paint.v1", {"thing": {"color": "red", "part": {}}, "also": "blue"})
    with pytest.raises(ContractViolation):
        registry.validate("x.Paint.v1", {"thing": {"color": "green", "part": {}}})
    # Compiling a validator must not rewrite the registry's schema (prune_nones follows its local refs).
    assert registry.schema("x.Paint.v1")["properties"]["thing"] == {"$ref": "#/$defs/Thing"}


def test_a_reference_to_a_missing_file_is_refused(contracts: Path) -> None:
    path = _write(contracts / "x/Bad.v1.json", {"title": "BadV1", "properties": {"a": {"$ref": "../common/Nope.json"}}})
    with pytest.raises(SharedRefError):
        bundle(json.loads(path.read_text()), path.parent)


def _session(**changes: Any) -> dict[str, Any]:
    at = "2026-01-01T00:00:00.000Z"
    session = {
        "session_id": "sess_1", "tenant_id": "t", "customer_id": "c", "channel": "chat", "dialect": "tiered_cs",
        "status": "ACTIVE", "current_tier": "AI_REP", "issue_category": None, "issue_summary": "General inquiry",
        "customer_sentiment": "NEUTRAL", "sentiment_history": [], "escalation_history": [], "escalations": [],
        "resolution": None, "metadata": {"customer": {"tier": None}}, "title": None, "category": "general",
        "agent_used": None, "message_count": 0, "failed_attempts": 0, "tier_replies": 0, "created_at": at,
        "updated_at": at, "last_activity_at": at,
    }  # fmt: skip
    return session | changes


def test_a_session_travels_with_its_nulls_and_its_free_form_metadata_untouched() -> None:
    view = SessionViewV1.model_validate({"session": _session(), "messages": []})
    data = default_registry().dump("conversation.SessionView.v1", view)
    assert "title" not in data["session"] and "closed_at" not in data["session"], "a None travels as absent"
    assert SessionViewV1.model_validate(data).session.title is None, "and reads back as None"
    assert data["session"]["metadata"] == {"customer": {"tier": None}}, "the caller's map as it was sent"


@pytest.mark.parametrize(
    ("field", "value"),
    [("channel", "fax"), ("status", "PENDING"), ("customer_sentiment", "MEH"), ("extra", 1)],
)
def test_the_session_record_is_closed_and_its_vocabularies_are_enums(field: str, value: Any) -> None:
    with pytest.raises(ContractViolation):
        view = {"session": _session(**{field: value}), "messages": []}
        default_registry().validate("conversation.SessionView.v1", view)


def test_each_vocabulary_is_declared_once() -> None:
    """Channels, sentiment levels and session statuses live in contracts/common/ only; messages refer to them."""
    for name in ("Channel", "SentimentLevel", "SessionStatus"):
        values = json.loads((CONTRACTS_DIR / "common" / f"{name}.json").read_text())["enum"]
        needle = json.dumps(values)
        copies = [p for p in CONTRACTS_DIR.glob("*/*.json") if needle in json.dumps(json.loads(p.read_text()))]
        assert copies == [CONTRACTS_DIR / "common" / f"{name}.json"], f"{name} is declared again in {copies}"
