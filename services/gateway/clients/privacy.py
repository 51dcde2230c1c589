"""Gateway → privacy service: Anonymize, Deanonymize (with the caller as audited actor) and AnalyzeFairness requests."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

from libs.bus.base import Bus
from libs.contracts.models.privacy import (
    AnalyzeFairnessV1,
    AnonymizeResultV1,
    AnonymizeV1,
    DeanonymizeResultV1,
    DeanonymizeV1,
    FairnessReportV1,
)
from services.gateway.auth import Principal

R = TypeVar("R", bound=BaseModel)
# Detection costs ~30 µs per character on one core: past this size a text gets the long (batch) deadline.
LONG_TEXT_BYTES = 64 * 1024
LONG_FAIRNESS_ROWS = 5_000


class PrivacyClient:
    def __init__(self, bus: Bus, *, timeout_s: float, long_timeout_s: float) -> None:
        self._bus = bus
        self._timeout = timeout_s
        self._long_timeout = long_timeout_s

    async def anonymize(
        self, caller: Principal, text: str, *, keep_mapping: bool, store_originals: bool, correlation_id: str
    ) -> AnonymizeResultV1:
        command = AnonymizeV1(text=text, keep_mapping=keep_mapping, store_originals=store_originals)
        long = len(text.encode("utf-8")) > LONG_TEXT_BYTES
        return await self._request(caller, command, AnonymizeResultV1, correlation_id, long=long)

    async def deanonymize(
        self, caller: Principal, token: str, *, text: str | None, correlation_id: str
    ) -> DeanonymizeResultV1:
        actor = {"id": caller.subject_id, "kind": caller.kind, "roles": sorted(caller.roles)}
        command = DeanonymizeV1.model_validate({"token": token, "text": text, "actor": actor})
        long = text is not None and len(text.encode("utf-8")) > LONG_TEXT_BYTES
        return await self._request(caller, command, DeanonymizeResultV1, correlation_id, long=long)

    async def analyze_fairness(
        self,
        caller: Principal,
        data: list[dict[str, Any]],
        attributes: list[str],
        outcome_columns: list[str],
        *,
        min_sample_size: int,
        correlation_id: str,
    ) -> FairnessReportV1:
        command = AnalyzeFairnessV1(
            data=data, attributes=attributes, outcome_columns=outcome_columns, min_sample_size=min_sample_size
        )
        long = len(data) > LONG_FAIRNESS_ROWS
        return await self._request(caller, command, FairnessReportV1, correlation_id, long=long)

    async def _request(
        self,
        caller: Principal,
        command: AnonymizeV1 | DeanonymizeV1 | AnalyzeFairnessV1,
        reply: type[R],
        correlation_id: str,
        *,
        long: bool,
    ) -> R:
        return await self._bus.ask(
            command,
            reply,
            key=correlation_id,
            tenant_id=caller.tenant_id,
            timeout=self._long_timeout if long else self._timeout,
            correlation_id=correlation_id,
        )
