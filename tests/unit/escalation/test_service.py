"""EscalationService on an in-memory store: config GET/PUT, evaluate under a tenant's config, human review."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from libs.errors import Conflict, Invalid, InvalidEscalationTarget, NotFound
from libs.store import open_store
from services.escalation import replies
from services.escalation.company_config import DEFAULT_CONFIG
from services.escalation.domain import Reason, Tier
from services.escalation.service import EscalationService

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ITEM = {
    "query": "What stocks should I invest in?",
    "response": "Diversify across sectors.",
    "category": "investment_advice",
    "priority": 2,
    "metadata": {"customer_id": "cust-789", "interaction_id": "int-456"},
}


@pytest.fixture
async def service():
    store = open_store(database="escalation")
    svc = EscalationService(store, clock=lambda: NOW)
    await svc.start()
    yield svc
    await store.close()


async def test_config_defaults_update_and_isolation(service: EscalationService) -> None:
    assert (await service.company_config("c1")).data["tiers"]["ai_rep"]["capabilities"]["max_credit_amount"] == 10
    body = {"enabled": True, "tiers": {"ai_rep": {"capabilities": {"max_credit_amount": 15}}}}
    updated = await service.update_config("c1", body)
    assert updated.company_id == "c1"
    assert updated.data["tiers"]["ai_rep"]["capabilities"] == {
        "can_process_refunds": False, "max_refund_amount": 0, "can_modify_subscription": False,
        "can_apply_credits": True, "max_credit_amount": 15,
    }  # fmt: skip
    assert await service.company_config("c1") == updated
    assert (await service.company_config("c2")).data["tiers"]["ai_rep"]["capabilities"]["max_credit_amount"] == 10


async def test_a_config_stored_in_seed_002_names_is_read_in_the_contracts(service: EscalationService) -> None:
    """Configs saved before the contract named its fields in snake_case were stored in camelCase."""
    legacy = {"tiers": {"aiRep": {"capabilities": {"maxCreditAmount": 25}}}, "irateProtocol": {"enabled": False}}
    merged = {**DEFAULT_CONFIG, **legacy}
    await service.repo.configs.upsert({"id": "c9", "tenant_id": "c9", "config": merged, "updated_at": "then"})
    config = await service.company_config("c9")
    assert config.data["tiers"]["ai_rep"]["capabilities"] == {"max_credit_amount": 25}
    assert config.data["irate_protocol"] == {"enabled": False}


async def test_rejected_config_update_changes_nothing(service: EscalationService) -> None:
    await service.update_config("c1", {"irate_protocol": {"detection_threshold": 0.5}})
    with pytest.raises(Invalid) as err:
        await service.update_config("c1", {"irate_protocol": {"detection_threshold": 0.9}, "tiers": {"x": {}}})
    assert err.value.details["field"] == "tiers.x"
    assert (await service.company_config("c1")).data["irate_protocol"]["detection_threshold"] == 0.5


async def test_evaluate_uses_the_tenants_config(service: EscalationService) -> None:
    facts = {"credit_amount": 12.0}
    assert (await service.evaluate("c1", facts, "AI_REP")).reasons == [Reason.REFUND_REQUEST]
    await service.update_config("c1", {"tiers": {"ai_rep": {"capabilities": {"max_credit_amount": 15}}}})
    assert not (await service.evaluate("c1", facts, Tier.AI_REP)).escalate
    assert (await service.evaluate("c2", facts, "AI_REP")).escalate
    with pytest.raises(Invalid) as err:
        await service.evaluate("c1", facts, "AI_INTERN")
    assert err.value.details["field"] == "current_tier"


async def test_manual_escalation_checks(service: EscalationService) -> None:
    step = await service.check_escalation("c1", "AI_REP", target_tier="HUMAN_AGENT", reason="CUSTOMER_REQUEST")
    assert replies.escalation_step(step).model_dump(exclude_none=True) == {
        "from_tier": "AI_REP", "to_tier": "HUMAN_AGENT", "reason": "CUSTOMER_REQUEST",
        "timestamp": "2026-03-01T12:00:00+00:00",
    }  # fmt: skip
    with pytest.raises(InvalidEscalationTarget) as err:
        await service.check_escalation("c1", "HUMAN_AGENT", target_tier="AI_MANAGER", reason="CUSTOMER_REQUEST")
    # The typed error travels by its own code; no dialect's code rides in the details.
    assert err.value.to_dict()["code"] == "invalid_escalation_target" and "cs_code" not in err.value.details


async def test_review_queue_ids_and_estimates(service: EscalationService) -> None:
    first = await service.queue_review("t1", ITEM)
    assert replies.review_receipt(first).model_dump() == {
        "item_id": "rev-000001", "status": "queued", "estimated_review_time": "2026-03-01T12:15:00+00:00"
    }  # fmt: skip
    second = await service.queue_review("t1", ITEM)
    assert second.estimated_review_time == "2026-03-01T12:30:00+00:00"
    # a more urgent item does not wait behind priority-2 items; a less urgent one waits behind both
    assert (await service.queue_review("t1", {**ITEM, "priority": 1})).estimated_review_time.startswith(
        "2026-03-01T12:15"
    )
    assert (await service.queue_review("t1", {**ITEM, "priority": 5})).estimated_review_time.startswith(
        "2026-03-01T13:00"
    )
    assert (await service.queue_review("t2", ITEM)).item_id == "rev-000001"


async def test_pending_list_is_priority_ordered_and_tenant_scoped(service: EscalationService) -> None:
    for priority in (3, 1, 5, 1):
        await service.queue_review("t1", {**ITEM, "priority": priority})
    await service.queue_review("t2", ITEM)
    listed, total = await service.list_reviews("t1")
    assert total == 4
    assert [(i.item_id, i.priority) for i in listed] == [
        ("rev-000002", 1), ("rev-000004", 1), ("rev-000001", 3), ("rev-000003", 5)
    ]  # fmt: skip
    assert listed[0].query == ITEM["query"]


async def test_decision_keeps_edits_beside_the_original(service: EscalationService) -> None:
    item_id = (await service.queue_review("t1", ITEM)).item_id
    edited = "Diversify across sectors. All investments carry risk."
    body = {"item_id": item_id, "approved": True, "feedback": "add disclaimer", "edits": {"modified_response": edited}}
    decided = await service.decide_review("t1", body, reviewer_id="user-345")
    assert replies.review_verdict(decided).model_dump() == {
        "item_id": item_id, "status": "reviewed", "review_time": "2026-03-01T12:00:00+00:00", "reviewer_id": "user-345"
    }  # fmt: skip
    assert (await service.list_reviews("t1"))[1] == 0
    item = (await service.list_reviews("t1", status="reviewed"))[0][0]
    assert item.response == ITEM["response"] and item.edits == {"modified_response": edited}
    assert item.final_response == edited and item.approved is True


async def test_second_decision_is_conflict(service: EscalationService) -> None:
    item_id = (await service.queue_review("t1", ITEM)).item_id
    await service.decide_review("t1", {"item_id": item_id, "approved": False}, reviewer_id="u1")
    with pytest.raises(Conflict) as err:
        await service.decide_review("t1", {"item_id": item_id, "approved": True}, reviewer_id="u2")
    assert err.value.details["item_id"] == item_id
    item = (await service.list_reviews("t1", status="reviewed"))[0][0]
    assert (item.reviewer_id, item.approved, item.final_response) == ("u1", False, None)


async def test_decision_on_unknown_or_foreign_item(service: EscalationService) -> None:
    item_id = (await service.queue_review("t1", ITEM)).item_id
    with pytest.raises(NotFound):
        await service.decide_review("t2", {"item_id": item_id, "approved": True}, reviewer_id="u")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**ITEM, "priority": 0}, "priority"),
        ({**ITEM, "priority": "2"}, "priority"),
        ({k: v for k, v in ITEM.items() if k != "query"}, "query"),
        ({**ITEM, "response": ""}, "response"),
        ({**ITEM, "metadata": []}, "metadata"),
    ],
)
async def test_invalid_queue_body(service: EscalationService, body: dict, field: str) -> None:
    with pytest.raises(Invalid) as err:
        await service.queue_review("t1", body)
    assert err.value.details["field"] == field


@pytest.mark.parametrize(
    ("body", "field"),
    [({"item_id": "rev-000001"}, "approved"), ({"approved": True}, "item_id"),
     ({"item_id": "rev-000001", "approved": True, "edits": {"modified_response": 3}}, "edits")],
)  # fmt: skip
async def test_invalid_decision_body(service: EscalationService, body: dict, field: str) -> None:
    await service.queue_review("t1", ITEM)
    with pytest.raises(Invalid) as err:
        await service.decide_review("t1", body, reviewer_id="u")
    assert err.value.details["field"] == field
