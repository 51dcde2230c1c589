"""Builds the training service: its store, the shared MiniLM encoder, the job runner, deployments, bus subscription."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from libs.bus import build_topic_handler
from libs.bus.base import Bus
from libs.embeddings import get_encoder
from libs.observability import HealthState, get_logger
from libs.runtime import Service, make_bus, open_service_store
from libs.store import DocumentStore
from services.training.cluster import connect
from services.training.cluster_jobs import ClusterJobs
from services.training.deployments import Deployments
from services.training.handlers import HANDLERS
from services.training.jobs import JobRunner
from services.training.settings import TrainingSettings
from services.training.sources import DataSources
from services.training.store import TrainingStore
from services.training.vectors import Encoder

NAME = "training"

log = get_logger("training.bootstrap")


def bootstrap(
    settings: TrainingSettings,
    *,
    bus: Bus | None = None,
    store: DocumentStore | None = None,
    encoder: Encoder | None = None,
) -> Service:
    bus = bus or make_bus(settings.platform, NAME)
    store = store or open_service_store(settings.platform, NAME)
    the_encoder = encoder or get_encoder()
    repo = TrainingStore(store, settings.root())
    cluster = connect(settings.kubeconfig, settings.kubernetes_namespace)
    exchange = settings.exchange()
    namespace, image = cluster.namespace if cluster else "default", settings.image
    runner = JobRunner(
        repo,
        bus,
        the_encoder,
        max_parallel=settings.max_parallel_jobs,
        max_workers=settings.max_local_workers,
        backend=settings.backend,
        cluster_jobs=ClusterJobs(
            cluster, repo, exchange, namespace=namespace, image=image, poll_s=settings.kubernetes_poll_s
        )
        if cluster
        else None,
    )
    deployments = Deployments(repo, the_encoder, cluster=cluster, namespace=namespace, image=image, exchange=exchange)
    sources = DataSources(repo, settings.s3_reader())
    deps: dict[str, Any] = {"store": repo, "runner": runner, "deployments": deployments, "sources": sources}
    bus.subscribe(
        "training.commands", group=settings.consumer_group, handler=build_topic_handler(bus, HANDLERS, deps=deps)
    )

    async def prepare() -> None:
        await repo.setup()
        purged = await repo.purge_stale_parts(timedelta(seconds=settings.upload_ttl_s))
        jobs = await runner.recover()
        served = await deployments.recover()
        log.info("training.recovered", jobs=jobs, deployments=served, purged_parts=purged)
        if settings.warm_model_on_start:
            the_encoder.encode(["warm up"])  # load the graph before joining the group

    async def store_up() -> bool:
        return await store.ping()

    async def bus_up() -> bool:
        return bus.healthy

    async def close_cluster() -> None:
        if cluster is not None:
            cluster.close()

    health = HealthState(NAME, checks={"bus": bus_up, "store": store_up})
    stops: list[Callable[[], Awaitable[None]]] = [runner.stop, deployments.stop, store.close, close_cluster]
    return Service(name=NAME, bus=bus, health=health, on_start=[prepare], on_stop=stops)
