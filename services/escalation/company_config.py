"""Per-company CS configuration (the contract's CsSettings): defaults, validated deep-merge patches, and
CompanyConfig, the typed read view the escalation policy consumes. The seed 002 camelCase form of GET/PUT /config is
the tiered_cs dialect's, in the gateway."""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from libs.errors import Invalid

from .domain import TIER_CONFIG_KEY, Tier

_E164 = re.compile(r"^\+[1-9]\d{6,14}$")

# The defaults of a company that never saved a config (the values of seed 002's GET /config example).
DEFAULT_CONFIG: dict[str, Any] = {
    "enabled": True,
    "tiers": {
        "ai_rep": {
            "enabled": True,
            "capabilities": {
                "can_process_refunds": False,
                "max_refund_amount": 0,
                "can_modify_subscription": False,
                "can_apply_credits": True,
                "max_credit_amount": 10,
            },
            "response_guidelines": {"tone": "friendly", "max_response_length": 200},
        },
        "ai_manager": {
            "enabled": True,
            "capabilities": {
                "can_process_refunds": True,
                "max_refund_amount": 100,
                "can_modify_subscription": True,
                "can_apply_credits": True,
                "max_credit_amount": 50,
            },
        },
        "human_agent": {"enabled": True, "escalation_phone": "+14155559999", "notify_on_escalation": True},
    },
    "irate_protocol": {
        "enabled": True,
        "detection_threshold": 0.7,
        "trigger_keywords": ["angry", "furious", "unacceptable"],
        "auto_escalate": {"enabled": True, "after_attempts": 2, "target_tier": "AI_MANAGER"},
    },
}

Check = Callable[[Any, str], Any]


