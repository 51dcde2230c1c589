"""One owner per rule (issue 17 #4): a vocabulary a command checks is the contract's enum in contracts/common/, and the
gateway's request Literals for it are checked against that enum, so the edge and the service can never disagree."""

from __future__ import annotations

import json
from pathlib import Path
from typing import get_args

import pytest
from pydantic import ValidationError

from libs.contracts.models.conversation import ResolveSessionV1, StartSessionV1
from services.gateway.dialects.tiered_cs import session_routes

COMMON = Path(__file__).resolve().parents[2] / "contracts" / "common"


def _enum(name: str) -> list[str]:
    return list(json.loads((COMMON / f"{name}.json").read_text(encoding="utf-8"))["enum"])


@pytest.mark.parametrize("name", ["IssueCategory", "ResolutionType"])
def test_tiered_cs_request_literals_are_the_contracts_enum(name: str) -> None:
    assert list(get_args(getattr(session_routes, name))) == _enum(name)


def test_the_commands_refuse_a_value_outside_the_enum() -> None:
    start = {"customer_id": "c", "channel": "chat", "dialect": "tiered_cs"}
    assert StartSessionV1.model_validate({**start, "issue_category": "SHIPPING"}).issue_category == "SHIPPING"
    with pytest.raises(ValidationError):
        StartSessionV1.model_validate({**start, "issue_category": "WEATHER"})
    resolve = {"session_id": "s", "actions_taken": [], "follow_up_required": False}
    assert ResolveSessionV1.model_validate({**resolve, "resolution_type": "UNRESOLVED"})
    with pytest.raises(ValidationError):
        ResolveSessionV1.model_validate({**resolve, "resolution_type": "SOLVED_ITSELF"})
