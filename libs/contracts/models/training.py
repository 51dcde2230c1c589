"""Models of the training messages, generated from contracts/training/ by libs.contracts.generate.

Never edit by hand: change the JSON Schema (a breaking change is a new .vN file) and run `make contracts`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from pydantic import BaseModel, ConfigDict, Field
from typing_extensions import TypeAliasType




class AutoScaling(BaseModel):
    model_config = ConfigDict(
        extra='forbid',
    )
    min_replicas: Annotated[int, Field(ge=1, le=100)]
    max_replicas: Annotated[int, Field(ge=1, le=100)]
    target_utilization: Annotated[int | None, Field(ge=1, le=100)] = None


class CancelTrainingJobV1(BaseModel):
    """
    Command: cancel a running training job of the caller's tenant (a finished job is answered unchanged).
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    job_id: Annotated[str, Field(max_length=64, min_length=1)]


LabelsAdditionalProperty = TypeAliasType("LabelsAdditionalProperty", Annotated[int, Field(ge=0)])


class DatasetInfoV1(BaseModel):
    """
    Reply: one stored dataset of the caller's tenant (after its upload, on GetDataset and on DeleteDataset). Never carries the rows.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    dataset_id: Annotated[str, Field(max_length=64, min_length=1)]
    uri: Annotated[str, Field(max_length=100, min_length=1)]
    """
    dataset://<dataset_id>, accepted as training_data_uri / validation_data_uri.
    """
    filename: Annotated[str, Field(max_length=1024, min_length=1)]
    format: Literal['csv', 'jsonl']
    rows: Annotated[int, Field(ge=0)]
    labels: dict[str, LabelsAdditionalProperty]
    """
    Rows per label.
    """
    sha256: Annotated[str, Field(max_length=64, min_length=64)]
    """
    Hash of the normalized rows (the embedding cache key).
    """
    size: Annotated[int, Field(ge=0)]
    created_at: Annotated[str, Field(max_length=64, min_length=1)]
    """
    ISO-8601 timestamp (UTC).
    """
    deleted: bool | None = None


class DatasetSummary(BaseModel):
    model_config = ConfigDict(
        extra='forbid',
    )
    dataset_id: Annotated[str, Field(max_length=64, min_length=1)]
    uri: Annotated[str, Field(max_length=100, min_length=1)]
    """
    dataset://<dataset_id>, accepted as training_data_uri / validation_data_uri.
    """
    filename: Annotated[str, Field(max_length=1024, min_length=1)]
    format: Literal['csv', 'jsonl']
    rows: Annotated[int, Field(ge=0)]
    labels: dict[str, LabelsAdditionalProperty]
    """
    Rows per label.
    """
    sha256: Annotated[str, Field(max_length=64, min_length=64)]
    """
    Hash of the normalized rows (the embedding cache key).
    """
    size: Annotated[int, Field(ge=0)]
    created_at: Annotated[str, Field(max_length=64, min_length=1)]
    """
    ISO-8601 timestamp (UTC).
    """


class DeleteDatasetV1(BaseModel):
    """
    Command: delete one dataset of the caller's tenant (its rows and cached embeddings); answered with the deleted DatasetInfo.v1.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    dataset_id: Annotated[str, Field(max_length=64, min_length=1)]


PreviousModelUri = Annotated[str, Field(max_length=1024, min_length=1)]


Label = Annotated[str, Field(max_length=200, min_length=1)]


class ExplainV1(BaseModel):
    """
    Command (seed 000 POST /api/v1/ai/explain with model_name set to a deployment): Shapley token importances of the deployed model's prediction. Carries the customer's text.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    deployment_name: Annotated[str, Field(max_length=63, min_length=1, pattern='^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')]
    """
    A DNS-1123 label: the deployment's name in its endpoint and in Kubernetes.
    """
    text: Annotated[str, Field(max_length=20000, min_length=1)]
    method: Literal['shap']


class FeatureImportance(BaseModel):
    model_config = ConfigDict(
        extra='forbid',
    )
    feature: Annotated[str, Field(max_length=2000, min_length=1)]
    importance: float


class GetDatasetV1(BaseModel):
    """
    Command: read one dataset of the caller's tenant.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    dataset_id: Annotated[str, Field(max_length=64, min_length=1)]


