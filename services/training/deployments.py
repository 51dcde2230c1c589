"""Deploy.v1 / RollbackDeployment.v1 in, DeploymentRecord out; serves Predict.v1 from the deployed heads held in
memory. A new version is loaded first and then swapped in with one assignment, so no request ever fails mid-swap."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from libs.contracts.models.training import DeployV1
from libs.errors import Conflict, Invalid, NotFound
from libs.observability import get_logger
from libs.runtime.tasks import BackgroundTasks
from libs.shapley import Attribution, attribute
from services.training.cluster import Cluster
from services.training.domain import DeploymentRecord, ModelVersion, derived, model_id_of, now
from services.training.exchange import Exchange
from services.training.head import SoftmaxHead, one_blas_thread
from services.training.kubernetes import deployment_manifests, object_name
from services.training.staging import model_key
from services.training.store import TrainingStore
from services.training.vectors import Encoder

log = get_logger("training.deployments")


@dataclass(frozen=True)
class Served:
    """What one deployment answers with right now: replaced as a whole on hot-swap or rollback."""

    head: SoftmaxHead
    model_uri: str
    version: int


@dataclass(frozen=True)
class Prediction:
    label: str
    confidence: float
    probabilities: dict[str, float]


class Deployments:
    def __init__(
        self, store: TrainingStore, encoder: Encoder, *, cluster: Cluster | None = None, namespace: str = "default",
        image: str = "switchboard:latest", exchange: Exchange | None = None,
    ) -> None:  # fmt: skip
        self._store = store
        self._exchange = exchange  # where the kubernetes strategy's --serve pods load the deployed head from
        self._encoder = encoder
        self._cluster = cluster
        self._namespace = namespace
        self._image = image
        self._served: dict[tuple[str, str], Served] = {}
        self._tasks = BackgroundTasks()

    async def resolve_model(self, tenant_id: str, model_uri: str) -> ModelVersion:
        """The registered version a model_uri names: 404 when no such job, 409 while its job is unfinished."""
        model_id = model_id_of(model_uri)
        if model_id is None:
            raise NotFound("model_uri names no registered model (expected model://<job_id>)", {"field": "model_uri"})
        version = await self._store.get_model(tenant_id, model_id)
        if version is not None:
            return version
        job = await self._store.get_job(tenant_id, model_id)
        if job is None:
            raise NotFound(f"no training job {model_id}", {"field": "model_uri"})
        raise Conflict(f"training job {model_id} is {job.status}; only a COMPLETED job can be deployed",
                       {"field": "model_uri", "status": job.status})  # fmt: skip

    async def deploy(self, tenant_id: str, cmd: DeployV1, cause_id: str) -> DeploymentRecord:
        if cmd.deployment_strategy == "kubernetes" and self._cluster is None:
            raise Invalid("deployment_strategy kubernetes needs a cluster and none is configured (run in a cluster or "
                          "set SWITCHBOARD_TRAINING_KUBECONFIG); use deployment_strategy local",
                          {"field": "deployment_strategy"})  # fmt: skip
        if cmd.deployment_strategy == "kubernetes" and self._exchange is None:
            raise Invalid("deployment_strategy kubernetes needs a job exchange the model pods can read and none is "
                          "configured (set SWITCHBOARD_TRAINING_EXCHANGE_URI)",
                          {"field": "deployment_strategy"})  # fmt: skip
        version = await self.resolve_model(tenant_id, cmd.model_uri)
        record = self._record_for(await self._store.find_deployment(tenant_id, name=cmd.deployment_name), version,
                                  tenant_id, cmd, cause_id)  # fmt: skip
        record.replicas = cmd.replicas
        record.auto_scaling = cmd.auto_scaling.model_dump(exclude_none=True) if cmd.auto_scaling else None
        record.resource_requirements = (
            cmd.resource_requirements.model_dump(exclude_none=True) if cmd.resource_requirements else None
        )
        record.instance_type = cmd.instance_type
        if record.strategy == "kubernetes":
            await self._apply(record)  # the cluster's refusal comes back to the caller, and nothing is saved
            record.status = "CREATING"
            self._served.pop((tenant_id, record.name), None)  # the next predict loads the version now applied
        await self._store.save_deployment(record)
        if record.strategy == "local":
            self._start(record)
        return record

    def _record_for(
        self, existing: DeploymentRecord | None, version: ModelVersion, tenant_id: str, cmd: DeployV1, cause_id: str
    ) -> DeploymentRecord:
        stamp = now()
        if existing is None:
            return DeploymentRecord(
                id=derived("deploy-", cause_id), tenant_id=tenant_id, name=cmd.deployment_name,
                strategy=cmd.deployment_strategy, model_uri=version.uri, labels=version.labels,
                created_at=stamp, updated_at=stamp,
            )  # fmt: skip
        if existing.strategy != cmd.deployment_strategy:
            raise Conflict(f"deployment {existing.name} runs with strategy {existing.strategy}; deploy another name "
                           "to use another strategy", {"field": "deployment_strategy"})  # fmt: skip
        if existing.model_uri == version.uri:
            return existing
        # Hot-swap: the old version keeps answering until the new head is loaded and assigned.
        history = [existing.model_uri, *existing.previous_model_uris][:50]
        return existing.model_copy(update={"model_uri": version.uri, "version": existing.version + 1,
                                           "previous_model_uris": history, "labels": version.labels,
                                           "updated_at": stamp})  # fmt: skip

    async def _apply(self, record: DeploymentRecord) -> None:
        """Publish the version's head where its pods load it, then render and apply the Deployment (+ Service,
        + HPA) of a kubernetes deployment through the API."""
        assert self._cluster is not None and self._exchange is not None
        model_id = model_id_of(record.model_uri) or record.model_uri
        artifact = await self._store.load_artifact(model_id)
        await asyncio.to_thread(self._exchange.put, model_key(model_id), artifact)
        manifests = deployment_manifests(record, image=self._image, namespace=self._namespace,
                                         exchange_uri=self._exchange.uri)  # fmt: skip
        await asyncio.to_thread(self._cluster.apply, manifests)

    async def _mirror(self, record: DeploymentRecord) -> DeploymentRecord:
        """A kubernetes deployment's status is what its Deployment reports: ACTIVE once a replica is available."""
        if self._cluster is None or record.strategy != "kubernetes":
            return record
        state = await asyncio.to_thread(self._cluster.rollout, object_name(record), self._namespace)
        status, error = (
            ("FAILED", "its Deployment is gone from the cluster") if state is None
            else ("FAILED", state.failed_message) if state.failed_message
            else ("ACTIVE", None) if state.available > 0
            else ("CREATING", None)
        )  # fmt: skip
        if (status, error) != (record.status, record.error):
            record = record.model_copy(update={"status": status, "error": error, "updated_at": now()})
            await self._store.save_deployment(record)
        return record

    async def rollback(self, tenant_id: str, deployment_id: str) -> DeploymentRecord:
        record = await self.get(tenant_id, deployment_id=deployment_id)
        if not record.previous_model_uris:
            raise Conflict("this deployment has no previous version to roll back to", {"field": "deployment_id"})
        target, rest = record.previous_model_uris[0], record.previous_model_uris[1:]
        version = await self.resolve_model(tenant_id, target)
        record = record.model_copy(update={"model_uri": target, "previous_model_uris": rest,
                                           "version": record.version + 1, "labels": version.labels,
                                           "updated_at": now()})  # fmt: skip
        if record.strategy == "kubernetes":
            await self._apply(record)
        await self._store.save_deployment(record)
        await self._load(record)  # rollback answers once the old version serves again
        return record

    async def get(
        self, tenant_id: str, *, deployment_id: str | None = None, name: str | None = None
    ) -> DeploymentRecord:
        record = await self._store.find_deployment(tenant_id, id=deployment_id, name=name)
        if record is None:
            raise NotFound("deployment not found", {"field": "deployment_id" if deployment_id else "deployment_name"})
        return await self._mirror(record)

    async def serving(self, tenant_id: str, name: str) -> Served:
        """The version a deployment answers with now (loaded on first use after a restart)."""
        served = self._served.get((tenant_id, name))
        if served is None:
            record = await self.get(tenant_id, name=name)
            if record.status != "ACTIVE":
                raise Conflict(f"deployment {name} is {record.status}", {"field": "deployment_name"})
            served = await self._load(record)
        return served

    def probabilities(self, served: Served, texts: Sequence[str]) -> np.ndarray:
        vectors = np.asarray(self._encoder.encode(texts), np.float32)
        with one_blas_thread():  # (1 x 384) @ (384 x classes): threads only add their wake-up cost
            return served.head.probabilities(vectors)

    async def predict(self, tenant_id: str, name: str, texts: list[str]) -> tuple[Served, list[Prediction]]:
        served = await self.serving(tenant_id, name)
        probs = await asyncio.to_thread(self.probabilities, served, texts)
        return served, [prediction(served.head.labels, row) for row in probs]

    async def explain(self, tenant_id: str, name: str, text: str) -> tuple[Served, Attribution]:
        """Shapley token importances (libs.shapley) of the deployed version's prediction for `text`."""
        served = await self.serving(tenant_id, name)
        found = await asyncio.to_thread(attribute, lambda texts: self.probabilities(served, texts), text)
        return served, found

    async def recover(self) -> int:
        records = [r for r in await self._store.all_deployments() if r.status != "FAILED" and r.strategy == "local"]
        for record in records:
            self._start(record)
        return len(records)

    async def stop(self) -> None:
        await self._tasks.cancel_all()

    def _start(self, record: DeploymentRecord) -> None:
        self._tasks.start(self._activate(record))

    async def _activate(self, record: DeploymentRecord) -> None:
        try:
            await self._load(record)
            record.status, record.error = "ACTIVE", None
        except Exception as exc:  # a background task: record why the deployment failed instead of dying silently
            log.error("training.deploy_failed", deployment_id=record.id, error_type=type(exc).__name__)
            record.status, record.error = "FAILED", f"loading {record.model_uri} failed: {type(exc).__name__}"
        record.updated_at = now()
        await self._store.save_deployment(record)

    async def _load(self, record: DeploymentRecord) -> Served:
        model_id = model_id_of(record.model_uri) or record.model_uri
        head = SoftmaxHead.from_bytes(await self._store.load_artifact(model_id))
        served = Served(head=head, model_uri=record.model_uri, version=record.version)
        self._served[(record.tenant_id, record.name)] = served  # one assignment: the swap is atomic for readers
        return served


def prediction(labels: list[str], row: np.ndarray) -> Prediction:
    best = int(row.argmax())
    ranked = sorted(range(len(labels)), key=lambda i: -float(row[i]))
    return Prediction(
        label=labels[best],
        confidence=round(float(row[best]), 6),
        probabilities={labels[i]: round(float(row[i]), 6) for i in ranked},
    )
