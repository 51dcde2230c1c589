"""What the training service and the workers of an indexed Kubernetes Job exchange through the job exchange
(exchange.py): the staged job (spec, rows, initial head), each worker's per-epoch progress, and the trained model.
Both sides import this module, so the file names and formats cannot drift apart. No I/O beyond the exchange."""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np
from pydantic import BaseModel

from services.training.domain import Hyperparameters
from services.training.exchange import Exchange


class WorkerSpec(BaseModel):
    """The job as the workers see it; staged once, before the Kubernetes Job is created."""

    job_id: str
    workers: int
    seed: int
    labels: list[str]  # the head's classes, in order; rows carry indices into it
    hyperparameters: Hyperparameters
    dataset_sha256: str
    validation_split: str


class WorkerProgress(BaseModel):
    """Worker `index` after an epoch; worker 0 adds the averaged head's validation figures."""

    index: int
    epoch: int
    steps: int  # this worker's optimizer steps so far
    train_loss: float
    validation_accuracy: float | None = None
    validation_macro_f1: float | None = None


class TrainedModel(BaseModel):
    """What worker 0 writes beside the final head: the model card's measured part."""

    metrics: dict[str, float]
    confusion_matrix: list[list[int]]
    encoder: str
    workers: int


def key(job_id: str, *parts: str) -> str:
    return "/".join(("jobs", job_id, *parts))


def model_key(model_id: str) -> str:
    """Where a deployed version's head is published for the `--serve` pods."""
    return f"models/{model_id}/head.npz"


def rows_bytes(texts: Sequence[str], y: np.ndarray) -> bytes:
    lines = (json.dumps({"text": t, "y": int(label)}, ensure_ascii=False) for t, label in zip(texts, y, strict=True))
    return ("\n".join(lines) + "\n").encode()


def parse_rows(data: bytes) -> tuple[list[str], np.ndarray]:
    rows = [json.loads(line) for line in data.decode().splitlines() if line]
    return [r["text"] for r in rows], np.array([r["y"] for r in rows], np.int64)


def stage(
    exchange: Exchange, spec: WorkerSpec, train: tuple[Sequence[str], np.ndarray],
    validation: tuple[Sequence[str], np.ndarray], initial_head: bytes,
) -> None:  # fmt: skip
    """Write the job for its workers; spec.json goes last, so a worker that finds it finds everything."""
    if exchange.get(key(spec.job_id, "spec.json")) is not None:
        return  # staged before a restart of the service: the workers may already be reading it
    exchange.put(key(spec.job_id, "train.jsonl"), rows_bytes(*train))
    exchange.put(key(spec.job_id, "validation.jsonl"), rows_bytes(*validation))
    exchange.put(key(spec.job_id, "init.npz"), initial_head)
    exchange.put(key(spec.job_id, "spec.json"), spec.model_dump_json().encode())


def read_spec(exchange: Exchange, job_id: str) -> WorkerSpec | None:
    data = exchange.get(key(job_id, "spec.json"))
    return WorkerSpec.model_validate_json(data) if data is not None else None


def read_progress(exchange: Exchange, job_id: str, workers: int) -> list[WorkerProgress]:
    """The progress each worker wrote so far (missing ones left out)."""
    found = (exchange.get(key(job_id, "progress", f"{i}.json")) for i in range(workers))
    return [WorkerProgress.model_validate_json(data) for data in found if data is not None]


def read_model(exchange: Exchange, job_id: str) -> tuple[bytes, TrainedModel] | None:
    """The head and figures worker 0 wrote at the end, or None."""
    card = exchange.get(key(job_id, "model", "model.json"))
    head = exchange.get(key(job_id, "model", "head.npz"))
    if card is None or head is None:
        return None
    return head, TrainedModel.model_validate_json(card)


def read_errors(exchange: Exchange, job_id: str, workers: int) -> list[str]:
    found = ((i, exchange.get(key(job_id, "errors", f"{i}.txt"))) for i in range(workers))
    return [f"worker {i}: {data.decode(errors='replace')}" for i, data in found if data]
