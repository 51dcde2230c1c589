"""Consumes training.commands (dataset upload parts, dataset get/delete, training jobs, deployments, predictions)
and replies with DatasetInfo / UploadProgress / TrainingJob / Deployment / Prediction; progress goes to training.events
from the job runner."""

from __future__ import annotations

import asyncio

from pydantic import BaseModel

from libs.bus.base import MessageContext
from libs.bus.dispatch import HandlerFn
from libs.contracts.models.training import (
    AutoScaling,
    CancelTrainingJobV1,
    DatasetInfoV1,
    DatasetListV1,
    DatasetSummary,
    DeleteDatasetV1,
    DeploymentV1,
    DeployV1,
    ExplainV1,
    ExplanationV1,
    FeatureImportance,
    GetDatasetV1,
    GetDeploymentV1,
    GetTrainingJobV1,
    LabelPrediction,
    ListDatasetsV1,
    ModelCard,
    PredictionV1,
    PredictV1,
    ResourceRequirements,
    RollbackDeploymentV1,
    StartTrainingV1,
    TrainingJobV1,
    UploadDatasetPartV1,
    UploadProgressV1,
)
from libs.contracts.models.training import Hyperparameters as HyperparametersView
from libs.errors import Invalid, NotFound
from services.training.datasets import check_size, parse_dataset
from services.training.deployments import Deployments
from services.training.domain import (
    SHIPPED_BASE_MODELS,
    DatasetRecord,
    DeploymentRecord,
    Hyperparameters,
    JobRecord,
    derived,
    first_estimate,
    human_duration,
    model_id_of,
    now,
)
from services.training.jobs import JobRunner, progress_view
from services.training.sources import DataSources
from services.training.store import TrainingStore

PART_BYTES = 512 * 1024


def dataset_view(record: DatasetRecord, *, deleted: bool | None = None) -> DatasetInfoV1:
    return DatasetInfoV1(
        dataset_id=record.id, uri=record.uri, filename=record.filename, format=record.format, rows=record.rows,
        labels=record.labels, sha256=record.sha256, size=record.size, created_at=record.created_at.isoformat(),
        deleted=deleted,
    )  # fmt: skip


def job_view(job: JobRecord) -> TrainingJobV1:
    completion = job.estimated_completion()
    return TrainingJobV1(
        job_id=job.id, status=job.status, base_model=job.base_model, training_data_uri=job.training_data_uri,
        validation_data_uri=job.validation_data_uri,
        hyperparameters=HyperparametersView.model_validate(job.hyperparameters.model_dump()),
        instance_count=job.instance_count, instance_type=job.instance_type,
        estimated_time=human_duration(job.estimated_seconds), model_output_uri=job.model_output_uri,
        logs_uri=f"training-logs://{job.id}", progress=progress_view(job),
        estimated_completion=completion.isoformat() if completion else None,
        validation_split=job.validation_split, error=job.error, created_at=job.created_at.isoformat(),
        finished_at=job.finished_at.isoformat() if job.finished_at else None,
        model_card=ModelCard.model_validate(job.model_card) if job.model_card else None,
        log=job.log,
    )  # fmt: skip


def deployment_view(record: DeploymentRecord) -> DeploymentV1:
    return DeploymentV1(
        deployment_id=record.id, deployment_name=record.name, status=record.status,
        deployment_strategy=record.strategy, model_uri=record.model_uri, version=record.version,
        previous_model_uris=record.previous_model_uris, replicas=record.replicas,
        auto_scaling=AutoScaling.model_validate(record.auto_scaling) if record.auto_scaling else None,
        resource_requirements=(
            ResourceRequirements.model_validate(record.resource_requirements) if record.resource_requirements else None
        ),
        instance_type=record.instance_type, labels=record.labels or None, error=record.error,
        created_at=record.created_at.isoformat(), updated_at=record.updated_at.isoformat(),
    )  # fmt: skip


