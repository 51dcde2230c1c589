"""Company CS config: documented defaults, deep-merge patches, validation naming the field."""

from __future__ import annotations

import pytest

from libs.contracts.models.escalation import CompanyConfigV1, CsSettings
from libs.errors import Invalid
from services.escalation.company_config import DEFAULT_CONFIG, CompanyConfig, apply_patch
from services.escalation.domain import Tier
from services.gateway.dialects.tiered_cs.config_view import config_view

DOCUMENTED_GET = {
    "companyId": "uuid",
    "enabled": True,
    "tiers": {
        "aiRep": {
            "enabled": True,
            "capabilities": {
                "canProcessRefunds": False,
                "maxRefundAmount": 0,
                "canModifySubscription": False,
                "canApplyCredits": True,
                "maxCreditAmount": 10,
            },
            "responseGuidelines": {"tone": "friendly", "maxResponseLength": 200},
        },
        "aiManager": {
            "enabled": True,
            "capabilities": {
                "canProcessRefunds": True,
                "maxRefundAmount": 100,
                "canModifySubscription": True,
                "canApplyCredits": True,
                "maxCreditAmount": 50,
            },
        },
        "humanAgent": {"enabled": True, "escalationPhone": "+14155559999", "notifyOnEscalation": True},
    },
    "irateProtocol": {
        "enabled": True,
        "detectionThreshold": 0.7,
        "triggerKeywords": ["angry", "furious", "unacceptable"],
        "autoEscalate": {"enabled": True, "afterAttempts": 2, "targetTier": "AI_MANAGER"},
    },
}


def test_new_company_gets_the_documented_config() -> None:
    # A whole config by the contract, and seed 002's documented body once the tiered_cs dialect shows it.
    default = CompanyConfig.default("uuid")
    reply = CompanyConfigV1(company_id=default.company_id, config=CsSettings.model_validate(default.data))
    assert config_view(reply) == DOCUMENTED_GET


def test_documented_put_example_deep_merges() -> None:
    merged = apply_patch(
        DEFAULT_CONFIG, {"enabled": True, "tiers": {"ai_rep": {"capabilities": {"max_credit_amount": 15}}}}
    )
    assert merged["tiers"]["ai_rep"]["capabilities"]["max_credit_amount"] == 15
    assert merged["tiers"]["ai_rep"]["capabilities"]["can_apply_credits"] is True  # siblings kept
    assert merged["tiers"]["ai_rep"]["response_guidelines"] == {"tone": "friendly", "max_response_length": 200}
    assert DEFAULT_CONFIG["tiers"]["ai_rep"]["capabilities"]["max_credit_amount"] == 10  # defaults untouched


def test_lists_replace_and_keywords_normalise() -> None:
    merged = apply_patch(DEFAULT_CONFIG, {"irate_protocol": {"trigger_keywords": ["Outrageous"]}})
    assert merged["irate_protocol"]["trigger_keywords"] == ["outrageous"]


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"enabled": "yes"}, "enabled"),
        ({"tiers": {"ai_rep": {"capabilities": {"max_credit_amount": -1}}}},
         "tiers.ai_rep.capabilities.max_credit_amount"),
        ({"tiers": {"ai_rep": {"capabilities": {"max_credit_amount": "15"}}}},
         "tiers.ai_rep.capabilities.max_credit_amount"),
        ({"tiers": {"ai_rep": {"capabilities": {"can_apply_credits": 1}}}},
         "tiers.ai_rep.capabilities.can_apply_credits"),
        ({"tiers": {"ai_rep": {"response_guidelines": {"max_response_length": 2.5}}}},
         "tiers.ai_rep.response_guidelines.max_response_length"),
        ({"tiers": {"human_agent": {"escalation_phone": "call me"}}}, "tiers.human_agent.escalation_phone"),
        ({"tiers": {"robot": {}}}, "tiers.robot"),
        ({"tiers": "all"}, "tiers"),
        ({"irate_protocol": {"detection_threshold": 1.5}}, "irate_protocol.detection_threshold"),
        ({"irate_protocol": {"trigger_keywords": ["ok", ""]}}, "irate_protocol.trigger_keywords[1]"),
        ({"irate_protocol": {"auto_escalate": {"after_attempts": -1}}}, "irate_protocol.auto_escalate.after_attempts"),
        ({"irate_protocol": {"auto_escalate": {"target_tier": "AI_REP"}}}, "irate_protocol.auto_escalate.target_tier"),
        ({"tiers": {"ai_manager": {"capabilities": {"max_credit_amount": 5}}}},
         "tiers.ai_manager.capabilities.max_credit_amount"),
        ({"tiers": {"ai_manager": {"capabilities": {"can_apply_credits": False}}}},
         "tiers.ai_manager.capabilities.max_credit_amount"),
        ({"tiers": {"ai_rep": {"capabilities": {"max_credit_amount": 60}}}},
         "tiers.ai_manager.capabilities.max_credit_amount"),
        ({"tiers": {"ai_rep": {"capabilities": {"can_modify_subscription": True}},
                    "ai_manager": {"capabilities": {"can_modify_subscription": False}}}},
         "tiers.ai_manager.capabilities.can_modify_subscription"),
    ],
)  # fmt: skip
def test_bad_patches_name_the_field(patch: dict, field: str) -> None:
    with pytest.raises(Invalid) as err:
        apply_patch(DEFAULT_CONFIG, patch)
    assert err.value.details["field"] == field


def test_manager_may_not_drop_below_rep_even_in_one_patch() -> None:
    raise_both = {"ai_rep": {"capabilities": {"can_process_refunds": True, "max_refund_amount": 80}}}
    apply_patch(DEFAULT_CONFIG, {"tiers": raise_both})  # 80 <= 100: fine
    with pytest.raises(Invalid):
        apply_patch(
            DEFAULT_CONFIG, {"tiers": {**raise_both, "ai_manager": {"capabilities": {"max_refund_amount": 50}}}}
        )


def test_effective_authority() -> None:
    config = CompanyConfig.default("c")
    assert config.refund_limit(Tier.AI_REP) == 0 and config.refund_limit(Tier.AI_MANAGER) == 100
    assert config.credit_limit(Tier.AI_REP) == 10 and config.refund_limit(Tier.HUMAN_AGENT) == float("inf")
    off = CompanyConfig("c", apply_patch(DEFAULT_CONFIG, {"tiers": {"ai_manager": {"enabled": False}}}))
    assert off.refund_limit(Tier.AI_MANAGER) == 0 and not off.can_modify_subscription(Tier.AI_MANAGER)
