"""Chunk records in, tenant-filtered dense and sparse candidates out: the one Qdrant collection of the rag service.

One collection, two named vectors per point: "dense" (384-d MiniLM, cosine) and "sparse" (BM25 TF weights,
`Modifier.IDF`). Every point carries tenant_id and every read filters on it. Blocking calls: run them
off the event loop (the KnowledgeBase does, with asyncio.to_thread).
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
from qdrant_client import QdrantClient
from qdrant_client import models as qm
from qdrant_client.http.exceptions import ResponseHandlingException, UnexpectedResponse

from libs.embeddings import EMBEDDING_DIM
from libs.errors import Unavailable
from services.rag.mirror import Hit, SearchMirror
from services.rag.models import ChunkRecord

DENSE = "dense"
SPARSE = "sparse"
_UPSERT_BATCH = 256


def tenant_filter(
    tenant_id: str, doc_key: str | None = None, keep_version: str | None = None, only_version: str | None = None
) -> qm.Filter:
    """Every read and delete goes through this: a tenant's points, optionally one document (version)."""
    must: list[Any] = [qm.FieldCondition(key="tenant_id", match=qm.MatchValue(value=tenant_id))]
    if doc_key is not None:
        must.append(qm.FieldCondition(key="doc_key", match=qm.MatchValue(value=doc_key)))
    if only_version is not None:
        must.append(qm.FieldCondition(key="version", match=qm.MatchValue(value=only_version)))
    must_not: list[Any] = []
    if keep_version is not None:
        must_not.append(qm.FieldCondition(key="version", match=qm.MatchValue(value=keep_version)))
    return qm.Filter(must=must, must_not=must_not or None)


