"""The training service's records (datasets, jobs, model versions, deployments) and their rules; no I/O."""

from __future__ import annotations

import hashlib
import math
from datetime import UTC, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, Field

from libs.errors import Invalid

JobStatus = Literal["STARTING", "IN_PROGRESS", "COMPLETED", "FAILED", "CANCELLED"]
FINISHED: frozenset[str] = frozenset({"COMPLETED", "FAILED", "CANCELLED"})
DATASET_SCHEME = "dataset://"
MODEL_SCHEME = "model://"
S3_SCHEME = "s3://"
# Base models a job may start from besides a previous job's model: the platform encoder with a new head.
SHIPPED_BASE_MODELS = {"customerai-classifier": "all-MiniLM-L6-v2 (int8 ONNX) sentence encoder"}
CODE_VERSION = "softmax-head/1"  # bump when the training recipe changes what a given dataset + seed produces
VALIDATION_FRACTION = 0.1
LOG_LINES = 500
EMBED_TEXTS_PER_S = 300.0  # measured MiniLM int8 rate on 2 shared cores: the first estimate before any step ran


def now() -> datetime:
    return datetime.now(UTC)


def derived(prefix: str, *parts: str, length: int = 16) -> str:
    """An id derived from its cause (the command's event id), so a redelivered command creates nothing new."""
    return f"{prefix}{hashlib.sha256('|'.join(parts).encode()).hexdigest()[:length]}"


class DatasetRecord(BaseModel):
    id: str
    tenant_id: str
    filename: str
    format: Literal["csv", "jsonl"]
    rows: int
    labels: dict[str, int]
    sha256: str
    size: int
    created_at: datetime

    @property
    def uri(self) -> str:
        return f"{DATASET_SCHEME}{self.id}"


class Hyperparameters(BaseModel):
    learning_rate: float
    epochs: int
    batch_size: int


class Progress(BaseModel):
    current_epoch: int = 0
    current_step: int = 0  # steps done over the whole job, across epochs
    total_steps: int = 0
    train_loss: float | None = None
    validation_accuracy: float | None = None
    validation_macro_f1: float | None = None
    steps_per_s: float | None = None


class JobRecord(BaseModel):
    id: str
    tenant_id: str
    status: JobStatus = "STARTING"
    base_model: str
    training_data_uri: str
    validation_data_uri: str | None = None
    hyperparameters: Hyperparameters
    instance_count: int = 1
    instance_type: str | None = None
    backend: Literal["local", "kubernetes"] = "local"  # where it trains: here, or as an indexed Kubernetes Job
    seed: int = 0
    progress: Progress = Field(default_factory=Progress)
    validation_split: Literal["given", "stratified_holdout"] | None = None
    estimated_seconds: float
    cancel_requested: bool = False
    error: str | None = None
    created_at: datetime
    finished_at: datetime | None = None
    model_card: dict[str, object] | None = None
    log: list[str] = Field(default_factory=list)  # served at logs_uri; the last LOG_LINES lines

    @property
    def model_output_uri(self) -> str:
        return f"{MODEL_SCHEME}{self.id}"

    def log_line(self) -> None:
        p = self.progress
        metrics = "".join(
            f" {name}={value:.4f}"
            for name, value in (("train_loss", p.train_loss), ("validation_accuracy", p.validation_accuracy),
                                ("validation_macro_f1", p.validation_macro_f1))
            if value is not None
        )  # fmt: skip
        line = f"{now().isoformat()} {self.status} epoch {p.current_epoch}/{self.hyperparameters.epochs} "
        line += f"step {p.current_step}/{p.total_steps}{metrics}" + (f" error: {self.error}" if self.error else "")
        self.log = [*self.log, line][-LOG_LINES:]

    def estimated_completion(self) -> datetime | None:
        """From the measured step rate once steps ran, before that the first estimate; None when finished."""
        rate = self.progress.steps_per_s
        if self.status in FINISHED:
            return None
        if not rate:  # still embedding: the first estimate, while it lies ahead
            guess = self.created_at + timedelta(seconds=self.estimated_seconds)
            return guess if guess > now() else None
        remaining = max(self.progress.total_steps - self.progress.current_step, 0)
        return now() + timedelta(seconds=remaining / rate)


class ModelVersion(BaseModel):
    """An immutable registered model: one per COMPLETED job (its id is the job's)."""

    id: str
    tenant_id: str
    uri: str
    labels: list[str]
    metrics: dict[str, float]
    confusion_matrix: list[list[int]]
    dataset_sha256: str
    hyperparameters: Hyperparameters
    base_model: str
    code_version: str
    encoder: str
    validation_split: str
    workers: int = 1  # data-parallel worker processes that trained it
    created_at: datetime


class DeploymentRecord(BaseModel):
    id: str
    tenant_id: str
    name: str
    status: Literal["CREATING", "ACTIVE", "FAILED"] = "CREATING"
    strategy: Literal["local", "kubernetes"] = "local"
    model_uri: str
    version: int = 1
    previous_model_uris: list[str] = Field(default_factory=list)
    replicas: int = 1
    auto_scaling: dict[str, int] | None = None
    resource_requirements: dict[str, str] | None = None
    instance_type: str | None = None
    labels: list[str] = Field(default_factory=list)
    error: str | None = None
    created_at: datetime
    updated_at: datetime


def total_steps(train_rows: int, hp: Hyperparameters) -> int:
    return hp.epochs * math.ceil(train_rows / hp.batch_size)


def first_estimate(rows: int, hp: Hyperparameters, cached: bool) -> float:
    """Seconds before any step ran: embedding time (unless cached) plus a per-step cost of the head."""
    embed = 0.0 if cached else rows / EMBED_TEXTS_PER_S
    return embed + total_steps(rows, hp) * 0.002 + 1.0


def human_duration(seconds: float) -> str:
    """The seed's `estimated_time` style ("25 minutes")."""
    if seconds < 90:
        return f"{max(1, round(seconds))} seconds"
    if seconds < 5400:
        return f"{round(seconds / 60)} minutes"
    return f"{round(seconds / 3600, 1)} hours"


def dataset_id_of(uri: str, field: str) -> str:
    """The dataset id of a dataset:// URI; s3:// is refused by the caller when no S3 client is configured."""
    if uri.startswith(DATASET_SCHEME) and len(uri) > len(DATASET_SCHEME):
        return uri[len(DATASET_SCHEME) :].strip("/")
    raise Invalid(f"{field} must be a dataset:// URI from POST /api/v1/ai/datasets (or s3://)", {"field": field})


def model_id_of(uri: str) -> str | None:
    """The job id named by model://<job_id> (or a bare job id); None for anything else."""
    if uri.startswith(MODEL_SCHEME):
        return uri[len(MODEL_SCHEME) :].strip("/") or None
    return uri if uri.startswith("train-") else None
