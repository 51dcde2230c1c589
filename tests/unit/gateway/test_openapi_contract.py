"""Issue 17 #6: the OpenAPI document is the public contract.

Every operation declares its success body and the errors it answers, in its dialect's envelope (never FastAPI's
422 `HTTPValidationError`), and a method a path does not serve answers 405 with `Allow` in that envelope.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, APIWebSocketRoute

from libs.bus import MemoryBus
from libs.runtime import PlatformSettings
from services.gateway.deps import authenticated
from services.gateway.dialects import routers
from services.gateway.dialects.base import Dialect
from tests.support.platform import API_KEY, gateway_for_tests
from tests.unit.gateway.conftest import Platform

JSON = "application/json"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    common = PlatformSettings(bus="memory", data_dir=Path(tmp_path_factory.mktemp("openapi")))
    service = gateway_for_tests(common, MemoryBus(service_name="openapi-test"))
    assert service.app is not None
    return service.app


def _dialect_routes() -> list[tuple[APIRoute, Dialect]]:
    found = []
    for _, router in routers():
        for route in router.routes:
            if isinstance(route, APIWebSocketRoute):
                continue  # /websocket is outside OpenAPI (documented in services/gateway/fanout/README.md)
            assert isinstance(route, APIRoute), route
            found.append((route, route.owner))  # type: ignore[attr-defined]
    return found


def _authenticates(route: APIRoute) -> bool:
    pending = list(route.dependant.dependencies)
    while pending:
        dep = pending.pop()
        if dep.call is authenticated:
            return True
        pending.extend(dep.dependencies)
    return False


def _schema_ref(response: dict[str, Any], media_type: str = JSON) -> str:
    return str(response.get("content", {}).get(media_type, {}).get("schema", {}).get("$ref", ""))


def test_every_dialect_route_declares_a_response_model() -> None:
    untyped = []
    for route, _ in _dialect_routes():
        declared_success = any(
            str(status).startswith("2") and "model" in entry for status, entry in route.responses.items()
        )
        html = route.response_class is not None and "html" in str(getattr(route.response_class, "media_type", ""))
        if route.response_model is None and not declared_success and not html:
            untyped.append(f"{sorted(route.methods)} {route.path}")
    assert untyped == []


def test_every_operation_documents_its_body_and_its_errors_in_the_dialect_envelope(app: FastAPI) -> None:
    doc = app.openapi()
    paths = doc["paths"]
    schemas = doc["components"]["schemas"]
    assert "HTTPValidationError" not in schemas  # FastAPI's 422 shape is never answered
    problems: list[str] = []
    cs_prefix = "/cs"
    seen = 0
    for route, dialect in _dialect_routes():
        path = (cs_prefix + route.path) if dialect.name == "tiered_cs" else route.path
        for method in route.methods:
            operation = paths[path][method.lower()]
            seen += 1
            label = f"{method} {path}"
            responses = operation["responses"]
            success = [s for s in responses if s.startswith("2")]
            if not success or not responses[success[0]].get("content"):
                problems.append(f"{label}: no success body")
            expected = {"400", "404", "429"}
            if _authenticates(route):
                expected |= {"401", "403"}
            if method in ("POST", "PUT", "PATCH"):
                expected.add("413")
            missing = expected - set(responses)
            if missing:
                problems.append(f"{label}: undeclared errors {sorted(missing)}")
            envelope = f"#/components/schemas/{dialect.error_model.__name__}"
            for status, entry in responses.items():
                if status[0] in "45" and _schema_ref(entry) != envelope:
                    problems.append(f"{label}: {status} is not in the {dialect.name} envelope")
    assert problems == [], "\n".join(problems)
    # Every documented operation is a dialect route (so none escapes the checks above).
    assert seen == sum(len(ops) for ops in paths.values())


ENVELOPES = {
    # path, method not served there, the dialect's error shape
    ("/api/session", "PATCH"): lambda body: body["error"] is True and body["error_type"] == "NOT_FOUND_ERROR",
    ("/cs/sessions", "DELETE"): lambda body: set(body["error"]) == {"code", "message", "details"},
    ("/api/v1/conversations", "PUT"): lambda body: body["error"]["code"] == "method_not_allowed",
    ("/crm/users", "POST"): lambda body: body["success"] is False and "request_id" in body["metadata"],
    ("/api/v1/analyze/sentiment", "GET"): lambda body: body["error"] is True and body["status_code"] == 405,
}


@pytest.mark.parametrize(("path", "method"), list(ENVELOPES))
async def test_an_undeclared_method_answers_405_with_allow_in_the_dialect_envelope(
    platform: Platform, path: str, method: str
) -> None:
    resp = await platform.client.request(method, path, headers={"X-API-Key": API_KEY})
    assert resp.status_code == 405, resp.text
    allowed = {m.strip() for m in resp.headers["Allow"].split(",")}
    assert allowed and method not in allowed
    assert ENVELOPES[(path, method)](resp.json()), resp.text