class VectorIndex:
    """Qdrant on disk (`path`), in memory (neither), or a server (`url`); local modes search a SearchMirror."""

    def __init__(
        self,
        *,
        path: Path | str | None = None,
        url: str | None = None,
        api_key: str | None = None,
        collection: str = "rag_chunks",
        use_mirror: bool | None = None,
        tenant_idf: bool | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.collection = collection
        self.local = url is None
        if url:
            self._client = QdrantClient(url=url, api_key=api_key, timeout=int(timeout))
        else:
            self._client = QdrantClient(path=str(path)) if path else QdrantClient(location=":memory:")
        # Local mode is not thread-safe; a server handles concurrency itself.
        self._lock: contextlib.AbstractContextManager[Any] = (
            threading.Lock() if self.local else contextlib.nullcontext()
        )
        # Per-tenant IDF needs IdfCorpusParams (Qdrant ≥ 1.20); older servers fall back to collection-wide IDF.
        self._tenant_idf = self.local if tenant_idf is None else tenant_idf
        self._ensure_collection()
        if path:
            self._relax_local_fsync()
        self._mirror = SearchMirror(EMBEDDING_DIM) if (self.local if use_mirror is None else use_mirror) else None
        if self._mirror is not None:
            self._mirror.add(self._scroll_all())

    def _ensure_collection(self) -> None:
        with self._calls():
            if self._client.collection_exists(self.collection):
                return
            self._client.create_collection(
                self.collection,
                vectors_config={DENSE: qm.VectorParams(size=EMBEDDING_DIM, distance=qm.Distance.COSINE)},
                sparse_vectors_config={SPARSE: qm.SparseVectorParams(modifier=qm.Modifier.IDF)},
            )
            if not self.local:  # payload indexes only exist on a server; is_tenant co-locates a tenant's points
                self._client.create_payload_index(
                    self.collection,
                    "tenant_id",
                    qm.KeywordIndexParams(type=qm.KeywordIndexType.KEYWORD, is_tenant=True),
                )
                self._client.create_payload_index(self.collection, "doc_key", qm.PayloadSchemaType.KEYWORD)

    def _relax_local_fsync(self) -> None:
        """WAL + synchronous=NORMAL on local mode's SQLite file (the same trade-off as libs/store).

        Why: local mode commits every point separately, and with the default rollback journal each commit
        is an fsync (~15 ms here, capping ingestion near 70 chunks/s). With WAL a committed point survives a
        process crash; only an OS crash may lose the last few, which re-uploading restores. Reaches into
        qdrant-client internals, so any mismatch leaves the defaults untouched.
        """
        collections = getattr(getattr(self._client, "_client", None), "collections", {})
        storage = getattr(getattr(collections.get(self.collection), "storage", None), "storage", None)
        if isinstance(storage, sqlite3.Connection):
            storage.execute("PRAGMA journal_mode=WAL")
            storage.execute("PRAGMA synchronous=NORMAL")

    @contextlib.contextmanager
    def _calls(self) -> Iterator[None]:
        """Serialize local-mode calls and turn client failures into Unavailable (a 503, not a 500)."""
        with self._lock:
            try:
                yield
            except (OSError, RuntimeError, ValueError, UnexpectedResponse, ResponseHandlingException) as exc:
                raise Unavailable("vector index unavailable", {"component": "qdrant", "reason": str(exc)}) from exc

    def _scroll_all(self) -> Iterator[ChunkRecord]:
        offset: Any = None
        while True:
            with self._calls():
                points, offset = self._client.scroll(
                    self.collection, limit=1024, offset=offset, with_payload=True, with_vectors=True
                )
            for point in points:
                vectors: Any = point.vector
                sparse = vectors[SPARSE]
                yield ChunkRecord(
                    str(point.id), list(vectors[DENSE]), list(sparse.indices), list(sparse.values), point.payload or {}
                )
            if offset is None:
                return

    def upsert(self, records: Sequence[ChunkRecord]) -> None:
        """Write points in batches; a failure part-way leaves extra points the caller deletes by version."""
        written = 0
        try:
            for start in range(0, len(records), _UPSERT_BATCH):
                batch = records[start : start + _UPSERT_BATCH]
                points = [
                    qm.PointStruct(
                        id=r.point_id,
                        vector={
                            DENSE: r.dense,
                            SPARSE: qm.SparseVector(indices=r.sparse_indices, values=r.sparse_values),
                        },
                        payload=r.payload,
                    )
                    for r in batch
                ]
                with self._calls():
                    self._client.upsert(self.collection, points=points, wait=True)
                written += len(batch)
        finally:
            # Readers see a whole version at once; after a failure the mirror still lists what was written,
            # so the caller's delete by version (which asks the mirror in local mode) removes it.
            if self._mirror is not None:
                self._mirror.add(records[:written])

    def delete(
        self, tenant_id: str, doc_key: str, *, keep_version: str | None = None, only_version: str | None = None
    ) -> int:
        """Delete a document's points: all, all but `keep_version`, or only `only_version`; returns the count."""

        def matches(payload: dict[str, Any]) -> bool:
            version = payload.get("version")
            return (
                payload.get("doc_key") == doc_key
                and (keep_version is None or version != keep_version)
                and (only_version is None or version == only_version)
            )

        if self._mirror is not None and self.local:
            # Local mode evaluates a filter on every point of the collection in Python (~0.4 s per call at
            # 5,000 points, paid twice per upload: count, then delete); the exact mirror names the points.
            doomed_ids: list[Any] = self._mirror.select(tenant_id, matches)
            if doomed_ids:
                with self._calls():
                    self._client.delete(self.collection, points_selector=qm.PointIdsList(points=doomed_ids), wait=True)
            return self._mirror.remove_ids(tenant_id, doomed_ids)
        flt = tenant_filter(tenant_id, doc_key, keep_version, only_version)
        with self._calls():
            doomed = self._client.count(self.collection, count_filter=flt, exact=True).count
            if doomed:
                self._client.delete(self.collection, points_selector=qm.FilterSelector(filter=flt), wait=True)
        return int(doomed)

    def count(self, tenant_id: str, doc_key: str | None = None) -> int:
        with self._calls():
            return int(self._client.count(self.collection, count_filter=tenant_filter(tenant_id, doc_key)).count)

    def search(
        self,
        tenant_id: str,
        dense: np.ndarray,
        sparse: tuple[list[int], list[float]],
        limit: int,
        *,
        use_mirror: bool = True,
    ) -> tuple[list[Hit], list[Hit]]:
        """Dense and sparse candidates (id, score, payload), best first, from this tenant's chunks only."""
        if self._mirror is not None and use_mirror:
            return (
                self._mirror.search_dense(tenant_id, dense, limit),
                self._mirror.search_sparse(tenant_id, sparse[0], sparse[1], limit),
            )
        flt = tenant_filter(tenant_id)
        params = qm.SearchParams(idf=qm.IdfCorpusParams(corpus=flt)) if self._tenant_idf else None
        requests = [qm.QueryRequest(query=dense.tolist(), using=DENSE, filter=flt, limit=limit, with_payload=True)]
        if sparse[0]:
            requests.append(
                qm.QueryRequest(
                    query=qm.SparseVector(indices=sparse[0], values=sparse[1]),
                    using=SPARSE,
                    filter=flt,
                    limit=limit,
                    params=params,
                    with_payload=True,
                )
            )
        with self._calls():
            responses = self._client.query_batch_points(self.collection, requests=requests)
        lists = [[(str(p.id), float(p.score), p.payload or {}) for p in r.points] for r in responses]
        return lists[0], (lists[1] if len(lists) > 1 else [])

    def hybrid_rrf(
        self, tenant_id: str, dense: np.ndarray, sparse: tuple[list[int], list[float]], limit: int, prefetch: int
    ) -> list[Hit]:
        """Server-side fusion through the Query API (prefetch both vectors, fuse with RRF): a reference path."""
        flt = tenant_filter(tenant_id)
        with self._calls():
            response = self._client.query_points(
                self.collection,
                prefetch=[
                    qm.Prefetch(query=dense.tolist(), using=DENSE, limit=prefetch),
                    qm.Prefetch(
                        query=qm.SparseVector(indices=sparse[0], values=sparse[1]), using=SPARSE, limit=prefetch
                    ),
                ],
                query=qm.FusionQuery(fusion=qm.Fusion.RRF),
                query_filter=flt,
                limit=limit,
                with_payload=True,
            )
        return [(str(p.id), float(p.score), p.payload or {}) for p in response.points]

    def health(self) -> Literal["healthy", "degraded", "unhealthy"]:
        try:
            with self._calls():
                info = self._client.get_collection(self.collection)
        except Unavailable:
            return "unhealthy"
        return "healthy" if info.status in (qm.CollectionStatus.GREEN, qm.CollectionStatus.GREY) else "degraded"

    def close(self) -> None:
        with self._calls():
            self._client.close()
