"""Runs training jobs off the request path: JobRecord in, per-epoch checkpoints, TrainingProgressed events on
training.events and a registered ModelVersion out; unfinished jobs resume from their last epoch after a restart."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import numpy as np

from libs.bus.base import Bus
from libs.bus.envelope import derived_id
from libs.contracts.models.training import TrainingProgress, TrainingProgressedV1
from libs.errors import DomainError
from libs.observability import get_logger
from libs.runtime.tasks import BackgroundTasks
from services.training.cluster_jobs import ClusterJobFailed, ClusterJobs, Staged
from services.training.domain import (
    CODE_VERSION,
    FINISHED,
    JobRecord,
    ModelVersion,
    model_id_of,
    now,
)
from services.training.head import LabelledSplit, SoftmaxHead, evaluate, split_labelled, train_epoch
from services.training.parallel import GradientWorkers
from services.training.staging import WorkerSpec
from services.training.store import TrainingStore
from services.training.vectors import DatasetVectors, Encoder

log = get_logger("training.jobs")


Rows = tuple[list[str], list[str], str]  # texts, labels, dataset sha256


class JobFailed(Exception):
    """A reason a job cannot go on, recorded as its FAILED error."""


@dataclass
class Split:
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    labels: list[str]
    dataset_sha256: str


def progress_view(job: JobRecord) -> TrainingProgress:
    metrics = {
        name: round(value, 4)
        for name, value in (
            ("train_loss", job.progress.train_loss),
            ("validation_accuracy", job.progress.validation_accuracy),
            ("validation_macro_f1", job.progress.validation_macro_f1),
        )
        if value is not None
    }
    return TrainingProgress(
        current_epoch=job.progress.current_epoch, total_epochs=job.hyperparameters.epochs,
        current_step=job.progress.current_step, total_steps=job.progress.total_steps, metrics=metrics,
    )  # fmt: skip


class JobRunner:
    def __init__(
        self, store: TrainingStore, bus: Bus, encoder: Encoder, *, max_parallel: int, max_workers: int = 4,
        backend: str = "local", cluster_jobs: ClusterJobs | None = None,
    ) -> None:  # fmt: skip
        self._store = store
        self._bus = bus
        self._encoder = encoder
        self._vectors = DatasetVectors(store, encoder)
        self._slots = asyncio.Semaphore(max_parallel)
        self._max_workers = max_workers
        self.backend = backend
        self.cluster_jobs = cluster_jobs  # the kubernetes backend's Job submitter; None without a cluster
        self._live: dict[str, JobRecord] = {}
        self._tasks = BackgroundTasks()

    def live(self, job_id: str) -> JobRecord | None:
        """The running copy of a job (its step counter moves between the epoch-end writes to the store)."""
        return self._live.get(job_id)

    def start(self, job: JobRecord) -> None:
        self._live[job.id] = job
        self._tasks.start(self._run(job))

    async def cancel(self, job: JobRecord) -> JobRecord:
        running = self._live.get(job.id)
        if running is not None:
            running.cancel_requested = True  # the step loop sees it within one batch
            await self._store.save_job(running)
            return running
        if job.status not in FINISHED:
            job.status, job.finished_at = "CANCELLED", now()
            await self._record(job)
        return job

    async def recover(self) -> int:
        """Restart every job a previous process left unfinished; each resumes from its last checkpointed epoch."""
        jobs = await self._store.unfinished_jobs()
        for job in jobs:
            if job.cancel_requested:
                await self.cancel(job)
            else:
                self.start(job)
        return len(jobs)

    async def stop(self) -> None:
        """Cancel running jobs; their records stay unfinished, so the next start resumes them."""
        await self._tasks.cancel_all()

    async def _run(self, job: JobRecord) -> None:
        try:
            if job.backend == "kubernetes":
                await self._on_cluster(job)
            else:
                async with self._slots:
                    await self._train(job)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # this task is its own consumer loop: record the failure, never die silently
            known = isinstance(exc, JobFailed | ClusterJobFailed | DomainError)
            reason = str(exc) if known else f"training failed: {type(exc).__name__}"
            log.error("training.job_failed", job_id=job.id, error=reason)
            job.status, job.error, job.finished_at = "FAILED", reason[:1000], now()
            await self._record(job)
        finally:
            if job.status in FINISHED:
                self._live.pop(job.id, None)

    async def _on_cluster(self, job: JobRecord) -> None:
        if self.cluster_jobs is None:  # the service restarted without the cluster it submitted this job to
            raise JobFailed("this job runs as a Kubernetes Job and no cluster is configured now")
        await self.cluster_jobs.run(job, self._record, await self._staged(job))

    async def _staged(self, job: JobRecord) -> Staged:
        """The job as the cluster's workers get it: rows split as a local job splits them, the initial head."""
        texts, given, split, sha = await self._labelled(job)
        val_texts = given[0] if given else texts
        head = await self._base_head(job, split.labels)
        spec = WorkerSpec(
            job_id=job.id, workers=job.instance_count, seed=job.seed, labels=split.labels,
            hyperparameters=job.hyperparameters, dataset_sha256=sha,
            validation_split="given" if given else "stratified_holdout",
        )  # fmt: skip
        train = ([texts[i] for i in split.train], split.y_train)
        return Staged(spec, train, ([val_texts[i] for i in split.val], split.y_val), head.to_bytes())

    async def _train(self, job: JobRecord) -> None:
        split = await self._prepare(job)
        head, first_epoch = await self._initial_head(job, split)
        hp = job.hyperparameters
        steps_per_epoch = -(-len(split.y_train) // hp.batch_size)
        job.progress.total_steps = hp.epochs * steps_per_epoch
        # The checkpoint, not the stored record, says where training stands (a crash may fall between the two).
        job.progress.current_epoch = first_epoch - 1
        job.progress.current_step = (first_epoch - 1) * steps_per_epoch
        job.status = "IN_PROGRESS"
        await self._record(job)
        workers = await self._workers(job, split)
        try:
            for epoch in range(first_epoch, hp.epochs + 1):
                if await self._epoch(job, head, split, epoch, steps_per_epoch, workers):
                    job.status, job.finished_at = "CANCELLED", now()
                    await self._record(job)
                    return
        finally:
            if workers is not None:
                await asyncio.to_thread(workers.close)
        await self._finish(job, head, split, workers.count if workers else 1)

    async def _workers(self, job: JobRecord, split: Split) -> GradientWorkers | None:
        """Data-parallel worker processes for instance_count > 1 (at most max_local_workers here)."""
        count = min(job.instance_count, self._max_workers)
        if count < 2:
            return None
        return await asyncio.to_thread(GradientWorkers, split.x_train, split.y_train, count)

    async def _epoch(
        self,
        job: JobRecord,
        head: SoftmaxHead,
        split: Split,
        epoch: int,
        per_epoch: int,
        workers: GradientWorkers | None,
    ) -> bool:
        """One epoch in a worker thread, then validation and a checkpoint; True when the job was cancelled."""
        hp = job.hyperparameters
        base_step = (epoch - 1) * per_epoch
        started = time.perf_counter()

        def on_step(step: int) -> bool:
            job.progress.current_step = base_step + step
            elapsed = time.perf_counter() - started
            if elapsed > 0:
                job.progress.steps_per_s = step / elapsed
            return not job.cancel_requested

        loss = await asyncio.to_thread(
            train_epoch, head, split.x_train, split.y_train, lr=hp.learning_rate, batch_size=hp.batch_size,
            epoch=epoch, seed=job.seed, total_steps=job.progress.total_steps, on_step=on_step,
            gradient_of=workers.gradient if workers else None,
        )  # fmt: skip
        if job.cancel_requested:
            return True
        result = await asyncio.to_thread(evaluate, head, split.x_val, split.y_val)
        job.progress.current_epoch = epoch
        job.progress.train_loss = loss
        job.progress.validation_accuracy = result.accuracy
        job.progress.validation_macro_f1 = result.macro_f1
        await asyncio.to_thread(self._store.save_checkpoint, job.id, epoch, head.to_bytes())
        await self._record(job)
        return False

    async def _finish(self, job: JobRecord, head: SoftmaxHead, split: Split, workers: int) -> None:
        result = await asyncio.to_thread(evaluate, head, split.x_val, split.y_val)
        metrics = {"accuracy": result.accuracy, "macro_f1": result.macro_f1, "validation_loss": result.loss,
                   "train_loss": job.progress.train_loss or 0.0, "validation_rows": float(len(split.y_val)),
                   "train_rows": float(len(split.y_train))}  # fmt: skip
        version = ModelVersion(
            id=job.id, tenant_id=job.tenant_id, uri=job.model_output_uri, labels=head.labels, metrics=metrics,
            confusion_matrix=result.confusion, dataset_sha256=split.dataset_sha256,
            hyperparameters=job.hyperparameters, base_model=job.base_model, code_version=CODE_VERSION,
            encoder=self._encoder.model_id, validation_split=job.validation_split or "given", workers=workers,
            created_at=now(),
        )  # fmt: skip
        await self._store.register_model(version, head.to_bytes())
        job.status, job.finished_at = "COMPLETED", now()
        job.model_card = version.model_dump(mode="json")
        await self._record(job)

    async def _labelled(self, job: JobRecord) -> tuple[list[str], Rows | None, LabelledSplit, str]:
        """Training texts, the given validation rows (or None), which rows train and validate, the dataset hash."""
        texts, labels, sha = await self._rows(job, job.training_data_uri)
        given = await self._rows(job, job.validation_data_uri) if job.validation_data_uri else None
        try:
            return texts, given, split_labelled(labels, job.seed, given[1] if given else None), sha
        except ValueError as exc:
            raise JobFailed(str(exc)) from exc

    async def _prepare(self, job: JobRecord) -> Split:
        texts, given, split, sha = await self._labelled(job)
        vectors = await self._vectors.embed(job.tenant_id, job.id, texts, sha)
        val_vectors = await self._vectors.embed(job.tenant_id, job.id, given[0], given[2]) if given else vectors
        job.validation_split = "given" if given else "stratified_holdout"
        return Split(vectors[split.train], split.y_train, val_vectors[split.val], split.y_val, split.labels, sha)

    async def _rows(self, job: JobRecord, uri: str) -> Rows:
        record = await self._store.get_dataset(job.tenant_id, uri.removeprefix("dataset://"))
        if record is None:
            raise JobFailed(f"dataset {uri} no longer exists")
        texts, labels = await self._store.load_rows(record.id)
        return texts, labels, record.sha256

    async def _initial_head(self, job: JobRecord, split: Split) -> tuple[SoftmaxHead, int]:
        checkpoint = await asyncio.to_thread(self._store.load_checkpoint, job.id)
        if checkpoint is not None:
            epoch, data = checkpoint
            log.info("training.job_resumed", job_id=job.id, epoch=epoch)
            return SoftmaxHead.from_bytes(data), epoch + 1
        return await self._base_head(job, split.labels), 1

    async def _base_head(self, job: JobRecord, labels: list[str]) -> SoftmaxHead:
        """A zero head over `labels`, warm-started from the base model when that is a previous job's model."""
        head = SoftmaxHead.fresh(labels, self._encoder.dim)
        base_id = model_id_of(job.base_model)
        if base_id is not None:
            base = await self._store.get_model(job.tenant_id, base_id)
            if base is None:
                raise JobFailed(f"base model {job.base_model} no longer exists")
            head.warm_start(SoftmaxHead.from_bytes(await self._store.load_artifact(base.id)))
        return head

    async def _record(self, job: JobRecord) -> None:
        """Log line, store, event: every status change and every finished epoch goes through here."""
        job.log_line()
        await self._store.save_job(job)
        await self._announce(job)

    async def _announce(self, job: JobRecord) -> None:
        completion = job.estimated_completion()
        event = TrainingProgressedV1(
            job_id=job.id, status=job.status, progress=progress_view(job), error=job.error,
            estimated_completion=completion.isoformat() if completion else None,
            model_output_uri=job.model_output_uri if job.status == "COMPLETED" else None,
        )  # fmt: skip
        marker = f"{job.status}:{job.progress.current_epoch}"
        await self._bus.emit(event, key=job.id, tenant_id=job.tenant_id, event_id=derived_id(job.id, marker))