class GetDeploymentV1(BaseModel):
    """
    Command: read one deployment of the caller's tenant by id or by name.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    deployment_id: Annotated[str | None, Field(max_length=64, min_length=1)] = None
    deployment_name: Annotated[str | None, Field(max_length=63, min_length=1, pattern='^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')] = None
    """
    A DNS-1123 label: the deployment's name in its endpoint and in Kubernetes.
    """


class GetTrainingJobV1(BaseModel):
    """
    Command: read one training job of the caller's tenant.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    job_id: Annotated[str, Field(max_length=64, min_length=1)]


class Hyperparameters(BaseModel):
    model_config = ConfigDict(
        extra='forbid',
    )
    learning_rate: Annotated[float, Field(gt=0.0, le=10.0)]
    epochs: Annotated[int, Field(ge=1, le=100)]
    batch_size: Annotated[int, Field(ge=1, le=4096)]


ProbabilitiesAdditionalProperty = TypeAliasType("ProbabilitiesAdditionalProperty", Annotated[float, Field(ge=0.0, le=1.0)])


class LabelPrediction(BaseModel):
    model_config = ConfigDict(
        extra='forbid',
    )
    label: Annotated[str, Field(max_length=200, min_length=1)]
    confidence: Annotated[float, Field(ge=0.0, le=1.0)]
    probabilities: dict[str, ProbabilitiesAdditionalProperty]


class ListDatasetsV1(BaseModel):
    """
    Command: the caller's tenant's datasets, newest first.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    limit: Annotated[int | None, Field(ge=1, le=500)] = None


Label1 = Annotated[str, Field(max_length=200)]


ConfusionMatrixItemItem = Annotated[int, Field(ge=0)]


ConfusionMatrixItem = Annotated[list[ConfusionMatrixItemItem], Field(max_length=1000)]


class ModelCard(BaseModel):
    """
    The registered model version of a COMPLETED job.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    id: Annotated[str, Field(max_length=64, min_length=1)]
    tenant_id: Annotated[str, Field(max_length=200, min_length=1)]
    uri: Annotated[str, Field(max_length=1024, min_length=1)]
    labels: Annotated[list[Label1], Field(max_length=1000)]
    metrics: Annotated[dict[str, float], Field(max_length=50)]
    """
    accuracy, macro_f1, validation_loss, ...
    """
    confusion_matrix: Annotated[list[ConfusionMatrixItem], Field(max_length=1000)]
    """
    Rows: true label, columns: predicted label, in label order.
    """
    dataset_sha256: Annotated[str, Field(max_length=64, min_length=1)]
    hyperparameters: Hyperparameters
    base_model: Annotated[str, Field(max_length=200, min_length=1)]
    code_version: Annotated[str, Field(max_length=100, min_length=1)]
    encoder: Annotated[str, Field(max_length=200, min_length=1)]
    validation_split: Annotated[str, Field(max_length=64, min_length=1)]
    workers: Annotated[int, Field(ge=1)]
    created_at: Annotated[str, Field(max_length=64, min_length=1)]
    """
    ISO-8601 timestamp (UTC).
    """


Text = Annotated[str, Field(max_length=20000, min_length=1)]


class PredictV1(BaseModel):
    """
    Command: classify texts with a deployed model of the caller's tenant. Carries the customer's texts.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    deployment_name: Annotated[str, Field(max_length=63, min_length=1, pattern='^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')]
    """
    A DNS-1123 label: the deployment's name in its endpoint and in Kubernetes.
    """
    texts: Annotated[list[Text], Field(max_length=256, min_length=1)]


class PredictionV1(BaseModel):
    """
    Reply to Predict.v1: one prediction per text, in input order, and the model version that made them.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    deployment_name: Annotated[str, Field(max_length=63, min_length=1, pattern='^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')]
    """
    A DNS-1123 label: the deployment's name in its endpoint and in Kubernetes.
    """
    model_uri: Annotated[str, Field(max_length=1024, min_length=1)]
    version: Annotated[int, Field(ge=1)]
    predictions: list[LabelPrediction]


class ResourceRequirements(BaseModel):
    model_config = ConfigDict(
        extra='forbid',
    )
    cpu: Annotated[str | None, Field(max_length=20, min_length=1)] = None
    memory: Annotated[str | None, Field(max_length=20, min_length=1)] = None
    gpu: Annotated[str | None, Field(max_length=20, min_length=1)] = None


