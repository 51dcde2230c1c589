"""Seed 000 POST /api/v1/privacy/anonymize, /privacy/deanonymize, /fairness/analyze: answered by the privacy service."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from libs.errors import TooLarge
from services.gateway.deps import Caller, GatewayDep
from services.gateway.dialects.insights.envelope import DIALECT, ok
from services.gateway.dialects.insights.responses import AnonymizeOut, DeanonymizeResultV1, FairnessReportV1, Ok
from services.gateway.input_policy import FreeFormRows

router = APIRouter(prefix="/api/v1", route_class=DIALECT.route_class(), tags=["insights: privacy"])

MAX_TEXT_BYTES = 1_048_576  # the privacy service's limit (services/privacy/domain.py): refused here, before the bus
MAX_ROWS = 100_000
MAX_COLUMNS = 50


def _text_checks(value: str) -> str:
    if not value.strip():
        raise ValueError("Text must not be empty")
    size = len(value.encode("utf-8"))
    if size > MAX_TEXT_BYTES:
        # Not a ValueError: pydantic lets it through and the dialect route renders it as 413.
        raise TooLarge("Text too large", {"text": f"{size} bytes exceeds the limit", "max_bytes": MAX_TEXT_BYTES})
    return value


Text = Annotated[str, Field(min_length=1, strict=True), AfterValidator(_text_checks)]
Column = Annotated[str, Field(min_length=1, max_length=200, strict=True)]


class AnonymizeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: Text
    keep_mapping: bool = Field(default=False, strict=True)
    store_originals: bool = Field(
        default=False, strict=True, description="Seal the originals in the vault; the response then carries `token`."
    )


class DeanonymizeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    token: str = Field(pattern=r"^pii_[0-9a-f]{32}$", strict=True, description="From an anonymize response.")
    text: Text | None = Field(default=None, description="Text with the token's placeholders (default: its own text).")


class FairnessRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    data: FreeFormRows = Field(min_length=1, max_length=MAX_ROWS)
    attributes: list[Column] = Field(min_length=1, max_length=MAX_COLUMNS)
    outcome_columns: list[Column] = Field(min_length=1, max_length=MAX_COLUMNS)
    min_sample_size: int = Field(default=30, ge=1, le=1_000_000, strict=True)


@router.post("/privacy/anonymize", response_model=Ok[AnonymizeOut], response_model_exclude_unset=True)
async def anonymize(body: AnonymizeRequest, caller: Caller, gw: GatewayDep) -> dict[str, Any]:
    result = await gw.clients.privacy.anonymize(
        caller,
        body.text,
        keep_mapping=body.keep_mapping,
        store_originals=body.store_originals,
    )
    data: dict[str, Any] = {"anonymized_text": result.anonymized_text}
    if body.keep_mapping:
        data["mapping"] = result.mapping or {}
    data["pii_detected"] = list(result.pii_detected)
    if result.token is not None:
        data["token"] = result.token
    return ok(data)


@router.post("/privacy/deanonymize", response_model=Ok[DeanonymizeResultV1], response_model_exclude_unset=True)
async def deanonymize(body: DeanonymizeRequest, caller: Caller, gw: GatewayDep) -> dict[str, Any]:
    """Reviewers and admins only; the privacy service checks the roles and audits every attempt."""
    result = await gw.clients.privacy.deanonymize(caller, body.token, text=body.text)
    return ok({"token": result.token, "text": result.text, "originals": result.originals})


@router.post("/fairness/analyze", response_model=Ok[FairnessReportV1], response_model_exclude_unset=True)
async def analyze_fairness(body: FairnessRequest, caller: Caller, gw: GatewayDep) -> dict[str, Any]:
    report = await gw.clients.privacy.analyze_fairness(
        caller,
        body.data,
        list(body.attributes),
        list(body.outcome_columns),
        min_sample_size=body.min_sample_size,
    )
    return ok(report.model_dump(mode="json", exclude_none=True))
