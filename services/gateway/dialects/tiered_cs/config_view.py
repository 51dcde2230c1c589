"""Seed 002's camelCase form of the company CS config (GET/PUT /config) <-> the contract's snake_case CsSettings.

The names differ only in case (aiRep <-> ai_rep, maxRefundAmount <-> max_refund_amount), so one rule maps keys both
ways; values (tier names, keywords) are never touched. Paths in error details are mapped back to what the caller
sent, so CS_008 still names `tiers.aiRep.capabilities.maxCreditAmount`."""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError

from libs.contracts.models.escalation import CompanyConfigV1, CsSettingsPatch
from libs.errors import Invalid

_HUMP = re.compile(r"(?<=[a-z0-9])([A-Z])")


def snake(name: str) -> str:
    return _HUMP.sub(r"_\1", name).lower()


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def camel_path(path: str) -> str:
    return ".".join(camel(part) for part in path.split("."))


def _keys(value: Any, rename: Any, path: str = "") -> Any:
    if isinstance(value, dict):
        return {rename(k, f"{path}.{k}" if path else k): _keys(v, rename, f"{path}.{k}" if path else k)
                for k, v in value.items()}  # fmt: skip
    if isinstance(value, list):
        return [_keys(item, rename, path) for item in value]
    return value


def _from_seed(key: str, path: str) -> str:
    # A snake_case name is no seed 002 field: refused as unknown, as before, rather than read as the contract's.
    if "_" in key:
        raise Invalid(f"unknown config field: {path}", {"field": path})
    return snake(key)


def config_view(reply: CompanyConfigV1) -> dict[str, Any]:
    """The documented GET /config body: the company beside its settings, in seed 002's names."""
    settings = reply.config.model_dump(mode="json", exclude_unset=True)
    # The bus drops a None as "not given": a cleared phone arrives absent, and seed 002's body shows it as null.
    settings["tiers"]["human_agent"].setdefault("escalation_phone", None)
    return {"companyId": reply.company_id, **_keys(settings, lambda k, _: camel(k))}


def typed_patch(body: dict[str, Any]) -> CsSettingsPatch:
    """A PUT /config body (without companyId) as the contract's patch, strictly (no "10" for a number); a bad field
    is an Invalid naming its seed 002 path (CS_008)."""
    patch = _keys(body, _from_seed)
    try:
        return CsSettingsPatch.model_validate(patch, strict=True)
    except ValidationError as exc:
        error = exc.errors()[0]
        path = camel_path(_field_path(patch, error["loc"]))
        raise Invalid(f"{path}: {error['msg']}", {"field": path}) from None


def seed_error(exc: Invalid) -> Invalid:
    """The escalation service's error about a config field, with the field's path in seed 002's names."""
    field = exc.details.get("field")
    if not isinstance(field, str):
        return exc
    path = camel_path(field)
    details = {camel(k): v for k, v in exc.details.items()} | {"field": path}
    return Invalid(exc.message.replace(field, path), details)


def _field_path(body: Any, loc: tuple[int | str, ...]) -> str:
    """The dotted path of the body's field an error points at; pydantic's union member tags ("int") are no field."""
    parts: list[str] = []
    for part in loc:
        is_key = isinstance(body, dict) and part in body
        if not (is_key or (isinstance(body, list) and isinstance(part, int) and part < len(body))):
            continue
        body = body[part]
        parts.append(f"[{part}]" if isinstance(part, int) else str(part))
    return ".".join(parts).replace(".[", "[") or "body"
