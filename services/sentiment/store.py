"""The sentiment service's repositories: one analysis record per analysed text (written at most once) and the
rendered explanation pages (per tenant, expiring, opened by id + tenant or by id + access token)."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from libs.store import DocumentStore


def _now() -> datetime:
    return datetime.now(UTC)


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
            "created_at": _now().isoformat(),
            **{k: result[k] for k in ("label", "score", "cs_level", "irate", "satisfaction_score")},
        }
        return await self._analyses.insert_if_absent(doc)

    async def count(self, tenant_id: str) -> int:
        return await self._analyses.count({"tenant_id": tenant_id})


@dataclass(frozen=True)
class StoredExplanation:
    explanation_id: str
    tenant_id: str
    model_name: str
    html: str
    access_token: str | None  # in clear only when just issued or just presented; the store keeps hashes
    expires_at: datetime


def token_hash(token: str) -> str:
    # The token is 192 random bits: a fast hash suffices (nothing to brute-force), and a leaked store opens no page.
    return hashlib.sha256(token.encode()).hexdigest()


class ExplanationRepository:
    """Explanation pages, each with the hashes of the access tokens issued for it. A redelivered Explain (processed
    again after a crash) issues another token and adds its hash, so whichever reply reached the caller works."""

    def __init__(self, store: DocumentStore) -> None:
        self._pages = store.collection("explanations")

    async def ensure_indexes(self) -> None:
        await self._pages.ensure_index(["expires_at"])

    async def save(self, page: StoredExplanation) -> StoredExplanation:
        """Store unless this id exists (redelivery: the new token is added to it); the page with the new token."""
        # Expired pages hold customer text nobody may read any more: drop them as new ones come in.
        await self._pages.delete_many({"expires_at": {"$lt": _now().isoformat()}})
        digest = token_hash(page.access_token or "")
        doc = {
            "id": page.explanation_id,
            "tenant_id": page.tenant_id,
            "model_name": page.model_name,
            "html": page.html,
            "token_hashes": [digest],
            "created_at": _now().isoformat(),
            "expires_at": page.expires_at.isoformat(),
        }
        if await self._pages.insert_if_absent(doc):
            return page
        stored = await self._pages.get(page.explanation_id)
        if stored is None:
            return page
        await self._pages.update(page.explanation_id, {"token_hashes": [*stored.get("token_hashes", []), digest]})
        return _page(stored, page.access_token)

    async def open(self, explanation_id: str, tenant_id: str, access_token: str | None) -> StoredExplanation | None:
        """The page when it exists, belongs to `tenant_id`, has not expired and (when given) the token matches."""
        doc = await self._pages.get(explanation_id)
        if doc is None or doc["tenant_id"] != tenant_id:
            return None
        page = _page(doc, access_token)
        if page.expires_at <= _now():
            return None
        if access_token is not None and not _token_matches(doc, access_token):
            return None
        return page


def _token_matches(doc: dict[str, Any], token: str) -> bool:
    digest = token_hash(token).encode()
    # Every hash compared (no early exit); "access_token" is how pages stored before hashing kept it.
    hashes = [h.encode() for h in doc.get("token_hashes", [])]
    matched = [hmac.compare_digest(digest, h) for h in hashes]
    legacy = doc.get("access_token")
    if legacy is not None:
        matched.append(hmac.compare_digest(token.encode(), str(legacy).encode()))
    return any(matched)


def _page(doc: dict[str, Any], access_token: str | None) -> StoredExplanation:
    return StoredExplanation(
        explanation_id=doc["id"],
        tenant_id=doc["tenant_id"],
        model_name=doc["model_name"],
        html=doc["html"],
        access_token=access_token,
        expires_at=datetime.fromisoformat(doc["expires_at"]),
    )


def expiry(ttl_s: int) -> datetime:
    return _now() + timedelta(seconds=ttl_s)
