"""A data-parallel job on the kubernetes backend: its indexed Job (parallelism = completions = instance_count) is
created through the Kubernetes API and the Job controller's status is followed into the job's status:
no pod yet → STARTING, pods active → IN_PROGRESS, Complete → COMPLETED (once the workers registered the model),
Failed → FAILED with the controller's message. DELETE on the job deletes the Kubernetes Job (and its pods).

The pods (services.training.worker) cannot read this service's volume: the job is staged in the job exchange
(staging.py) before the Job is created, their per-epoch progress is read back from it on every poll, and the head
worker 0 writes there at the end is registered here as the job's model version once the Job is Complete."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import numpy as np

from services.training.cluster import Cluster, JobState
from services.training.domain import CODE_VERSION, JobRecord, JobStatus, ModelVersion, now
from services.training.exchange import Exchange
from services.training.head import SoftmaxHead
from services.training.kubernetes import training_job_manifest
from services.training.staging import WorkerSpec, read_errors, read_model, read_progress, read_spec, stage
from services.training.store import TrainingStore

Record = Callable[[JobRecord], Awaitable[None]]


class ClusterJobFailed(Exception):
    """The cluster says the job cannot succeed; the message becomes the job's error."""


@dataclass(frozen=True)
class Staged:
    """A job as its workers get it: the spec, (texts, label indices) to train and to validate on, the initial head."""

    spec: WorkerSpec
    train: tuple[list[str], np.ndarray]
    validation: tuple[list[str], np.ndarray]
    initial_head: bytes


class ClusterJobs:
    def __init__(
        self, cluster: Cluster, store: TrainingStore, exchange: Exchange | None, *, namespace: str, image: str,
        poll_s: float = 2.0,
    ) -> None:  # fmt: skip
        self._cluster = cluster
        self._store = store
        self.exchange = exchange  # None: no SWITCHBOARD_TRAINING_EXCHANGE_URI, so no job can be submitted
        self._namespace = namespace
        self._image = image
        self._poll_s = poll_s

    async def run(self, job: JobRecord, record: Record, staged: Staged) -> None:
        """Stage, submit (a Job that exists already, after a restart, is followed as it is) and follow to the end."""
        if self.exchange is None:
            raise ClusterJobFailed("no job exchange is configured (SWITCHBOARD_TRAINING_EXCHANGE_URI)")
        exchange = self.exchange
        await asyncio.to_thread(stage, exchange, staged.spec, staged.train, staged.validation, staged.initial_head)
        # Steps summed over the workers (each runs its shard's batches), as worker.Worker.run counts them.
        per_worker = math.ceil(math.ceil(len(staged.train[1]) / job.instance_count) / job.hyperparameters.batch_size)
        job.progress.total_steps = job.hyperparameters.epochs * per_worker * job.instance_count
        job.validation_split = "given" if staged.spec.validation_split == "given" else "stratified_holdout"
        manifest = training_job_manifest(job, image=self._image, namespace=self._namespace, exchange_uri=exchange.uri)
        await asyncio.to_thread(self._cluster.create_job, manifest)
        while True:
            if job.cancel_requested:
                await asyncio.to_thread(self._cluster.delete_job, job.id, self._namespace)
                job.status, job.finished_at = "CANCELLED", now()
                await record(job)
                return
            state = await asyncio.to_thread(self._cluster.job_state, job.id, self._namespace)
            if await self._settled(job, state, record):
                return
            await asyncio.sleep(self._poll_s)

    async def _settled(self, job: JobRecord, state: JobState | None, record: Record) -> bool:
        if state is None:
            raise ClusterJobFailed(f"its Kubernetes Job {self._namespace}/{job.id} was deleted")
        if state.finished == "Failed":
            errors = await asyncio.to_thread(read_errors, self._exchange(), job.id, job.instance_count)
            reason = "; ".join([state.message or "no reason given", *errors])
            raise ClusterJobFailed(f"the Kubernetes Job failed: {reason}")
        if state.finished == "Complete":
            version = await self._register(job)
            job.status, job.finished_at = "COMPLETED", now()
            job.model_card = version.model_dump(mode="json")
            p, metrics = job.progress, version.metrics
            p.current_epoch, p.current_step = job.hyperparameters.epochs, p.total_steps
            p.train_loss, p.validation_accuracy = metrics.get("train_loss"), metrics.get("accuracy")
            p.validation_macro_f1 = metrics.get("macro_f1")
            await record(job)
            return True
        status: JobStatus = "IN_PROGRESS" if state.active or state.succeeded or state.failed else "STARTING"
        moved = await self._follow_progress(job)
        if status != job.status or moved:
            job.status = status
            await record(job)
        return False

    def _exchange(self) -> Exchange:
        assert self.exchange is not None  # run() refuses to start without one
        return self.exchange

    async def _follow_progress(self, job: JobRecord) -> bool:
        """The workers' per-epoch progress into the job (the epoch all have finished, their steps summed, worker
        0's validation figures of the averaged head); True when the epoch or the figures moved."""
        found = await asyncio.to_thread(read_progress, self._exchange(), job.id, job.instance_count)
        if not found:
            return False
        p = job.progress
        p.current_step = sum(w.steps for w in found)
        lead = next((w for w in found if w.index == 0), None)
        epoch = min(w.epoch for w in found) if len(found) == job.instance_count else 0
        figures = (lead.validation_accuracy, lead.validation_macro_f1) if lead else (None, None)
        if epoch <= p.current_epoch and (
            figures[0] is None or figures == (p.validation_accuracy, p.validation_macro_f1)
        ):
            return False
        p.current_epoch = max(epoch, p.current_epoch)
        p.train_loss = sum(w.train_loss for w in found) / len(found)
        if figures[0] is not None:
            p.validation_accuracy, p.validation_macro_f1 = figures
        return True

    async def _register(self, job: JobRecord) -> ModelVersion:
        """The model worker 0 wrote, registered as this job's version (once: a restart finds it registered)."""
        version = await self._store.get_model(job.tenant_id, job.id)
        if version is not None:
            return version
        trained = await asyncio.to_thread(read_model, self._exchange(), job.id)
        spec = await asyncio.to_thread(read_spec, self._exchange(), job.id)
        if trained is None or spec is None:
            raise ClusterJobFailed("the Kubernetes Job completed but its workers wrote no model")
        head, card = trained
        version = ModelVersion(
            id=job.id, tenant_id=job.tenant_id, uri=job.model_output_uri, labels=SoftmaxHead.from_bytes(head).labels,
            metrics=card.metrics, confusion_matrix=card.confusion_matrix, dataset_sha256=spec.dataset_sha256,
            hyperparameters=job.hyperparameters, base_model=job.base_model, code_version=CODE_VERSION,
            encoder=card.encoder, validation_split=job.validation_split or "given", workers=card.workers,
            created_at=now(),
        )  # fmt: skip
        await self._store.register_model(version, head)
        return version
