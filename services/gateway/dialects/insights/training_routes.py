"""Seed 000 training: POST/GET/DELETE /api/v1/ai/datasets (a labelled CSV or JSONL file, up to 50 MB, uploaded as
multipart `file`; GET without an id lists the tenant's datasets), POST /api/v1/ai/distributed-training and
GET/DELETE /api/v1/ai/training-job/{job_id} (+ GET .../logs, the documented logs_uri); answered by the training
service over the bus (training.commands) in the seed 000 envelope.

`training_data_uri` / `validation_data_uri` take the `dataset://…` URI an upload returns. Without a validation set a
stratified tenth of each label is held out (reported as `validation_split`).
"""

from __future__ import annotations

from typing import Annotated, Any, Generic, TypeVar

from fastapi import APIRouter, File, Path, Query, Request, UploadFile
from pydantic import BaseModel, ConfigDict, Field

from libs.contracts.models.training import StartTrainingV1, TrainingJobV1, TrainingProgress
from libs.errors import Invalid
from services.gateway.deps import Caller, GatewayDep
from services.gateway.dialects.base import naive_utc_timestamp
from services.gateway.dialects.insights.envelope import DIALECT

router = APIRouter(prefix="/api/v1/ai", route_class=DIALECT.route_class(), tags=["insights: training"])

MAX_DATASET_BYTES = 50 * 1024 * 1024
# Seed 000 documents one role, "analyst" (its login example). Uploading, training, deploying and rolling back change
# what a tenant's models learn and answer, so they take that role or admin (admin passes every check); agents and
# reviewers get a 403. Reading jobs, datasets and deployments, and calling a deployed model's endpoint, do not.
MODEL_ROLES = ("analyst",)
Data = TypeVar("Data")
Id = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


class Envelope(BaseModel, Generic[Data]):
    """The seed 000 success envelope."""

    error: bool = False
    status_code: int = 200
    data: Data
    timestamp: str = Field(default_factory=naive_utc_timestamp)


class DatasetOut(BaseModel):
    dataset_id: str
    uri: str
    filename: str
    format: str
    rows: int
    labels: dict[str, int]
    sha256: str
    size: int
    created_at: str
    deleted: bool | None = None


class Hyperparameters(BaseModel):
    model_config = ConfigDict(extra="forbid")
    learning_rate: Annotated[float, Field(gt=0, le=10)] = 1e-2
    epochs: Annotated[int, Field(ge=1, le=100)] = 10
    batch_size: Annotated[int, Field(ge=1, le=4096)] = 32


class TrainingBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    base_model: Annotated[str, Field(min_length=1, max_length=200)]
    training_data_uri: Annotated[str, Field(min_length=1, max_length=1024)]
    validation_data_uri: Annotated[str, Field(min_length=1, max_length=1024)] | None = None
    hyperparameters: Hyperparameters = Field(default_factory=Hyperparameters)
    instance_count: Annotated[int, Field(ge=1, le=64)] = 1
    instance_type: Annotated[str, Field(min_length=1, max_length=100)] | None = None


class JobStarted(BaseModel):
    job_id: str
    status: str
    estimated_time: str
    model_output_uri: str
    logs_uri: str


class JobLog(BaseModel):
    job_id: str
    status: str
    lines: list[str]


class JobStatus(BaseModel):
    job_id: str
    status: str
    progress: TrainingProgress
    estimated_completion: str | None = None
    base_model: str
    training_data_uri: str
    validation_data_uri: str | None = None
    validation_split: str | None = None
    model_output_uri: str
    error: str | None = None
    created_at: str
    finished_at: str | None = None
    model_card: dict[str, Any] | None = None


def _zulu(value: str | None) -> str | None:
    return value.replace("+00:00", "Z") if value else None


def job_status(job: TrainingJobV1) -> JobStatus:
    return JobStatus(
        job_id=job.job_id, status=job.status, progress=job.progress,
        estimated_completion=_zulu(job.estimated_completion), base_model=job.base_model,
        training_data_uri=job.training_data_uri, validation_data_uri=job.validation_data_uri,
        validation_split=job.validation_split, model_output_uri=job.model_output_uri, error=job.error,
        created_at=job.created_at, finished_at=job.finished_at,
        model_card=job.model_card.model_dump(mode="json") if job.model_card else None,
    )  # fmt: skip


@router.post("/datasets", description=__doc__)
async def upload_dataset(caller: Caller, gw: GatewayDep, file: Annotated[UploadFile, File()]) -> Envelope[DatasetOut]:
    caller.require(*MODEL_ROLES)
    size = file.size if file.size is not None else len(await file.read())
    if size > MAX_DATASET_BYTES:
        raise Invalid("dataset exceeds the 50 MB limit", {"file": f"{size} bytes; the limit is {MAX_DATASET_BYTES}"})
    info = await gw.clients.training.upload_dataset(
        caller, file.filename or "dataset", file.content_type or "", file.file, size
    )
    return Envelope(data=DatasetOut.model_validate(info.model_dump()))


@router.get("/datasets")
async def list_datasets(
    caller: Caller, gw: GatewayDep, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> Envelope[list[DatasetOut]]:
    page = await gw.clients.training.list_datasets(caller, limit)
    return Envelope(data=[DatasetOut.model_validate(d.model_dump()) for d in page.datasets])


@router.get("/datasets/{dataset_id}")
async def get_dataset(dataset_id: Id, caller: Caller, gw: GatewayDep) -> Envelope[DatasetOut]:
    info = await gw.clients.training.get_dataset(caller, dataset_id)
    return Envelope(data=DatasetOut.model_validate(info.model_dump()))


@router.delete("/datasets/{dataset_id}")
async def delete_dataset(dataset_id: Id, caller: Caller, gw: GatewayDep) -> Envelope[DatasetOut]:
    caller.require(*MODEL_ROLES)
    info = await gw.clients.training.delete_dataset(caller, dataset_id)
    return Envelope(data=DatasetOut.model_validate(info.model_dump()))


def logs_uri(request: Request, job_id: str) -> str:
    return f"{str(request.base_url).rstrip('/')}/api/v1/ai/training-job/{job_id}/logs"


@router.post("/distributed-training", description=__doc__)
async def start_training(body: TrainingBody, caller: Caller, gw: GatewayDep, request: Request) -> Envelope[JobStarted]:
    caller.require(*MODEL_ROLES)
    command = StartTrainingV1.model_validate(body.model_dump(exclude_none=True))
    job = await gw.clients.training.start_training(caller, command)
    started = JobStarted.model_validate({**job.model_dump(), "logs_uri": logs_uri(request, job.job_id)})
    return Envelope(data=started)


@router.get("/training-job/{job_id}")
async def get_training_job(job_id: Id, caller: Caller, gw: GatewayDep) -> Envelope[JobStatus]:
    job = await gw.clients.training.get_job(caller, job_id)
    return Envelope(data=job_status(job))


@router.get("/training-job/{job_id}/logs")
async def training_job_logs(job_id: Id, caller: Caller, gw: GatewayDep) -> Envelope[JobLog]:
    job = await gw.clients.training.get_job(caller, job_id)
    return Envelope(data=JobLog(job_id=job.job_id, status=job.status, lines=job.log or []))


@router.delete("/training-job/{job_id}")
async def cancel_training_job(job_id: Id, caller: Caller, gw: GatewayDep) -> Envelope[JobStatus]:
    caller.require(*MODEL_ROLES)
    job = await gw.clients.training.cancel_job(caller, job_id)
    return Envelope(data=job_status(job))
