"""The sentiment service's repository: one analysis record per analysed text, written at most once."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from libs.store import DocumentStore


class AnalysisRepository:
    def __init__(self, store: DocumentStore) -> None:
        self._analyses = store.collection("analyses")

    async def ensure_indexes(self) -> None:
        await self._analyses.ensure_index(["tenant_id", "created_at"])

    async def record(self, record_id: str, tenant_id: str, result: dict[str, Any], request_id: str) -> bool:
        """Insert unless this id was recorded before (a redelivered command must not count twice)."""
        doc = {
            "id": record_id,
            "tenant_id": tenant_id,
            "request_id": request_id,
            "item_id": result["id"],
            "created_at": datetime.now(UTC).isoformat(),
            **{k: result[k] for k in ("label", "score", "cs_level", "irate", "satisfaction_score")},
        }
        return await self._analyses.insert_if_absent(doc)

    async def count(self, tenant_id: str) -> int:
        return await self._analyses.count({"tenant_id": tenant_id})
