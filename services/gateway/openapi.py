"""The public contract: /openapi.json shows each route's errors in its dialect's envelope, never FastAPI's 422."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

_FASTAPI_422 = "#/components/schemas/HTTPValidationError"


def without_fastapi_validation_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Drop the 422 FastAPI adds to every operation with parameters: the gateway answers validation errors with
    400 in the dialect's envelope (each dialect route declares it), so that 422 would be a promise never kept."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.get("responses", {})
            refs = responses.get("422", {}).get("content", {}).get("application/json", {}).get("schema", {})
            if refs.get("$ref") == _FASTAPI_422:
                del responses["422"]
            for status, response in responses.items():
                if status[0] in "45":
                    _errors_as_json(response)
    components = schema.get("components", {}).get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    return schema


def _errors_as_json(response: dict[str, Any]) -> None:
    """An error is JSON in the dialect's envelope even on a route whose success is HTML (FastAPI files every response
    of a route under the route's media type)."""
    content = response.get("content", {})
    schema = next((entry for entry in content.values() if entry.get("schema")), None)
    if schema is not None:
        response["content"] = {"application/json": schema}


def use_dialect_errors_in_openapi(app: FastAPI) -> None:
    build = app.openapi  # FastAPI's own builder, which caches its document on app.openapi_schema

    def openapi() -> dict[str, Any]:
        cached = app.openapi_schema is not None
        schema = build()
        return schema if cached else without_fastapi_validation_errors(schema)

    app.openapi = openapi  # type: ignore[method-assign]
