"""The escalation domain's enums carry behaviour (a tier's rank, a priority's bump) but not their own word lists:
each must say exactly what its one vocabulary file in contracts/common/ says, in the same order."""

from __future__ import annotations

import json
from enum import StrEnum

import pytest

from libs.contracts.registry import CONTRACTS_DIR
from services.escalation.domain import Priority, Reason, ReviewStatus, SupportReason, TicketStatus, Tier

PAIRS = [
    (Tier, "Tier"),
    (Reason, "EscalationReason"),
    (SupportReason, "SupportReason"),
    (Priority, "TicketPriority"),
    (TicketStatus, "TicketStatus"),
    (ReviewStatus, "ReviewStatus"),
]


@pytest.mark.parametrize(("enum", "vocabulary"), PAIRS, ids=[v for _, v in PAIRS])
def test_domain_enum_is_the_contract_vocabulary(enum: type[StrEnum], vocabulary: str) -> None:
    words = json.loads((CONTRACTS_DIR / "common" / f"{vocabulary}.json").read_text(encoding="utf-8"))["enum"]
    assert [member.value for member in enum] == words