async def handle_upload_dataset_part(
    cmd: UploadDatasetPartV1, *, ctx: MessageContext, store: TrainingStore
) -> BaseModel:
    """Store one part; the last one assembles, validates and stores the dataset (Invalid names the problem)."""
    if cmd.index >= cmd.total or cmd.total > -(-max(cmd.size, 1) // PART_BYTES):
        raise Invalid("part index or count does not match the file size", {"field": "file"})
    dataset_id = derived("ds_", ctx.tenant_id, cmd.upload_id)
    done = await store.get_dataset(ctx.tenant_id, dataset_id)
    if done is not None:  # a redelivered final part answers with what the first delivery stored
        return dataset_view(done)
    check_size(cmd.size)
    received = await store.add_part(ctx.tenant_id, cmd)
    if cmd.index < cmd.total - 1:
        return UploadProgressV1(upload_id=cmd.upload_id, index=cmd.index, received=received)
    data = await store.assemble(ctx.tenant_id, cmd.upload_id, cmd.total)
    if data is None or len(data) != cmd.size:
        await store.drop_parts(cmd.upload_id)
        raise Invalid("upload is missing parts or its size does not match", {"field": "file"})
    try:
        dataset = await asyncio.to_thread(parse_dataset, cmd.filename, data)
    finally:
        await store.drop_parts(cmd.upload_id)
    record = DatasetRecord(
        id=dataset_id, tenant_id=ctx.tenant_id, filename=cmd.filename, format=dataset.format,
        rows=len(dataset.texts), labels=dataset.counts, sha256=dataset.sha256, size=len(data), created_at=now(),
    )  # fmt: skip
    await store.save_dataset(record, dataset)
    return dataset_view(record)


async def _dataset(store: TrainingStore, tenant_id: str, dataset_id: str) -> DatasetRecord:
    record = await store.get_dataset(tenant_id, dataset_id)
    if record is None:
        raise NotFound("dataset not found", {"field": "dataset_id"})
    return record


async def handle_get_dataset(cmd: GetDatasetV1, *, ctx: MessageContext, store: TrainingStore) -> DatasetInfoV1:
    return dataset_view(await _dataset(store, ctx.tenant_id, cmd.dataset_id))


async def handle_list_datasets(cmd: ListDatasetsV1, *, ctx: MessageContext, store: TrainingStore) -> DatasetListV1:
    records = await store.list_datasets(ctx.tenant_id, cmd.limit or 100)
    return DatasetListV1(
        datasets=[DatasetSummary.model_validate(dataset_view(r).model_dump(exclude_none=True)) for r in records]
    )


async def handle_delete_dataset(cmd: DeleteDatasetV1, *, ctx: MessageContext, store: TrainingStore) -> DatasetInfoV1:
    record = await _dataset(store, ctx.tenant_id, cmd.dataset_id)
    await store.delete_dataset(record)
    return dataset_view(record, deleted=True)


async def _check_base_model(store: TrainingStore, tenant_id: str, base_model: str) -> None:
    if base_model in SHIPPED_BASE_MODELS:
        return
    model_id = model_id_of(base_model)
    if model_id is None or await store.get_model(tenant_id, model_id) is None:
        known = ", ".join(SHIPPED_BASE_MODELS)
        raise Invalid(f"unknown base_model {base_model!r}: use {known} or a completed job's model://<job_id>",
                      {"field": "base_model"})  # fmt: skip


async def handle_start_training(
    cmd: StartTrainingV1, *, ctx: MessageContext, store: TrainingStore, runner: JobRunner, sources: DataSources
) -> TrainingJobV1:
    job_id = f"train-{now():%Y-%m-%d}-{derived('', ctx.tenant_id, ctx.event_id, length=10)}"
    existing = await store.get_job(ctx.tenant_id, job_id)
    if existing is not None:  # redelivery: the job already started
        return job_view(runner.live(job_id) or existing)
    on_cluster = runner.backend == "kubernetes" and cmd.instance_count > 1
    if on_cluster and runner.cluster_jobs is None:
        raise Invalid("the kubernetes training backend needs a cluster and none is configured (run in a cluster or "
                      "set SWITCHBOARD_TRAINING_KUBECONFIG)", {"field": "instance_count"})  # fmt: skip
    if on_cluster and runner.cluster_jobs is not None and runner.cluster_jobs.exchange is None:
        raise Invalid("the kubernetes training backend needs a job exchange its pods can read and none is configured "
                      "(set SWITCHBOARD_TRAINING_EXCHANGE_URI)", {"field": "instance_count"})  # fmt: skip
    await _check_base_model(store, ctx.tenant_id, cmd.base_model)
    train = await sources.resolve(ctx.tenant_id, cmd.training_data_uri, "training_data_uri")
    validation = (
        await sources.resolve(ctx.tenant_id, cmd.validation_data_uri, "validation_data_uri")
        if cmd.validation_data_uri
        else None
    )
    hp = Hyperparameters.model_validate(cmd.hyperparameters.model_dump())
    cached = store.cached_embeddings_exist(train.sha256)
    job = JobRecord(
        id=job_id, tenant_id=ctx.tenant_id, base_model=cmd.base_model, training_data_uri=train.uri,
        validation_data_uri=validation.uri if validation else None, hyperparameters=hp,
        instance_count=cmd.instance_count, instance_type=cmd.instance_type,
        backend="kubernetes" if on_cluster else "local", estimated_seconds=first_estimate(train.rows, hp, cached),
        created_at=now(),
    )  # fmt: skip
    job.log_line()
    await store.save_job(job)
    runner.start(job)
    return job_view(job)


async def _job(store: TrainingStore, runner: JobRunner, tenant_id: str, job_id: str) -> JobRecord:
    job = await store.get_job(tenant_id, job_id)
    if job is None:
        raise NotFound("training job not found", {"field": "job_id"})
    return runner.live(job_id) or job


async def handle_get_training_job(
    cmd: GetTrainingJobV1, *, ctx: MessageContext, store: TrainingStore, runner: JobRunner
) -> TrainingJobV1:
    return job_view(await _job(store, runner, ctx.tenant_id, cmd.job_id))


async def handle_cancel_training_job(
    cmd: CancelTrainingJobV1, *, ctx: MessageContext, store: TrainingStore, runner: JobRunner
) -> TrainingJobV1:
    return job_view(await runner.cancel(await _job(store, runner, ctx.tenant_id, cmd.job_id)))


async def handle_deploy(cmd: DeployV1, *, ctx: MessageContext, deployments: Deployments) -> DeploymentV1:
    return deployment_view(await deployments.deploy(ctx.tenant_id, cmd, ctx.event_id))


async def handle_get_deployment(cmd: GetDeploymentV1, *, ctx: MessageContext, deployments: Deployments) -> DeploymentV1:
    if not cmd.deployment_id and not cmd.deployment_name:
        raise Invalid("deployment_id or deployment_name is required", {"field": "deployment_id"})
    record = await deployments.get(ctx.tenant_id, deployment_id=cmd.deployment_id, name=cmd.deployment_name)
    return deployment_view(record)


async def handle_rollback_deployment(
    cmd: RollbackDeploymentV1, *, ctx: MessageContext, deployments: Deployments
) -> DeploymentV1:
    return deployment_view(await deployments.rollback(ctx.tenant_id, cmd.deployment_id))


async def handle_predict(cmd: PredictV1, *, ctx: MessageContext, deployments: Deployments) -> PredictionV1:
    served, predictions = await deployments.predict(ctx.tenant_id, cmd.deployment_name, cmd.texts)
    return PredictionV1(
        deployment_name=cmd.deployment_name, model_uri=served.model_uri, version=served.version,
        predictions=[LabelPrediction(label=p.label, confidence=p.confidence, probabilities=p.probabilities)
                     for p in predictions],
    )  # fmt: skip


async def handle_explain(cmd: ExplainV1, *, ctx: MessageContext, deployments: Deployments) -> ExplanationV1:
    served, found = await deployments.explain(ctx.tenant_id, cmd.deployment_name, cmd.text)
    return ExplanationV1(
        deployment_name=cmd.deployment_name, model_uri=served.model_uri, label=served.head.labels[found.target],
        confidence=min(max(found.confidence, 0.0), 1.0), method=cmd.method, base_value=found.base_value,
        feature_importance=[FeatureImportance(feature=f, importance=i) for f, i in found.ranked[:100]],
        exact=found.exact,
    )  # fmt: skip


HANDLERS: dict[str, HandlerFn] = {
    "training.UploadDatasetPart.v1": handle_upload_dataset_part,
    "training.GetDataset.v1": handle_get_dataset,
    "training.ListDatasets.v1": handle_list_datasets,
    "training.DeleteDataset.v1": handle_delete_dataset,
    "training.StartTraining.v1": handle_start_training,
    "training.GetTrainingJob.v1": handle_get_training_job,
    "training.CancelTrainingJob.v1": handle_cancel_training_job,
    "training.Deploy.v1": handle_deploy,
    "training.GetDeployment.v1": handle_get_deployment,
    "training.RollbackDeployment.v1": handle_rollback_deployment,
    "training.Predict.v1": handle_predict,
    "training.Explain.v1": handle_explain,
}
