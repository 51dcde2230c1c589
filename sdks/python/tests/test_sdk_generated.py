"""The request models are the gateway's own schemas: regenerating them from the live app must change nothing."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from switchboard_sdk import models

GENERATOR = Path(__file__).resolve().parents[1] / "generate.py"


def test_committed_models_match_the_gateway_openapi(capsys: pytest.CaptureFixture[str]) -> None:
    spec = importlib.util.spec_from_file_location("sdk_generate", GENERATOR)
    assert spec is not None and spec.loader is not None
    generate = importlib.util.module_from_spec(spec)
    sys.modules["sdk_generate"] = generate
    spec.loader.exec_module(generate)
    assert generate.main(["--check"]) == 0, capsys.readouterr().err


def test_an_operation_mark_must_match_what_its_builder_sends() -> None:
    """namespaces.py types each call by its `@operation` mark, so the generator refuses a mark the builder belies."""
    sys.path.insert(0, str(GENERATOR.parent))
    from render_namespaces import check_builder

    builder = 'def get_user(self, user_id: str) -> ApiRequest:\n    return ApiRequest("GET", f"/crm/users/{user_id}")'
    check_builder("ok", builder, "GET", "/crm/users/{user_id}")
    prefixed = 'def get(self, s: str) -> ApiRequest:\n    return ApiRequest("GET", f"{self._prefix}/sessions/{s}")'
    check_builder("prefix", prefixed, "GET", "/cs/sessions/{session_id}")
    for method, path in (("POST", "/crm/users/{user_id}"), ("GET", "/crm/users"), ("GET", "/crm/conversations/{u}")):
        with pytest.raises(ValueError, match="is not what the builder sends"):
            check_builder("wrong", builder, method, path)


def test_models_carry_the_gateway_constraints() -> None:
    body = models.ConversationBody(message="hi", user_id="user_1")
    assert body.channel == "chat"
    with pytest.raises(ValidationError):
        models.ConversationBody(message="hi", user_id="has spaces")  # the gateway's user_id pattern
    with pytest.raises(ValidationError):
        models.SentimentRequest(text="ok", unknown=1)  # extra fields are refused, as the gateway refuses them
