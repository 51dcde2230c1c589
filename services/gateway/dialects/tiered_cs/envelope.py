"""Seed 002 (tiered customer service) error envelope: {"error": {"code": "CS_0xx", "message", "details"}}."""

from __future__ import annotations

import re
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from libs.errors import DomainError
from services.gateway.dialects.base import Dialect

# A domain error may name its exact CS code in details["cs_code"] (CS_001, CS_003, CS_004, CS_005 ...).
CS_CODES = {
    "invalid": "CS_008",
    "too_large": "CS_008",
    "not_found": "CS_002",
    "rate_limited": "CS_007",
    "unavailable": "CS_006",
    "timeout": "CS_006",
    "forbidden": "CS_009",
    "unauthorized": "UNAUTHORIZED",
    "conflict": "CS_003",
    "error": "CS_010",
}

# Typed errors seed 002 names more precisely than their family (`code` of libs.errors' specific errors).
CS_CODES_BY_ERROR = {"session_closed": "CS_003", "invalid_escalation_target": "CS_004"}


# Contract fields seed 002 spells in camelCase. A service's error names the contract's field (target_tier); the caller
# reads the name it sent (targetTier) in the details' keys, a details "field" value and the message.
SEED_FIELDS = {
    "issue_category": "issueCategory",
    "resolution_type": "resolutionType",
    "start_date": "startDate",
    "end_date": "endDate",
    "target_tier": "targetTier",
    "current_tier": "currentTier",
}
_CONTRACT_FIELD = re.compile(r"\b(" + "|".join(SEED_FIELDS) + r")\b")


def seed_named(exc: DomainError) -> DomainError:
    """The error with the contract's field names in seed 002's spelling (same type, same key order)."""
    details = {SEED_FIELDS.get(key, key): value for key, value in exc.details.items()}
    if details.get("field") in SEED_FIELDS:
        details["field"] = SEED_FIELDS[details["field"]]
    message = _CONTRACT_FIELD.sub(lambda found: SEED_FIELDS[found[1]], exc.message)
    return type(exc)(message, details)


class CsErrorBody(BaseModel):
    code: str
    message: str
    details: dict[str, Any]


class CsError(BaseModel):
    error: CsErrorBody


class TieredCsDialect(Dialect):
    name = "tiered_cs"
    error_model = CsError

    def error_details(self, exc: DomainError) -> dict[str, Any]:
        cs_code = CS_CODES_BY_ERROR.get(exc.code)
        return {**exc.details, "cs_code": cs_code} if cs_code else exc.details

    def domain_error(self, request: Request, exc: DomainError) -> JSONResponse:
        return super().domain_error(request, seed_named(exc))

    def render_error(
        self, request: Request, *, status: int, code: str, message: str, details: dict[str, Any]
    ) -> JSONResponse:
        cs_code = details.get("cs_code") or CS_CODES.get(code, "CS_010")
        visible = {key: value for key, value in details.items() if key != "cs_code"}
        body = {"error": {"code": cs_code, "message": message, "details": visible}}
        return JSONResponse(body, status_code=status)


DIALECT = TieredCsDialect()
