"""Jobs survive a restart of the training service: resumed from the last checkpointed epoch, or FAILED with the
reason when they cannot go on (never silently lost). Two service instances over one SQLite store and data folder."""

from __future__ import annotations

import asyncio
import base64
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest

from libs.bus import MemoryBus
from libs.contracts.models.training import DeleteDatasetV1, GetTrainingJobV1, StartTrainingV1, UploadDatasetPartV1
from libs.errors import NotFound
from libs.runtime import PlatformSettings, Service
from libs.store import open_store
from services.training.bootstrap import bootstrap
from services.training.settings import TrainingSettings
from tests.unit.training_api.conftest import csv_bytes, labelled_rows

TENANT = "default"


def service(tmp_path: Path, bus: MemoryBus) -> Service:
    settings = TrainingSettings(platform=PlatformSettings(bus="memory", data_dir=tmp_path), warm_model_on_start=False)
    return bootstrap(settings, bus=bus, store=open_store(database="training", sqlite_dir=tmp_path / "db"))


async def ask(bus: MemoryBus, command: Any) -> dict[str, Any]:
    reply = await bus.request("training.commands", command, key="k", tenant_id=TENANT, timeout=30)
    assert reply.type != "common.ErrorReply.v1", reply.data
    data: dict[str, Any] = reply.data
    return data


async def start_long_job(bus: MemoryBus) -> tuple[str, str]:
    data = csv_bytes(labelled_rows())
    part = UploadDatasetPartV1(upload_id="upl_1", filename="d.csv", content_type="text/csv", index=0, total=1,
                               size=len(data), data_b64=base64.b64encode(data).decode())  # fmt: skip
    dataset = await ask(bus, part)
    command = StartTrainingV1.model_validate(
        {"base_model": "customerai-classifier", "training_data_uri": dataset["uri"], "instance_count": 1,
         "hyperparameters": {"learning_rate": 0.01, "epochs": 100, "batch_size": 1}}
    )  # fmt: skip
    job = await ask(bus, command)
    return job["job_id"], dataset["dataset_id"]


async def wait_for(bus: MemoryBus, job_id: str, done: Any) -> dict[str, Any]:
    for _ in range(2000):
        job = await ask(bus, GetTrainingJobV1(job_id=job_id))
        if done(job):
            return job
        await asyncio.sleep(0.005)
    raise AssertionError(f"{job_id} never got there")


async def run_until_first_epoch(tmp_path: Path) -> tuple[str, str, int]:
    bus = MemoryBus(service_name="test")
    first = service(tmp_path, bus)
    await first.start(start_bus=False)
    await bus.start()
    job_id, dataset_id = await start_long_job(bus)
    job = await wait_for(bus, job_id, lambda j: j["progress"]["current_epoch"] >= 1)
    await bus.stop()
    await first.stop(stop_bus=False)  # cancels the running job: its record stays IN_PROGRESS
    assert job["status"] == "IN_PROGRESS"
    return job_id, dataset_id, job["progress"]["current_epoch"]


async def test_a_job_resumes_from_its_last_epoch_after_a_restart(tmp_path: Path) -> None:
    job_id, _, reached = await run_until_first_epoch(tmp_path)
    bus = MemoryBus(service_name="test")
    second = service(tmp_path, bus)
    await second.start(start_bus=False)
    await bus.start()
    try:
        job = await wait_for(bus, job_id, lambda j: j["status"] in {"COMPLETED", "FAILED"})
        assert job["status"] == "COMPLETED", job
        assert job["progress"]["current_epoch"] == 100
        events = [orjson.loads(r.value)["data"] for r in bus.broker.records("training.events")]
        resumed_at = events[0]["progress"]["current_epoch"]
        assert events[0]["status"] == "IN_PROGRESS" and resumed_at >= reached > 0  # not from scratch
    finally:
        await bus.stop()
        await second.stop(stop_bus=False)


async def test_a_job_that_cannot_resume_fails_with_the_reason(tmp_path: Path) -> None:
    job_id, dataset_id, _ = await run_until_first_epoch(tmp_path)
    bus = MemoryBus(service_name="test")
    # The dataset disappears while the service is down (deleted through a third instance of its store).
    store = open_store(database="training", sqlite_dir=tmp_path / "db")
    await store.collection("datasets").delete(dataset_id)
    await store.close()
    second = service(tmp_path, bus)
    await second.start(start_bus=False)
    await bus.start()
    try:
        job = await wait_for(bus, job_id, lambda j: j["status"] in {"COMPLETED", "FAILED"})
        assert job["status"] == "FAILED" and "no longer exists" in job["error"]
        with pytest.raises(NotFound):
            await ask(bus, DeleteDatasetV1(dataset_id=dataset_id))
    finally:
        await bus.stop()
        await second.stop(stop_bus=False)


async def test_parts_of_an_upload_that_never_finished_are_dropped_at_start(tmp_path: Path) -> None:
    store = open_store(database="training", sqlite_dir=tmp_path / "db")
    old = datetime.now(UTC) - timedelta(hours=2)
    await store.collection("upload_parts").insert(
        {"id": "upl_x:0000", "tenant_id": TENANT, "upload_id": "upl_x", "index": 0, "data_b64": "", "created_at": old}
    )
    await store.close()
    bus = MemoryBus(service_name="test")
    svc = service(tmp_path, bus)
    await svc.start(start_bus=False)
    try:
        check = open_store(database="training", sqlite_dir=tmp_path / "db")
        assert await check.collection("upload_parts").count() == 0
        await check.close()
    finally:
        await svc.stop(stop_bus=False)
