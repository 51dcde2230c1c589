"""Gateway → training service: dataset uploads in ordered parts, dataset get/delete, training jobs, deployments and
predictions over training.commands; typed replies out."""

from __future__ import annotations

from typing import IO, TypeVar

from pydantic import BaseModel

from libs.bus.base import Bus
from libs.contracts.models.training import (
    CancelTrainingJobV1,
    DatasetInfoV1,
    DatasetListV1,
    DeleteDatasetV1,
    DeploymentV1,
    DeployV1,
    ExplainV1,
    ExplanationV1,
    GetDatasetV1,
    GetDeploymentV1,
    GetTrainingJobV1,
    ListDatasetsV1,
    PredictionV1,
    PredictV1,
    RollbackDeploymentV1,
    StartTrainingV1,
    TrainingJobV1,
    UploadDatasetPartV1,
)
from libs.errors import Unavailable
from services.gateway.auth import Principal
from services.gateway.clients.file_parts import file_parts

Reply = TypeVar("Reply", bound=BaseModel)


class TrainingClient:
    def __init__(self, bus: Bus, *, timeout_s: float, long_timeout_s: float) -> None:
        self._bus = bus
        self._timeout = timeout_s
        self._long_timeout = long_timeout_s

    async def _ask(
        self, caller: Principal, command: BaseModel, reply: type[Reply], correlation_id: str, *, key: str | None = None,
        long: bool = False,
    ) -> Reply:  # fmt: skip
        return await self._bus.ask(
            command, reply, key=key or correlation_id, tenant_id=caller.tenant_id,
            timeout=self._long_timeout if long else self._timeout, correlation_id=correlation_id,
        )  # fmt: skip

    async def upload_dataset(
        self, caller: Principal, filename: str, content_type: str, body: IO[bytes], size: int, *, correlation_id: str
    ) -> DatasetInfoV1:
        """Send the file as ordered parts on one key; the final part's reply is the stored dataset."""
        upload_id = ""
        async for chunk in file_parts(body, size):
            upload_id = chunk.upload_id
            part = UploadDatasetPartV1(
                upload_id=upload_id, filename=filename, content_type=content_type, index=chunk.index,
                total=chunk.total, size=size, data_b64=chunk.data_b64,
            )  # fmt: skip
            dataset = await self._bus.ask_part(
                part, DatasetInfoV1, key=upload_id, tenant_id=caller.tenant_id, timeout=self._long_timeout,
                correlation_id=correlation_id,
            )  # fmt: skip
            if dataset is not None:  # the final part's reply; earlier parts are acknowledged with UploadProgress
                return dataset
        raise Unavailable("the training service acknowledged the last part without a result", {"upload_id": upload_id})

    async def get_dataset(self, caller: Principal, dataset_id: str, *, correlation_id: str) -> DatasetInfoV1:
        return await self._ask(caller, GetDatasetV1(dataset_id=dataset_id), DatasetInfoV1, correlation_id)

    async def list_datasets(self, caller: Principal, limit: int, *, correlation_id: str) -> DatasetListV1:
        return await self._ask(caller, ListDatasetsV1(limit=limit), DatasetListV1, correlation_id)

    async def delete_dataset(self, caller: Principal, dataset_id: str, *, correlation_id: str) -> DatasetInfoV1:
        return await self._ask(caller, DeleteDatasetV1(dataset_id=dataset_id), DatasetInfoV1, correlation_id)

    async def start_training(
        self, caller: Principal, command: StartTrainingV1, *, correlation_id: str
    ) -> TrainingJobV1:
        # An s3:// URI is read (up to 50 MB) and parsed before the job is answered: the upload's longer deadline.
        uris = (command.training_data_uri, command.validation_data_uri or "")
        s3 = any(uri.startswith("s3://") for uri in uris)
        return await self._ask(caller, command, TrainingJobV1, correlation_id, long=s3)

    async def get_job(self, caller: Principal, job_id: str, *, correlation_id: str) -> TrainingJobV1:
        return await self._ask(caller, GetTrainingJobV1(job_id=job_id), TrainingJobV1, correlation_id, key=job_id)

    async def cancel_job(self, caller: Principal, job_id: str, *, correlation_id: str) -> TrainingJobV1:
        return await self._ask(caller, CancelTrainingJobV1(job_id=job_id), TrainingJobV1, correlation_id, key=job_id)

    async def deploy(self, caller: Principal, command: DeployV1, *, correlation_id: str) -> DeploymentV1:
        return await self._ask(caller, command, DeploymentV1, correlation_id, key=command.deployment_name)

    async def get_deployment(
        self, caller: Principal, *, deployment_id: str | None = None, name: str | None = None, correlation_id: str
    ) -> DeploymentV1:
        command = GetDeploymentV1(deployment_id=deployment_id, deployment_name=name)
        return await self._ask(caller, command, DeploymentV1, correlation_id)

    async def rollback(self, caller: Principal, deployment_id: str, *, correlation_id: str) -> DeploymentV1:
        command = RollbackDeploymentV1(deployment_id=deployment_id)
        return await self._ask(caller, command, DeploymentV1, correlation_id, long=True)

    async def explain(self, caller: Principal, name: str, text: str, *, correlation_id: str) -> ExplanationV1:
        command = ExplainV1(deployment_name=name, text=text, method="shap")
        # Shapley values cost a few hundred model calls: the long budget.
        return await self._ask(caller, command, ExplanationV1, correlation_id, long=True)

    async def predict(self, caller: Principal, name: str, texts: list[str], *, correlation_id: str) -> PredictionV1:
        command = PredictV1(deployment_name=name, texts=texts)
        return await self._ask(caller, command, PredictionV1, correlation_id, long=len(texts) > 32)