def _bool(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise Invalid(f"{path} must be a boolean", {"field": path})
    return value


def _number(low: float, high: float, *, integer: bool = False) -> Check:
    def check(value: Any, path: str) -> Any:
        kinds = int if integer else (int, float)
        ok = isinstance(value, kinds) and not isinstance(value, bool) and math.isfinite(value)
        if not ok or not low <= value <= high:
            kind = "an integer" if integer else "a number"
            raise Invalid(f"{path} must be {kind} in [{low}, {high}]", {"field": path, "min": low, "max": high})
        return value

    return check


def _text(max_len: int, *, pattern: re.Pattern[str] | None = None, choices: tuple[str, ...] = ()) -> Check:
    def check(value: Any, path: str) -> str:
        if not isinstance(value, str) or not 0 < len(value.strip()) <= max_len:
            raise Invalid(f"{path} must be a non-empty string of at most {max_len} characters", {"field": path})
        if pattern is not None and not pattern.match(value):
            raise Invalid(f"{path} has the wrong format", {"field": path, "pattern": pattern.pattern})
        if choices and value not in choices:
            raise Invalid(f"{path} must be one of {list(choices)}", {"field": path, "allowed": list(choices)})
        return value

    return check


def _nullable(inner: Check) -> Check:
    return lambda value, path: None if value is None else inner(value, path)


def _keywords(value: Any, path: str) -> list[str]:
    if not isinstance(value, list) or len(value) > 100:
        raise Invalid(f"{path} must be a list of at most 100 strings", {"field": path})
    word = _text(60)
    return [word(item, f"{path}[{i}]").strip().lower() for i, item in enumerate(value)]


_MONEY = _number(0, 1_000_000_000)
_CAPABILITIES = {
    "can_process_refunds": _bool,
    "max_refund_amount": _MONEY,
    "can_modify_subscription": _bool,
    "can_apply_credits": _bool,
    "max_credit_amount": _MONEY,
}
_GUIDELINES = {"tone": _text(40), "max_response_length": _number(1, 100_000, integer=True)}
_AI_TIER = {"enabled": _bool, "capabilities": _CAPABILITIES, "response_guidelines": _GUIDELINES}
SCHEMA: dict[str, Any] = {
    "enabled": _bool,
    "tiers": {
        "ai_rep": _AI_TIER,
        "ai_manager": _AI_TIER,
        "human_agent": {
            "enabled": _bool,
            "escalation_phone": _nullable(_text(16, pattern=_E164)),
            "notify_on_escalation": _bool,
        },
    },
    "irate_protocol": {
        "enabled": _bool,
        "detection_threshold": _number(0, 1),
        "trigger_keywords": _keywords,
        "auto_escalate": {
            "enabled": _bool,
            "after_attempts": _number(0, 50, integer=True),
            "target_tier": _text(20, choices=(Tier.AI_MANAGER.value, Tier.HUMAN_AGENT.value)),
        },
    },
}


def validate_patch(patch: Any, schema: dict[str, Any] = SCHEMA, prefix: str = "") -> dict[str, Any]:
    """Check a partial config against SCHEMA; unknown keys and wrong types raise Invalid naming the field."""
    if not isinstance(patch, dict):
        raise Invalid(f"{prefix or 'config'} must be an object", {"field": prefix or "config"})
    clean: dict[str, Any] = {}
    for key, value in patch.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        node = schema.get(key)
        if node is None:
            raise Invalid(f"unknown config field: {path}", {"field": path})
        clean[key] = validate_patch(value, node, path) if isinstance(node, dict) else node(value, path)
    return clean


def deep_merge(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """A copy of base with patch laid over it; objects merge key by key, lists and scalars replace."""
    merged = copy.deepcopy(base)
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def apply_patch(current: dict[str, Any], patch: Any) -> dict[str, Any]:
    """Validate a partial config, merge it, and check cross-field rules."""
    merged = deep_merge(current, validate_patch(patch))
    CompanyConfig("", merged).check_consistency()
    return merged


@dataclass(frozen=True, slots=True)
class CompanyConfig:
    """Typed read view over one company's config dict (`data`, the contract's CsSettings as JSON)."""

    company_id: str
    data: dict[str, Any]

    @classmethod
    def default(cls, company_id: str) -> CompanyConfig:
        return cls(company_id, copy.deepcopy(DEFAULT_CONFIG))

    def _tier(self, tier: Tier) -> dict[str, Any]:
        return dict(self.data["tiers"].get(TIER_CONFIG_KEY[tier], {}))

    def tier_enabled(self, tier: Tier) -> bool:
        return bool(self._tier(tier).get("enabled", True))

    def _capability(self, tier: Tier, flag: str, limit: str) -> float:
        """A tier's effective authority: 0 when the flag is off or the tier disabled; humans are unlimited."""
        if tier is Tier.HUMAN_AGENT:
            return math.inf if self.tier_enabled(tier) else 0.0
        caps = self._tier(tier).get("capabilities", {})
        if not self.tier_enabled(tier) or not caps.get(flag, False):
            return 0.0
        return float(caps.get(limit, 0))

    def refund_limit(self, tier: Tier) -> float:
        return self._capability(tier, "can_process_refunds", "max_refund_amount")

    def credit_limit(self, tier: Tier) -> float:
        return self._capability(tier, "can_apply_credits", "max_credit_amount")

    def can_modify_subscription(self, tier: Tier) -> bool:
        if tier is Tier.HUMAN_AGENT:
            return self.tier_enabled(tier)
        caps = self._tier(tier).get("capabilities", {})
        return self.tier_enabled(tier) and bool(caps.get("can_modify_subscription", False))

    @property
    def irate(self) -> dict[str, Any]:
        return dict(self.data["irate_protocol"])

    def check_consistency(self) -> None:
        """A manager's authority is never below the rep's (both tiers enabled)."""
        if not (self.tier_enabled(Tier.AI_REP) and self.tier_enabled(Tier.AI_MANAGER)):
            return
        rep, mgr = Tier.AI_REP, Tier.AI_MANAGER
        pairs = (
            ("max_refund_amount", self.refund_limit(rep), self.refund_limit(mgr)),
            ("max_credit_amount", self.credit_limit(rep), self.credit_limit(mgr)),
            ("can_modify_subscription", self.can_modify_subscription(rep), self.can_modify_subscription(mgr)),
        )
        for name, rep_value, mgr_value in pairs:
            if float(mgr_value) < float(rep_value):
                path = f"tiers.ai_manager.capabilities.{name}"
                raise Invalid(
                    f"{path} gives the AI manager less authority than the AI rep",
                    {"field": path, "ai_rep": rep_value, "ai_manager": mgr_value},
                )
