"""Company CS config: documented defaults, deep-merge patches, validation naming the field."""

from __future__ import annotations

import pytest

from libs.contracts.models.escalation import CsSettings
from libs.errors import Invalid
from services.escalation.company_config import DEFAULT_CONFIG, CompanyConfig, apply_patch
from services.escalation.domain import Tier

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
    default = CompanyConfig.default("uuid")
    assert {"companyId": default.company_id, **default.data} == DOCUMENTED_GET
    CsSettings.model_validate(default.data)  # and the defaults are a whole config by the contract


def test_documented_put_example_deep_merges() -> None:
    merged = apply_patch(
        DEFAULT_CONFIG, {"enabled": True, "tiers": {"aiRep": {"capabilities": {"maxCreditAmount": 15}}}}
    )
    assert merged["tiers"]["aiRep"]["capabilities"]["maxCreditAmount"] == 15
    assert merged["tiers"]["aiRep"]["capabilities"]["canApplyCredits"] is True  # siblings kept
    assert merged["tiers"]["aiRep"]["responseGuidelines"] == {"tone": "friendly", "maxResponseLength": 200}
    assert DEFAULT_CONFIG["tiers"]["aiRep"]["capabilities"]["maxCreditAmount"] == 10  # defaults untouched


def test_lists_replace_and_keywords_normalise() -> None:
    merged = apply_patch(DEFAULT_CONFIG, {"irateProtocol": {"triggerKeywords": ["Outrageous"]}})
    assert merged["irateProtocol"]["triggerKeywords"] == ["outrageous"]


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"enabled": "yes"}, "enabled"),
        ({"tiers": {"aiRep": {"capabilities": {"maxCreditAmount": -1}}}}, "tiers.aiRep.capabilities.maxCreditAmount"),
        ({"tiers": {"aiRep": {"capabilities": {"maxCreditAmount": "15"}}}}, "tiers.aiRep.capabilities.maxCreditAmount"),
        ({"tiers": {"aiRep": {"capabilities": {"canApplyCredits": 1}}}}, "tiers.aiRep.capabilities.canApplyCredits"),
        ({"tiers": {"aiRep": {"responseGuidelines": {"maxResponseLength": 2.5}}}},
         "tiers.aiRep.responseGuidelines.maxResponseLength"),
        ({"tiers": {"humanAgent": {"escalationPhone": "call me"}}}, "tiers.humanAgent.escalationPhone"),
        ({"tiers": {"robot": {}}}, "tiers.robot"),
        ({"tiers": "all"}, "tiers"),
        ({"irateProtocol": {"detectionThreshold": 1.5}}, "irateProtocol.detectionThreshold"),
        ({"irateProtocol": {"triggerKeywords": ["ok", ""]}}, "irateProtocol.triggerKeywords[1]"),
        ({"irateProtocol": {"autoEscalate": {"afterAttempts": -1}}}, "irateProtocol.autoEscalate.afterAttempts"),
        ({"irateProtocol": {"autoEscalate": {"targetTier": "AI_REP"}}}, "irateProtocol.autoEscalate.targetTier"),
        ({"tiers": {"aiManager": {"capabilities": {"maxCreditAmount": 5}}}},
         "tiers.aiManager.capabilities.maxCreditAmount"),
        ({"tiers": {"aiManager": {"capabilities": {"canApplyCredits": False}}}},
         "tiers.aiManager.capabilities.maxCreditAmount"),
        ({"tiers": {"aiRep": {"capabilities": {"maxCreditAmount": 60}}}},
         "tiers.aiManager.capabilities.maxCreditAmount"),
        ({"tiers": {"aiRep": {"capabilities": {"canModifySubscription": True}},
                    "aiManager": {"capabilities": {"canModifySubscription": False}}}},
         "tiers.aiManager.capabilities.canModifySubscription"),
    ],
)  # fmt: skip
def test_bad_patches_name_the_field(patch: dict, field: str) -> None:
    with pytest.raises(Invalid) as err:
        apply_patch(DEFAULT_CONFIG, patch)
    assert err.value.details["field"] == field


def test_manager_may_not_drop_below_rep_even_in_one_patch() -> None:
    raise_both = {"aiRep": {"capabilities": {"canProcessRefunds": True, "maxRefundAmount": 80}}}
    apply_patch(DEFAULT_CONFIG, {"tiers": raise_both})  # 80 <= 100: fine
    with pytest.raises(Invalid):
        apply_patch(DEFAULT_CONFIG, {"tiers": {**raise_both, "aiManager": {"capabilities": {"maxRefundAmount": 50}}}})


def test_effective_authority() -> None:
    config = CompanyConfig.default("c")
    assert config.refund_limit(Tier.AI_REP) == 0 and config.refund_limit(Tier.AI_MANAGER) == 100
    assert config.credit_limit(Tier.AI_REP) == 10 and config.refund_limit(Tier.HUMAN_AGENT) == float("inf")
    off = CompanyConfig("c", apply_patch(DEFAULT_CONFIG, {"tiers": {"aiManager": {"enabled": False}}}))
    assert off.refund_limit(Tier.AI_MANAGER) == 0 and not off.can_modify_subscription(Tier.AI_MANAGER)