class RollbackDeploymentV1(BaseModel):
    """
    Command: serve the deployment's previous model version again (one call).
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    deployment_id: Annotated[str, Field(max_length=64, min_length=1)]


class StartTrainingV1(BaseModel):
    """
    Command (seed 000 POST /api/v1/ai/distributed-training): train a classifier head for the caller's tenant on a dataset:// (or s3://) URI. Answered at once with TrainingJob.v1 in status STARTING; the job runs in the background.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    base_model: Annotated[str, Field(max_length=200, min_length=1)]
    training_data_uri: Annotated[str, Field(max_length=1024, min_length=1)]
    validation_data_uri: Annotated[str | None, Field(max_length=1024, min_length=1)] = None
    hyperparameters: Hyperparameters
    instance_count: Annotated[int, Field(ge=1, le=64)]
    instance_type: Annotated[str | None, Field(max_length=100, min_length=1)] = None


LogItem = Annotated[str, Field(max_length=2000, min_length=1)]


class TrainingProgress(BaseModel):
    model_config = ConfigDict(
        extra='forbid',
    )
    current_epoch: Annotated[int, Field(ge=0)]
    total_epochs: Annotated[int, Field(ge=1)]
    current_step: Annotated[int, Field(ge=0)]
    total_steps: Annotated[int, Field(ge=0)]
    metrics: dict[str, float]
    """
    train_loss, validation_accuracy, validation_macro_f1 once measured.
    """


class TrainingProgressedV1(BaseModel):
    """
    Event: a training job changed status or finished an epoch; carries no training data.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    job_id: Annotated[str, Field(max_length=64, min_length=1)]
    status: Literal['STARTING', 'IN_PROGRESS', 'COMPLETED', 'FAILED', 'CANCELLED']
    progress: TrainingProgress
    estimated_completion: Annotated[str | None, Field(max_length=64, min_length=1)] = None
    """
    ISO-8601 timestamp (UTC).
    """
    error: Annotated[str | None, Field(max_length=1000, min_length=1)] = None
    model_output_uri: Annotated[str | None, Field(max_length=1024, min_length=1)] = None


class UploadDatasetPartV1(BaseModel):
    """
    Command (POST /api/v1/ai/datasets): one ordered part of an uploaded labelled dataset (CSV with text,label columns or JSONL with the same keys). All parts share upload_id as the message key (one partition, in order); the training service stores each part once per (upload_id, index) and parses the file when the last part arrives. Non-final parts are answered with UploadProgress.v1, the final part with DatasetInfo.v1. Carries the customer's file content.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    upload_id: Annotated[str, Field(max_length=64, min_length=1)]
    filename: Annotated[str, Field(max_length=1024, min_length=1)]
    content_type: Annotated[str, Field(max_length=200, min_length=0)]
    index: Annotated[int, Field(ge=0, le=199)]
    total: Annotated[int, Field(ge=1, le=200)]
    """
    Number of parts of this file.
    """
    size: Annotated[int, Field(ge=0)]
    """
    Size of the whole file in bytes.
    """
    data_b64: Annotated[str, Field(max_length=699052, min_length=0)]
    """
    Base64 of at most 512 KiB of the file.
    """


class UploadProgressV1(BaseModel):
    """
    Reply to a non-final UploadDatasetPart.v1: the part is stored.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    upload_id: Annotated[str, Field(max_length=64, min_length=1)]
    index: Annotated[int, Field(ge=0)]
    received: Annotated[int, Field(ge=0)]
    """
    Parts stored so far.
    """


class DatasetListV1(BaseModel):
    """
    Reply to ListDatasets.v1: the tenant's datasets, newest first (never their rows).
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    datasets: list[DatasetSummary]


