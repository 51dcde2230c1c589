"""Where a job's rows come from: `training_data_uri` / `validation_data_uri` resolved to a stored dataset of the
caller's tenant. `dataset://…` names an upload; `s3://bucket/key` is read once with the configured S3 client,
parsed like an upload and stored as a dataset (its filename is the s3 URI), so a job trains on a snapshot that a later
change of the object cannot alter, and a resumed job reads the same rows."""

from __future__ import annotations

import asyncio

from libs.errors import Invalid
from services.training.datasets import MAX_DATASET_BYTES, parse_dataset
from services.training.domain import S3_SCHEME, DatasetRecord, dataset_id_of, derived, now
from services.training.s3 import S3Reader
from services.training.store import TrainingStore


class DataSources:
    def __init__(self, store: TrainingStore, s3: S3Reader | None) -> None:
        self._store = store
        self._s3 = s3

    async def resolve(self, tenant_id: str, uri: str, field: str) -> DatasetRecord:
        if uri.startswith(S3_SCHEME):
            return await self._from_s3(tenant_id, uri, field)
        record = await self._store.get_dataset(tenant_id, dataset_id_of(uri, field))
        if record is None:  # another tenant's dataset is as unknown as a missing one: nothing leaks
            raise Invalid(f"{field}: no dataset {uri} for this tenant", {"field": field})
        return record

    async def _from_s3(self, tenant_id: str, uri: str, field: str) -> DatasetRecord:
        if self._s3 is None:
            raise Invalid(
                f"{field}: s3:// needs an S3 endpoint and credentials, and none are configured; upload the file "
                "with POST /api/v1/ai/datasets and pass its dataset:// URI",
                {"field": field},
            )
        found = await asyncio.to_thread(self._s3.read, uri, field, MAX_DATASET_BYTES)
        # One dataset per (tenant, object version): training on the same object again reuses its rows and embeddings.
        dataset_id = derived("ds_", tenant_id, uri, found.etag or str(len(found.data)))
        existing = await self._store.get_dataset(tenant_id, dataset_id)
        if existing is not None:
            return existing
        try:
            dataset = await asyncio.to_thread(parse_dataset, found.key, found.data)
        except Invalid as exc:  # the parser names the upload's `file` field; here the problem is in the URI's object
            raise Invalid(f"{field}: {uri}: {exc.message}", {**exc.details, "field": field}) from exc
        record = DatasetRecord(
            id=dataset_id, tenant_id=tenant_id, filename=uri, format=dataset.format, rows=len(dataset.texts),
            labels=dataset.counts, sha256=dataset.sha256, size=len(found.data), created_at=now(),
        )  # fmt: skip
        await self._store.save_dataset(record, dataset)
        return record
