"""Issue 17 #1: every message that crosses a service boundary is typed. An object in a contract either declares its
properties (closed) or types its values; `additionalProperties: true`, or an `object` that says nothing about its
contents, is refused, except the few metadata maps the seeds document as free-form (ALLOWLIST below). Those stay
free-form but bounded: `maxProperties` in the contract, and the depth and size bound (`x-maxDepth`, `x-maxBytes`)
that the gateway's input policy enforces on every free-form field a client sends."""

from __future__ import annotations

from typing import Any

import pytest

from libs.contracts.registry import CONTRACTS_DIR, ContractRegistry
from services.gateway.input_policy import MAX_BYTES, MAX_DEPTH, MAX_KEYS
from tests.contract.test_contracts import _objects

# Free-form maps the seeds document as "additional context" a client may fill with anything: (type, JSON pointer).
ALLOWLIST: dict[tuple[str, str], str] = {
    # seed 000 POST /api/v1/review/queue `metadata` (customer_id, interaction_id, ... whatever the caller keeps)
    ("escalation.QueueReview.v1", "#/properties/metadata"): "seed 000 review metadata",
    # the same map, echoed to the reviewers beside the item
    ("escalation.ReviewList.v1", "#/$defs/ReviewItem/properties/metadata"): "seed 000 review metadata",
    # seed 003 POST /api/v1/knowledge-base `metadata` (author, source, ...: the article's own fields)
    ("rag.UpsertArticle.v1", "#/properties/metadata"): "seed 003 article metadata",
    # seed 002 POST /sessions `metadata` (the customer's context: tier, account, ...), kept with the session
    ("conversation.StartSession.v1", "#/properties/metadata"): "seed 002 session metadata",
    ("conversation.TurnResult.v1", "#/$defs/Session/properties/metadata"): "seed 002 session metadata",
    ("conversation.SessionView.v1", "#/$defs/Session/properties/metadata"): "seed 002 session metadata",
    ("conversation.SessionPage.v1", "#/$defs/Session/properties/metadata"): "seed 002 session metadata",
    # seed 002 message `metadata` (aiGenerated, model, tokens, latencyMs, ...: what each dialect renders of a reply)
    ("conversation.TurnResult.v1", "#/$defs/Message/properties/metadata"): "seed 002 message metadata",
    ("conversation.SessionView.v1", "#/$defs/Message/properties/metadata"): "seed 002 message metadata",
    # seed 000 POST /api/v1/ai/generate and seed 004 POST /chat `context` (anything the caller knows)
    ("conversation.PostMessage.v1", "#/properties/context"): "seed 000/004 context",
    ("conversation.Generate.v1", "#/properties/context"): "seed 000 generate context",
    # seed 004 POST /crm/create_user `preferences`, echoed on the user record
    ("conversation.CreateCrmUser.v1", "#/properties/preferences"): "seed 004 user preferences",
    ("conversation.CrmUser.v1", "#/$defs/CrmUserRecord/properties/preferences"): "seed 004 user preferences",
}


def untyped_objects(message_type: str, schema: dict[str, Any]) -> list[str]:
    """Pointers of the objects in `schema` whose contents are not typed and that the allowlist does not name."""
    problems = []
    for pointer, obj in _objects(schema):
        extra = obj.get("additionalProperties")
        typed = "properties" in obj or isinstance(extra, dict) or "patternProperties" in obj
        if (extra is True or not typed) and (message_type, pointer) not in ALLOWLIST:
            problems.append(f"{message_type} {pointer}")
    return problems


@pytest.fixture(scope="module")
def registry() -> ContractRegistry:
    return ContractRegistry(CONTRACTS_DIR)


def test_every_message_crossing_a_boundary_is_typed(registry: ContractRegistry) -> None:
    problems = [
        problem
        for message_type in registry.types()
        for problem in untyped_objects(message_type, registry.schema(message_type))
    ]
    assert problems == [], "give these objects properties (or typed values), or allowlist a documented free-form map"


@pytest.mark.parametrize(("message_type", "pointer"), sorted(ALLOWLIST))
def test_each_allowlisted_map_is_free_form_and_bounded(
    registry: ContractRegistry, message_type: str, pointer: str
) -> None:
    node: Any = registry.schema(message_type)
    for part in pointer.removeprefix("#/").split("/"):
        node = node[part]
    assert node.get("additionalProperties") is True, "an allowlisted map is free-form (else take it off the list)"
    # The bounds the contract states are the ones the gateway enforces on what a client sends (input_policy).
    assert node.get("maxProperties") == MAX_KEYS
    assert node.get("x-maxDepth") == MAX_DEPTH
    assert node.get("x-maxBytes") == MAX_BYTES


def test_the_contract_refuses_a_map_past_its_key_bound(registry: ContractRegistry) -> None:
    """maxProperties is enforced on the bus too, not only stated: a producer that skipped the gateway is refused."""
    body = {"query": "q", "response": "r", "metadata": {f"k{i}": i for i in range(MAX_KEYS + 1)}}
    with pytest.raises(Exception, match="metadata"):
        registry.validate("escalation.QueueReview.v1", body)
    registry.validate("escalation.QueueReview.v1", {**body, "metadata": {"k": {"nested": [1, "two"]}}})


def test_the_check_finds_untyped_objects() -> None:
    schema = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "bag": {"type": "object", "additionalProperties": True},
            "maybe": {"type": ["object", "null"]},
            "scores": {"type": "object", "additionalProperties": {"type": "number"}},
            "rows": {"type": "array", "items": {"type": "object", "additionalProperties": True}},
        },
    }
    assert untyped_objects("x.Thing.v1", schema) == [
        "x.Thing.v1 #/properties/bag",
        "x.Thing.v1 #/properties/maybe",
        "x.Thing.v1 #/properties/rows/items",
    ]
