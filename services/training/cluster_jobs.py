"""A data-parallel job on the kubernetes backend: its indexed Job (parallelism = completions = instance_count) is
created through the Kubernetes API and the Job controller's status is followed into the job's status:
no pod yet → STARTING, pods active → IN_PROGRESS, Complete → COMPLETED (once the workers registered the model),
Failed → FAILED with the controller's message. DELETE on the job deletes the Kubernetes Job (and its pods)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from services.training.cluster import Cluster, JobState
from services.training.domain import JobRecord, JobStatus, now
from services.training.kubernetes import training_job_manifest
from services.training.store import TrainingStore

Record = Callable[[JobRecord], Awaitable[None]]


class ClusterJobFailed(Exception):
    """The cluster says the job cannot succeed; the message becomes the job's error."""


class ClusterJobs:
    def __init__(
        self, cluster: Cluster, store: TrainingStore, *, namespace: str, image: str, poll_s: float = 2.0
    ) -> None:  # fmt: skip
        self._cluster = cluster
        self._store = store
        self._namespace = namespace
        self._image = image
        self._poll_s = poll_s

    async def run(self, job: JobRecord, record: Record) -> None:
        """Submit (a Job that exists already, after a restart, is followed as it is) and follow to the end."""
        manifest = training_job_manifest(job, image=self._image, namespace=self._namespace)
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
            raise ClusterJobFailed(f"the Kubernetes Job failed: {state.message or 'no reason given'}")
        if state.finished == "Complete":
            version = await self._store.get_model(job.tenant_id, job.id)
            if version is None:
                raise ClusterJobFailed("the Kubernetes Job completed but its workers registered no model")
            job.status, job.finished_at = "COMPLETED", now()
            job.model_card = version.model_dump(mode="json")
            # The workers' progress is not streamed here: the final figures come from the registered model card.
            p, metrics = job.progress, version.metrics
            p.current_epoch, p.current_step = job.hyperparameters.epochs, p.total_steps
            p.train_loss, p.validation_accuracy = metrics.get("train_loss"), metrics.get("accuracy")
            p.validation_macro_f1 = metrics.get("macro_f1")
            await record(job)
            return True
        status: JobStatus = "IN_PROGRESS" if state.active or state.succeeded or state.failed else "STARTING"
        if status != job.status:
            job.status = status
            await record(job)
        return False
