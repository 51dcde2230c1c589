"""Gateway → training service: dataset uploads in ordered parts, dataset get/delete, training jobs, deployments and
predictions over training.commands; typed replies out."""

from __future__ import annotations

from typing import IO

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
from services.gateway.clients.base import BusClient
from services.gateway.clients.file_parts import file_parts


class TrainingClient(BusClient):
    async def upload_dataset(
        self, caller: Principal, filename: str, content_type: str, body: IO[bytes], size: int
    ) -> DatasetInfoV1:
        """Send the file as ordered parts on one key; the final part's reply is the stored dataset."""
        upload_id = ""
        async for chunk in file_parts(body, size):
            upload_id = chunk.upload_id
            part = UploadDatasetPartV1(
                upload_id=upload_id, filename=filename, content_type=content_type, index=chunk.index,
                total=chunk.total, size=size, data_b64=chunk.data_b64,
            )  # fmt: skip
            dataset = await self.ask_part(caller, part, DatasetInfoV1, key=upload_id)
            if dataset is not None:  # the final part's reply; earlier parts are acknowledged with UploadProgress
                return dataset
        raise Unavailable("the training service acknowledged the last part without a result", {"upload_id": upload_id})

    async def get_dataset(self, caller: Principal, dataset_id: str) -> DatasetInfoV1:
        return await self.ask(caller, GetDatasetV1(dataset_id=dataset_id), DatasetInfoV1)

    async def list_datasets(self, caller: Principal, limit: int) -> DatasetListV1:
        return await self.ask(caller, ListDatasetsV1(limit=limit), DatasetListV1)

    async def delete_dataset(self, caller: Principal, dataset_id: str) -> DatasetInfoV1:
        return await self.ask(caller, DeleteDatasetV1(dataset_id=dataset_id), DatasetInfoV1)

    async def start_training(self, caller: Principal, command: StartTrainingV1) -> TrainingJobV1:
        # An s3:// URI is read (up to 50 MB) and parsed before the job is answered: the upload's longer deadline.
        uris = (command.training_data_uri, command.validation_data_uri or "")
        s3 = any(uri.startswith("s3://") for uri in uris)
        return await self.ask(caller, command, TrainingJobV1, long=s3)

    async def get_job(self, caller: Principal, job_id: str) -> TrainingJobV1:
        return await self.ask(caller, GetTrainingJobV1(job_id=job_id), TrainingJobV1, key=job_id)

    async def cancel_job(self, caller: Principal, job_id: str) -> TrainingJobV1:
        return await self.ask(caller, CancelTrainingJobV1(job_id=job_id), TrainingJobV1, key=job_id)

    async def deploy(self, caller: Principal, command: DeployV1) -> DeploymentV1:
        return await self.ask(caller, command, DeploymentV1, key=command.deployment_name)

    async def get_deployment(
        self, caller: Principal, *, deployment_id: str | None = None, name: str | None = None
    ) -> DeploymentV1:
        command = GetDeploymentV1(deployment_id=deployment_id, deployment_name=name)
        return await self.ask(caller, command, DeploymentV1)

    async def rollback(self, caller: Principal, deployment_id: str) -> DeploymentV1:
        return await self.ask(caller, RollbackDeploymentV1(deployment_id=deployment_id), DeploymentV1, long=True)

    async def explain(self, caller: Principal, name: str, text: str) -> ExplanationV1:
        command = ExplainV1(deployment_name=name, text=text, method="shap")
        # Shapley values cost a few hundred model calls: the long budget.
        return await self.ask(caller, command, ExplanationV1, long=True)

    async def predict(self, caller: Principal, name: str, texts: list[str]) -> PredictionV1:
        command = PredictV1(deployment_name=name, texts=texts)
        return await self.ask(caller, command, PredictionV1, long=len(texts) > 32)
