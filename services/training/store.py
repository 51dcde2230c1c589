"""The training service's repository: upload parts, datasets, jobs, model registry and deployments in its document
store; dataset rows, cached embeddings, checkpoints and model artifacts as files under its own data folder."""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import io
import json
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np

from libs.contracts.models.training import UploadDatasetPartV1
from libs.errors import Invalid
from libs.store import DocumentStore
from services.training.datasets import Dataset
from services.training.domain import DatasetRecord, DeploymentRecord, JobRecord, ModelVersion, now

DIGEST_BYTES = 16


def text_digest(text: str) -> bytes:
    """16 bytes naming a text in the embedding cache (a collision would need about 2^64 texts)."""
    return hashlib.blake2b(text.encode(), digest_size=DIGEST_BYTES).digest()


def _write_atomic(path: Path, data: bytes) -> None:
    """Write then rename: a crash mid-write never leaves a half file where a checkpoint or artifact is read."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


class TrainingStore:
    def __init__(self, store: DocumentStore, root: Path) -> None:
        self.parts = store.collection("upload_parts")
        self.datasets = store.collection("datasets")
        self.jobs = store.collection("jobs")
        self.models = store.collection("models")
        self.deployments = store.collection("deployments")
        self.root = root

    async def setup(self) -> None:
        await self.parts.ensure_index(["upload_id", "index"])
        await self.parts.ensure_index(["created_at"])
        await self.jobs.ensure_index(["status"])
        await self.datasets.ensure_index(["tenant_id", "created_at"])
        await self.deployments.ensure_index(["tenant_id", "name"])

    # Upload parts: stored once per (upload_id, index), assembled in order when the last one arrives.
    async def add_part(self, tenant_id: str, part: UploadDatasetPartV1) -> int:
        await self.parts.insert_if_absent(
            {"id": f"{part.upload_id}:{part.index:04d}", "tenant_id": tenant_id, "upload_id": part.upload_id,
             "index": part.index, "data_b64": part.data_b64, "created_at": now()}
        )  # fmt: skip
        return await self.parts.count({"upload_id": part.upload_id, "tenant_id": tenant_id})

    async def assemble(self, tenant_id: str, upload_id: str, total: int) -> bytes | None:
        docs = await self.parts.find({"upload_id": upload_id, "tenant_id": tenant_id}, sort=[("index", 1)])
        if [d["index"] for d in docs] != list(range(total)):
            return None
        try:
            return b"".join(base64.b64decode(d["data_b64"], validate=True) for d in docs)
        except binascii.Error as exc:
            raise Invalid("an upload part is not valid base64", {"field": "data_b64"}) from exc

    async def drop_parts(self, upload_id: str) -> None:
        await self.parts.delete_many({"upload_id": upload_id})

    async def purge_stale_parts(self, older_than: timedelta) -> int:
        """Drop parts of uploads whose last part never came (a gateway that died mid-upload)."""
        return await self.parts.delete_many({"created_at": {"$lt": (now() - older_than).isoformat()}})

    # Datasets: the record in the store, the rows as a JSONL file (up to 50 MB: too big for one document).
    def _rows_path(self, dataset_id: str) -> Path:
        return self.root / "datasets" / f"{dataset_id}.jsonl"

    async def save_dataset(self, record: DatasetRecord, dataset: Dataset) -> None:
        lines = (
            json.dumps({"text": t, "label": lb}, ensure_ascii=False)
            for t, lb in zip(dataset.texts, dataset.labels, strict=True)
        )
        payload = ("\n".join(lines) + "\n").encode()
        await asyncio.to_thread(_write_atomic, self._rows_path(record.id), payload)
        await self.datasets.upsert(record.model_dump(mode="json"))

    async def get_dataset(self, tenant_id: str, dataset_id: str) -> DatasetRecord | None:
        doc = await self.datasets.get(dataset_id)
        return DatasetRecord.model_validate(doc) if doc and doc.get("tenant_id") == tenant_id else None

    async def list_datasets(self, tenant_id: str, limit: int) -> list[DatasetRecord]:
        docs = await self.datasets.find({"tenant_id": tenant_id}, sort=[("created_at", -1)], limit=limit)
        return [DatasetRecord.model_validate(d) for d in docs]

    async def load_rows(self, dataset_id: str) -> tuple[list[str], list[str]]:
        raw = await asyncio.to_thread(self._rows_path(dataset_id).read_text, "utf-8")
        rows = [json.loads(line) for line in raw.splitlines() if line]
        return [r["text"] for r in rows], [r["label"] for r in rows]

    async def delete_dataset(self, record: DatasetRecord) -> None:
        await self.datasets.delete(record.id)
        self._rows_path(record.id).unlink(missing_ok=True)

    # Embeddings, cached per dataset content hash (and encoder), so re-training the same rows skips the encoder; each
    # file has the digests of its texts beside it, so a tenant's next dataset (the same rows edited, a validation set
    # cut from them) reuses the vectors of the texts it shares with the ones already embedded.
    def _embedding_path(self, sha256: str, encoder: str) -> Path:
        return self.root / "embeddings" / f"{encoder}-{sha256}.npy"

    def cached_embeddings(self, sha256: str, encoder: str) -> np.ndarray | None:
        path = self._embedding_path(sha256, encoder)
        return np.load(path, allow_pickle=False) if path.exists() else None

    def cached_embeddings_exist(self, sha256: str) -> bool:
        return any((self.root / "embeddings").glob(f"*-{sha256}.npy"))

    def cache_embeddings(self, sha256: str, encoder: str, vectors: np.ndarray, texts: list[str] | None = None) -> None:
        if texts is not None:  # the digests first: a vectors file without them is only reused whole
            digests = b"".join(text_digest(t) for t in texts)
            _write_atomic(self._embedding_path(sha256, encoder).with_suffix(".keys"), digests)
        buffer = io.BytesIO()
        np.save(buffer, vectors.astype(np.float32), allow_pickle=False)
        _write_atomic(self._embedding_path(sha256, encoder), buffer.getvalue())

    def known_vectors(self, sha256s: list[str], encoder: str) -> dict[bytes, np.ndarray]:
        """Text digest → vector over the cached embeddings of these datasets (a tenant's), by this encoder."""
        known: dict[bytes, np.ndarray] = {}
        for sha256 in sha256s:
            path = self._embedding_path(sha256, encoder)
            keys = path.with_suffix(".keys")
            if not (path.exists() and keys.exists()):
                continue
            raw, vectors = keys.read_bytes(), np.load(path, allow_pickle=False)
            if len(raw) == DIGEST_BYTES * len(vectors):
                digests = (raw[i : i + DIGEST_BYTES] for i in range(0, len(raw), DIGEST_BYTES))
                known.update(zip(digests, vectors, strict=True))
        return known

    # Jobs and their per-epoch checkpoints (the head with its optimizer state).
    async def save_job(self, job: JobRecord) -> None:
        await self.jobs.upsert(job.model_dump(mode="json"))

    async def get_job(self, tenant_id: str, job_id: str) -> JobRecord | None:
        doc = await self.jobs.get(job_id)
        return JobRecord.model_validate(doc) if doc and doc.get("tenant_id") == tenant_id else None

    async def unfinished_jobs(self) -> list[JobRecord]:
        docs = await self.jobs.find({"status": {"$in": ["STARTING", "IN_PROGRESS"]}})
        return [JobRecord.model_validate(d) for d in docs]

    def save_checkpoint(self, job_id: str, epoch: int, head: bytes) -> None:
        _write_atomic(self.root / "checkpoints" / f"{job_id}.npz", head)
        _write_atomic(self.root / "checkpoints" / f"{job_id}.epoch", str(epoch).encode())

    def load_checkpoint(self, job_id: str) -> tuple[int, bytes] | None:
        folder = self.root / "checkpoints"
        if not (folder / f"{job_id}.epoch").exists():
            return None
        return int((folder / f"{job_id}.epoch").read_text()), (folder / f"{job_id}.npz").read_bytes()

    # Model registry: an immutable version per finished job, its artifact written once.
    def _artifact_path(self, model_id: str) -> Path:
        return self.root / "models" / model_id / "head.npz"

    async def register_model(self, version: ModelVersion, artifact: bytes) -> None:
        path = self._artifact_path(version.id)
        await asyncio.to_thread(_write_atomic, path, artifact)
        card = version.model_dump(mode="json")
        await asyncio.to_thread(_write_atomic, path.with_name("model_card.json"), json.dumps(card, indent=2).encode())
        await self.models.insert_if_absent(card)

    async def get_model(self, tenant_id: str, model_id: str) -> ModelVersion | None:
        doc = await self.models.get(model_id)
        return ModelVersion.model_validate(doc) if doc and doc.get("tenant_id") == tenant_id else None

    async def load_artifact(self, model_id: str) -> bytes:
        return await asyncio.to_thread(self._artifact_path(model_id).read_bytes)

    # Deployments.
    async def save_deployment(self, deployment: DeploymentRecord) -> None:
        await self.deployments.upsert(deployment.model_dump(mode="json"))

    async def find_deployment(
        self, tenant_id: str, *, id: str | None = None, name: str | None = None
    ) -> DeploymentRecord | None:
        where: dict[str, Any] = {"tenant_id": tenant_id}
        where.update({"id": id} if id else {"name": name})
        doc = await self.deployments.find_one(where)
        return DeploymentRecord.model_validate(doc) if doc else None

    async def all_deployments(self) -> list[DeploymentRecord]:
        return [DeploymentRecord.model_validate(d) for d in await self.deployments.find({})]