class DeployV1(BaseModel):
    """
    Command (seed 000 POST /api/v1/ai/deploy): serve a registered model version under a name; a name already deployed gets the new version hot-swapped (its previous version kept for rollback).
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    model_uri: Annotated[str, Field(max_length=1024, min_length=1)]
    deployment_name: Annotated[str, Field(max_length=63, min_length=1, pattern='^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')]
    """
    A DNS-1123 label: the deployment's name in its endpoint and in Kubernetes.
    """
    deployment_strategy: Literal['local', 'kubernetes']
    replicas: Annotated[int, Field(ge=1, le=100)]
    auto_scaling: AutoScaling | None = None
    resource_requirements: ResourceRequirements | None = None
    instance_type: Annotated[str | None, Field(max_length=100, min_length=1)] = None


class DeploymentV1(BaseModel):
    """
    Reply: one deployment (seed 000 deploy shape plus what it serves).
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    deployment_id: Annotated[str, Field(max_length=64, min_length=1)]
    deployment_name: Annotated[str, Field(max_length=63, min_length=1, pattern='^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')]
    """
    A DNS-1123 label: the deployment's name in its endpoint and in Kubernetes.
    """
    status: Literal['CREATING', 'ACTIVE', 'FAILED']
    deployment_strategy: Literal['local', 'kubernetes']
    model_uri: Annotated[str, Field(max_length=1024, min_length=1)]
    version: Annotated[int, Field(ge=1)]
    """
    Revision of this deployment: 1 on create, +1 per hot-swap or rollback.
    """
    previous_model_uris: Annotated[list[PreviousModelUri], Field(max_length=50)]
    """
    Older versions, newest first (the rollback target is the first).
    """
    replicas: Annotated[int, Field(ge=1)]
    auto_scaling: AutoScaling | None = None
    resource_requirements: ResourceRequirements | None = None
    instance_type: Annotated[str | None, Field(max_length=100, min_length=1)] = None
    labels: Annotated[list[Label] | None, Field(max_length=1000)] = None
    error: Annotated[str | None, Field(max_length=1000, min_length=1)] = None
    created_at: Annotated[str, Field(max_length=64, min_length=1)]
    """
    ISO-8601 timestamp (UTC).
    """
    updated_at: Annotated[str, Field(max_length=64, min_length=1)]
    """
    ISO-8601 timestamp (UTC).
    """


class ExplanationV1(BaseModel):
    """
    Reply to Explain.v1: the deployed model's label, its probability and each token's Shapley importance (best first).
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    deployment_name: Annotated[str, Field(max_length=63, min_length=1, pattern='^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')]
    """
    A DNS-1123 label: the deployment's name in its endpoint and in Kubernetes.
    """
    model_uri: Annotated[str, Field(max_length=1024, min_length=1)]
    label: Annotated[str, Field(max_length=200, min_length=1)]
    confidence: Annotated[float, Field(ge=0.0, le=1.0)]
    method: Literal['shap']
    feature_importance: Annotated[list[FeatureImportance], Field(max_length=100)]
    base_value: float
    """
    The label's probability for an empty text.
    """
    exact: bool
    """
    false when the Shapley values were estimated by sampling (long texts).
    """


class TrainingJobV1(BaseModel):
    """
    Reply: one training job (seed 000 distributed-training and training-job shapes together).
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    job_id: Annotated[str, Field(max_length=64, min_length=1)]
    status: Literal['STARTING', 'IN_PROGRESS', 'COMPLETED', 'FAILED', 'CANCELLED']
    base_model: Annotated[str, Field(max_length=200, min_length=1)]
    training_data_uri: Annotated[str, Field(max_length=1024, min_length=1)]
    validation_data_uri: Annotated[str | None, Field(max_length=1024, min_length=1)] = None
    hyperparameters: Hyperparameters
    instance_count: Annotated[int, Field(ge=1)]
    instance_type: Annotated[str | None, Field(max_length=100, min_length=1)] = None
    estimated_time: Annotated[str, Field(max_length=100, min_length=1)]
    model_output_uri: Annotated[str, Field(max_length=1024, min_length=1)]
    logs_uri: Annotated[str, Field(max_length=1024, min_length=1)]
    progress: TrainingProgress
    estimated_completion: Annotated[str | None, Field(max_length=64, min_length=1)] = None
    """
    ISO-8601 timestamp (UTC).
    """
    validation_split: Literal['given', 'stratified_holdout'] | None = None
    """
    Where the validation set came from.
    """
    error: Annotated[str | None, Field(max_length=1000, min_length=1)] = None
    created_at: Annotated[str, Field(max_length=64, min_length=1)]
    """
    ISO-8601 timestamp (UTC).
    """
    finished_at: Annotated[str | None, Field(max_length=64, min_length=1)] = None
    """
    ISO-8601 timestamp (UTC).
    """
    model_card: ModelCard | None = None
    """
    Once COMPLETED: the registered model version (labels, metrics accuracy/macro_f1/validation_loss, confusion_matrix in label order, dataset_sha256, hyperparameters, base_model, code_version, encoder, workers).
    """
    log: Annotated[list[LogItem] | None, Field(max_length=500)] = None
    """
    The job's log (status changes and finished epochs), oldest first; the gateway serves it at logs_uri.
    """
