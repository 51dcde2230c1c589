"""Gateway → privacy service: Anonymize, Deanonymize (with the caller as audited actor) and AnalyzeFairness requests."""

from __future__ import annotations

from typing import Any

from libs.contracts.models.privacy import (
    AnalyzeFairnessV1,
    AnonymizeResultV1,
    AnonymizeV1,
    DeanonymizeResultV1,
    DeanonymizeV1,
    FairnessReportV1,
)
from services.gateway.auth import Principal
from services.gateway.clients.base import BusClient

# Detection costs ~30 µs per character on one core: past this size a text gets the long (batch) deadline.
LONG_TEXT_BYTES = 64 * 1024
LONG_FAIRNESS_ROWS = 5_000


class PrivacyClient(BusClient):
    async def anonymize(
        self, caller: Principal, text: str, *, keep_mapping: bool, store_originals: bool
    ) -> AnonymizeResultV1:
        command = AnonymizeV1(text=text, keep_mapping=keep_mapping, store_originals=store_originals)
        return await self.ask(caller, command, AnonymizeResultV1, long=len(text.encode("utf-8")) > LONG_TEXT_BYTES)

    async def deanonymize(self, caller: Principal, token: str, *, text: str | None) -> DeanonymizeResultV1:
        actor = {"id": caller.subject_id, "kind": caller.kind, "roles": sorted(caller.roles)}
        command = DeanonymizeV1.model_validate({"token": token, "text": text, "actor": actor})
        long = text is not None and len(text.encode("utf-8")) > LONG_TEXT_BYTES
        return await self.ask(caller, command, DeanonymizeResultV1, long=long)

    async def analyze_fairness(
        self,
        caller: Principal,
        data: list[dict[str, Any]],
        attributes: list[str],
        outcome_columns: list[str],
        *,
        min_sample_size: int,
    ) -> FairnessReportV1:
        command = AnalyzeFairnessV1(
            data=data, attributes=attributes, outcome_columns=outcome_columns, min_sample_size=min_sample_size
        )
        return await self.ask(caller, command, FairnessReportV1, long=len(data) > LONG_FAIRNESS_ROWS)
