"""deployment_strategy kubernetes and SWITCHBOARD_TRAINING_BACKEND=kubernetes through the official Kubernetes Python
client, against the fake Kubernetes API server of tests/support/fake_kube.py (127.0.0.1; the test plays the Deployment
and Job controllers by writing their status): manifests applied, status followed, hot-swap, rollback, cancel."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from services.gateway.settings import GatewaySettings
from services.training.domain import DeploymentRecord, now
from services.training.kubernetes import object_name
from tests.support.fake_kube import FakeKube
from tests.unit.training_api.conftest import AUTH, Platform, PlatformFactory
from tests.unit.training_api.test_deploy_routes import deploy

NS = "switchboard"
# The test key's tenant's "intents" deployment: its objects are named after the tenant and the name (gateway default).
MODEL = object_name(DeploymentRecord(id="d", tenant_id=GatewaySettings().default_tenant, name="intents",
                                     model_uri="model://x", created_at=now(), updated_at=now()))  # fmt: skip


@pytest.fixture
def kube() -> Iterator[FakeKube]:
    server = FakeKube().start()
    yield server
    server.stop()


async def cluster_platform(make_platform: PlatformFactory, kube: FakeKube, tmp_path: Path) -> Platform:
    config = kube.kubeconfig(tmp_path / "kubeconfig")
    return await make_platform(kubeconfig=config, backend="kubernetes", kubernetes_poll_s=0.05,
                               exchange_uri=f"file://{tmp_path / 'exchange'}")  # fmt: skip


async def deployment(platform: Platform, deployment_id: str) -> dict[str, Any]:
    resp = await platform.client.get(f"/api/v1/ai/deployments/{deployment_id}", headers=AUTH)
    assert resp.status_code == 200, resp.text
    data: dict[str, Any] = resp.json()["data"]
    return data


def model_env(kube: FakeKube) -> str:
    found = kube.get("deployments", NS, MODEL)
    assert found is not None
    env = found["spec"]["template"]["spec"]["containers"][0]["env"]
    return str(next(e["value"] for e in env if e["name"] == "SWITCHBOARD_TRAINING_SERVE_MODEL_URI"))


async def test_kubernetes_deploy_applies_follows_swaps_and_rolls_back(
    kube: FakeKube, make_platform: PlatformFactory, tmp_path: Path
) -> None:
    platform = await cluster_platform(make_platform, kube, tmp_path)
    first, second = await platform.trained_model(), await platform.trained_model()
    scaling = {"min_replicas": 2, "max_replicas": 10, "target_utilization": 70}
    resp = await deploy(platform, first, deployment_strategy="kubernetes", replicas=3, auto_scaling=scaling,
                        resource_requirements={"cpu": "2", "memory": "4Gi"})  # fmt: skip
    assert resp.status_code == 200, resp.text
    deployment_id = resp.json()["data"]["deployment_id"]
    applied = kube.get("deployments", NS, MODEL)
    assert applied is not None and applied["spec"]["replicas"] == 3
    container = applied["spec"]["template"]["spec"]["containers"][0]
    assert container["resources"]["requests"] == {"cpu": "2", "memory": "4Gi"}
    assert kube.get("services", NS, MODEL) is not None
    hpa = kube.get("horizontalpodautoscalers", NS, MODEL)
    assert hpa is not None and (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (2, 10)
    # No pod is available until the Deployment controller says so: CREATING, and the endpoint refuses (409).
    assert (await deployment(platform, deployment_id))["status"] == "CREATING"
    early = await platform.client.post("/api/v1/ai/predict/intents", json={"text": "card stolen"}, headers=AUTH)
    assert early.status_code == 409, early.text
    kube.set_status("deployments", NS, MODEL, {"replicas": 3, "availableReplicas": 3})
    assert (await deployment(platform, deployment_id))["status"] == "ACTIVE"
    answer = await platform.client.post("/api/v1/ai/predict/intents", json={"text": "card stolen"}, headers=AUTH)
    assert answer.status_code == 200 and answer.json()["data"]["label"] == "card_lost", answer.text
    # A second version is applied in place (server-side apply: same object, next generation); no auto_scaling now.
    resp = await deploy(platform, second, deployment_strategy="kubernetes", replicas=2)
    assert resp.status_code == 200, resp.text
    updated = kube.get("deployments", NS, MODEL)
    assert model_env(kube) == second and updated is not None and updated["metadata"]["generation"] == 2
    assert kube.get("horizontalpodautoscalers", NS, MODEL) is None
    rolled = await platform.client.post(f"/api/v1/ai/deployments/{deployment_id}/rollback", headers=AUTH)
    assert rolled.status_code == 200 and rolled.json()["data"]["model_uri"] == first, rolled.text
    assert model_env(kube) == first
    # The controller reporting a stuck rollout fails the deployment with its message.
    stuck = {"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded", "message": "too slow"}
    kube.set_status("deployments", NS, MODEL, {"conditions": [stuck]})
    failed = await deployment(platform, deployment_id)
    assert failed["status"] == "FAILED" and failed["error"] == "too slow"


async def test_a_cluster_that_refuses_the_credentials_is_a_503(
    kube: FakeKube, make_platform: PlatformFactory, tmp_path: Path
) -> None:
    platform = await cluster_platform(make_platform, kube, tmp_path)
    model_uri = await platform.trained_model()
    kube.token = "rotated"  # the kubeconfig's token no longer opens the API
    resp = await deploy(platform, model_uri, deployment_strategy="kubernetes")
    assert resp.status_code == 503 and "Kubernetes API" in resp.json()["message"], resp.text


async def wait_status(platform: Platform, job_id: str, status: str) -> dict[str, Any]:
    for _ in range(200):
        resp = await platform.client.get(f"/api/v1/ai/training-job/{job_id}", headers=AUTH)
        data: dict[str, Any] = resp.json()["data"]
        if data["status"] == status:
            return data
        await asyncio.sleep(0.05)
    raise AssertionError(f"{job_id} never reached {status}: {data}")


async def submitted(kube: FakeKube, job_id: str) -> dict[str, Any]:
    """The Job object once the service created it."""
    for _ in range(200):
        job = kube.get("jobs", NS, job_id)
        if job is not None:
            return job
        await asyncio.sleep(0.05)
    raise AssertionError(f"no Job {job_id} was created: {kube.requests}")


async def test_kubernetes_backend_submits_an_indexed_job_and_follows_it(
    kube: FakeKube, make_platform: PlatformFactory, tmp_path: Path
) -> None:
    platform = await cluster_platform(make_platform, kube, tmp_path)
    uri = await platform.dataset_uri()
    started = await platform.train(uri, instance_count=4, instance_type="ml.m5.xlarge")
    assert started.status_code == 200 and started.json()["data"]["status"] == "STARTING", started.text
    job_id = started.json()["data"]["job_id"]
    job = await submitted(kube, job_id)
    spec = job["spec"]
    assert spec["completionMode"] == "Indexed" and spec["parallelism"] == spec["completions"] == 4
    assert spec["template"]["spec"]["containers"][0]["resources"]["requests"] == {"cpu": "4", "memory": "16Gi"}
    kube.set_status("jobs", NS, job_id, {"active": 4})
    await wait_status(platform, job_id, "IN_PROGRESS")
    failed_condition = {"type": "Failed", "status": "True", "reason": "FailedIndexes", "message": "failed indexes"}
    kube.set_status("jobs", NS, job_id, {"failed": 1, "conditions": [failed_condition]})
    failed = await wait_status(platform, job_id, "FAILED")
    assert failed["error"] == "the Kubernetes Job failed: failed indexes"


async def test_a_completed_job_without_a_model_fails_and_cancel_deletes_the_job(
    kube: FakeKube, make_platform: PlatformFactory, tmp_path: Path
) -> None:
    platform = await cluster_platform(make_platform, kube, tmp_path)
    uri = await platform.dataset_uri()
    first = (await platform.train(uri, instance_count=2)).json()["data"]["job_id"]
    second = (await platform.train(uri, instance_count=2)).json()["data"]["job_id"]
    await submitted(kube, first)
    await submitted(kube, second)
    kube.set_status("jobs", NS, first, {"succeeded": 2, "conditions": [{"type": "Complete", "status": "True"}]})
    done = await wait_status(platform, first, "FAILED")
    assert "wrote no model" in done["error"]
    cancelled = await platform.client.delete(f"/api/v1/ai/training-job/{second}", headers=AUTH)
    assert cancelled.status_code == 200, cancelled.text
    await wait_status(platform, second, "CANCELLED")
    assert kube.get("jobs", NS, second) is None and ("DELETE", f"/apis/batch/v1/namespaces/{NS}/jobs/{second}") in (
        kube.requests
    )


async def test_without_a_job_exchange_the_cluster_paths_are_a_400(
    kube: FakeKube, make_platform: PlatformFactory, tmp_path: Path
) -> None:
    platform = await make_platform(kubeconfig=kube.kubeconfig(tmp_path / "kubeconfig"), backend="kubernetes")
    model_uri = await platform.trained_model()  # instance_count 1 trains here, exchange or not
    started = await platform.train(await platform.dataset_uri(), instance_count=2)
    assert started.status_code == 400 and "SWITCHBOARD_TRAINING_EXCHANGE_URI" in started.json()["message"], started.text
    resp = await deploy(platform, model_uri, deployment_strategy="kubernetes")
    assert resp.status_code == 400 and "SWITCHBOARD_TRAINING_EXCHANGE_URI" in resp.json()["message"], resp.text
    assert not kube.requests or all(method == "GET" for method, _ in kube.requests)  # nothing was created
