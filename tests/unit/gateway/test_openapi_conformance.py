"""Issue 17 #6: schemathesis over every operation of /openapi.json finds no answer its schema does not promise.

The whole platform runs in process on a real port (the fixture of the 5xx sweep); every operation gets a few
generated requests with the operator's key, and each answer must have a documented status and, for JSON, match the
documented schema (success body or the dialect's error envelope). Violations fail with a reproduction.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from schemathesis.checks import response_schema_conformance, status_code_conformance
from schemathesis.core.failures import FailureGroup

from tests.support.fuzz import fuzz_every_operation
from tests.unit.security.conftest import OPERATOR
from tests.unit.security.test_schemathesis import platform_url

__all__ = ["platform_url"]  # the in-process platform fixture, shared with the 5xx sweep

EXAMPLES_PER_OPERATION = 3


def nonconforming(case: schemathesis.Case, resp: Any) -> str | None:
    try:
        case.validate_response(resp, checks=[status_code_conformance, response_schema_conformance])
    except (AssertionError, FailureGroup) as exc:
        return f"{resp.status_code} {resp.text[:300]}\n{exc}\n{case.as_curl_command()}"[:1500]
    return None


def test_every_answer_conforms_to_its_documented_status_and_schema(platform_url: str) -> None:
    found = fuzz_every_operation(platform_url, OPERATOR, examples=EXAMPLES_PER_OPERATION, inspect=nonconforming)
    assert found.operations >= 90
    assert found.violations == {}, "\n\n".join(f"{label}: {text}" for label, text in found.violations.items())
    assert found.calls >= 2 * found.operations  # every operation was really exercised


def test_a_streamed_generation_conforms_event_by_event(platform_url: str) -> None:
    """`stream: true` is rarely drawn at random: its server-sent events are checked against their item schema here."""
    schema = schemathesis.openapi.from_url(f"{platform_url}/openapi.json")
    case = schema["/api/v1/ai/generate"]["POST"].Case(body={"prompt": "How do refunds work?", "stream": True})
    resp = case.call(base_url=platform_url, headers=OPERATOR, timeout=60)
    assert "event: delta" in resp.text and "event: result" in resp.text, resp.text[:300]
    case.validate_response(resp, checks=[status_code_conformance, response_schema_conformance])
