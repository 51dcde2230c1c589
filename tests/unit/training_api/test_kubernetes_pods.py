"""The programs the Kubernetes objects name, run as real subprocesses with the args and env read from the objects
the service created in the fake API server (tests/support/fake_kube.py): if a manifest and its program drift apart,
these fail. The indexed Job's workers (python -m services.training.worker) train through a file:// exchange and the
service registers their model; the model Deployment's server (python -m services.training --serve) loads the
deployed version from moto's S3 server and answers its probes and /predict.

What the cluster itself would add is supplied as the cluster would: JOB_COMPLETION_INDEX per pod (the Job controller
sets it on an Indexed Job), the switchboard-config ConfigMap's HTTP host/port (127.0.0.1 and a free port here, so
tests can run side by side) and the S3 keys of the optional switchboard-connections Secret."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.training.staging import key
from tests.support.fake_kube import FakeKube
from tests.support.fake_llm.server import free_port
from tests.support.s3_server import ACCESS_KEY, SECRET_KEY, MotoServer, available
from tests.unit.training_api.conftest import AUTH, PlatformFactory
from tests.unit.training_api.test_deploy_routes import deploy
from tests.unit.training_api.test_kubernetes_cluster import MODEL, NS, submitted, wait_status

BUCKET = "switchboard-training"


@pytest.fixture
def kube() -> Iterator[FakeKube]:
    server = FakeKube().start()
    yield server
    server.stop()


def container_of(obj: dict[str, Any]) -> dict[str, Any]:
    containers: list[dict[str, Any]] = obj["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    return containers[0]


def pod_env(container: dict[str, Any], **cluster: str) -> dict[str, str]:
    """This process's env (PATH, HOME with the model cache) + the container's env + what the cluster supplies."""
    assert {"configMapRef": {"name": "switchboard-config"}} in container["envFrom"]
    declared = {e["name"]: e["value"] for e in container["env"]}
    return {**os.environ, **declared, **cluster}


async def start_pod(container: dict[str, Any], **cluster: str) -> asyncio.subprocess.Process:
    """The container's program as the image runs it (ENTRYPOINT python -m, then the container's args)."""
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", *container["args"], env=pod_env(container, **cluster),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip


async def run_pod(container: dict[str, Any], timeout_s: float = 240, **cluster: str) -> tuple[int, str]:
    """Exit status and output of one pod's program run to its end."""
    proc = await start_pod(container, **cluster)
    out, _ = await asyncio.wait_for(proc.communicate(), timeout_s)
    assert proc.returncode is not None
    return proc.returncode, out.decode(errors="replace")


async def test_indexed_job_workers_train_the_model_the_service_registers(
    kube: FakeKube, make_platform: PlatformFactory, tmp_path: Path
) -> None:
    exchange = tmp_path / "exchange"
    platform = await make_platform(kubeconfig=kube.kubeconfig(tmp_path / "kubeconfig"), backend="kubernetes",
                                   kubernetes_poll_s=0.05, exchange_uri=f"file://{exchange}")  # fmt: skip
    uri = await platform.dataset_uri()
    started = await platform.train(uri, instance_count=2)
    assert started.status_code == 200, started.text
    job_id = started.json()["data"]["job_id"]
    job = await submitted(kube, job_id)
    assert job["spec"]["completions"] == job["spec"]["parallelism"] == 2
    kube.set_status("jobs", NS, job_id, {"active": 2})
    # Every index at once (parallelism = completions), each told its index as the Job controller tells it.
    indexes = range(job["spec"]["completions"])
    results = await asyncio.gather(*(run_pod(container_of(job), JOB_COMPLETION_INDEX=str(i)) for i in indexes))
    assert [code for code, _ in results] == [0, 0], [out[-2000:] for _, out in results]
    # Each worker embedded its own half of the rows, and the epochs' heads of both are in the exchange.
    assert (exchange / key(job_id, "shards", "0.npy")).exists() and (exchange / key(job_id, "shards", "1.npy")).exists()
    # The service reads the workers' progress back while the Job runs: all 5 epochs, worker 0's validation figures.
    for _ in range(200):
        running = (await platform.client.get(f"/api/v1/ai/training-job/{job_id}", headers=AUTH)).json()["data"]
        if running["progress"]["current_epoch"] == 5 and "validation_accuracy" in running["progress"]["metrics"]:
            break
        await asyncio.sleep(0.05)
    assert running["status"] == "IN_PROGRESS" and running["progress"]["metrics"]["validation_accuracy"] == 1.0, running
    assert running["progress"]["current_step"] == running["progress"]["total_steps"], running
    kube.set_status("jobs", NS, job_id, {"succeeded": 2, "conditions": [{"type": "Complete", "status": "True"}]})
    done = await wait_status(platform, job_id, "COMPLETED")
    card = done["model_card"]
    assert card["workers"] == 2 and card["metrics"]["accuracy"] == 1.0 and card["labels"] == sorted(card["labels"])
    resp = await deploy(platform, done["model_output_uri"], name="from-cluster")
    assert resp.status_code == 200, resp.text
    for _ in range(200):
        answer = await platform.client.post("/api/v1/ai/predict/from-cluster", json={"text": "my card was stolen"},
                                            headers=AUTH)  # fmt: skip
        if answer.status_code != 409:
            break
        await asyncio.sleep(0.05)
    assert answer.status_code == 200 and answer.json()["data"]["label"] == "card_lost", answer.text


async def test_a_worker_that_cannot_do_its_part_exits_non_zero_and_the_job_fails_with_its_reason(
    kube: FakeKube, make_platform: PlatformFactory, tmp_path: Path
) -> None:
    platform = await make_platform(kubeconfig=kube.kubeconfig(tmp_path / "kubeconfig"), backend="kubernetes",
                                   kubernetes_poll_s=0.05, exchange_uri=f"file://{tmp_path / 'exchange'}")  # fmt: skip
    started = await platform.train(await platform.dataset_uri(), instance_count=2)
    job_id = started.json()["data"]["job_id"]
    container = container_of(await submitted(kube, job_id))
    # An index the Job does not have (a manifest whose completions and --workers disagree would give one).
    code, out = await run_pod(container, JOB_COMPLETION_INDEX="2")
    assert code == 1 and "outside 0..1" in out, out[-2000:]
    code, out = await run_pod(container)  # no JOB_COMPLETION_INDEX: not run as a pod of an Indexed Job
    assert code == 2 and "JOB_COMPLETION_INDEX" in out, out[-2000:]
    # A job staged for another worker count than the pod is told (--workers): index 1 refuses, and says why.
    spec_path = tmp_path / "exchange" / key(job_id, "spec.json")
    spec_path.write_text(spec_path.read_text().replace('"workers":2', '"workers":3'))
    code, out = await run_pod(container, JOB_COMPLETION_INDEX="1")
    assert code == 1, out[-2000:]
    failed = {"type": "Failed", "status": "True", "reason": "FailedIndexes", "message": "failed indexes"}
    kube.set_status("jobs", NS, job_id, {"failed": 1, "conditions": [failed]})
    done = await wait_status(platform, job_id, "FAILED")
    assert done["error"] == ("the Kubernetes Job failed: failed indexes; "
                             "worker 1: --workers 2 but the job was staged for 3")  # fmt: skip


@pytest.fixture
def s3() -> Iterator[MotoServer]:
    if not available():
        pytest.skip("moto's S3 server is not installed (pip install 'moto[s3]' flask flask-cors: the dev extras)")
    server = MotoServer().start()  # no bucket yet: the first publish creates it, as on a fresh MinIO
    yield server
    server.stop()


async def wait_ready(client: httpx.AsyncClient, path: str, proc: asyncio.subprocess.Process) -> httpx.Response:
    """The readiness probe's answer once it is 200 (the kubelet's view: no traffic before)."""
    for _ in range(600):
        assert proc.returncode is None, "the model server exited"
        try:
            resp = await client.get(path)
            if resp.status_code == 200:
                return resp
            assert resp.status_code == 503, resp.text  # loading
        except httpx.TransportError:
            pass  # not listening yet
        await asyncio.sleep(0.2)
    raise AssertionError(f"{path} never answered 200")


async def test_model_server_pods_load_the_deployed_version_and_serve_it(
    kube: FakeKube, make_platform: PlatformFactory, tmp_path: Path, s3: MotoServer
) -> None:
    s3_settings = {"s3_endpoint": s3.endpoint, "s3_access_key": ACCESS_KEY, "s3_secret_key": SECRET_KEY}
    platform = await make_platform(kubeconfig=kube.kubeconfig(tmp_path / "kubeconfig"), kubernetes_poll_s=0.05,
                                   exchange_uri=f"s3://{BUCKET}/exchange", **s3_settings)  # fmt: skip
    model_uri = await platform.trained_model()
    resp = await deploy(platform, model_uri, deployment_strategy="kubernetes")
    assert resp.status_code == 200, resp.text
    deployment = kube.get("deployments", NS, MODEL)
    assert deployment is not None
    container = container_of(deployment)
    assert container["ports"][0]["name"] == container["readinessProbe"]["httpGet"]["port"] == "http"
    port = free_port()
    secret = {f"SWITCHBOARD_TRAINING_{k.upper()}": v for k, v in s3_settings.items()}
    proc = await start_pod(container, SWITCHBOARD_HTTP_HOST="127.0.0.1", SWITCHBOARD_HTTP_PORT=str(port), **secret)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as pod:
            ready = await wait_ready(pod, container["readinessProbe"]["httpGet"]["path"], proc)
            assert ready.json()["model_uri"] == model_uri
            live = await pod.get(container["livenessProbe"]["httpGet"]["path"])
            assert live.status_code == 200, live.text
            one = await pod.post("/predict", json={"text": "my card was stolen"})
            assert one.status_code == 200 and one.json()["label"] == "card_lost", one.text
            assert set(one.json()["probabilities"]) == {"card_lost", "password", "refund"}
            many = await pod.post("/predict", json={"texts": ["refund my order please", "reset my password"]})
            assert [p["label"] for p in many.json()["predictions"]] == ["refund", "password"], many.text
            bad = await pod.post("/predict", json={"text": "a", "texts": ["b"]})
            assert bad.status_code == 400 and "either text or texts" in bad.json()["message"], bad.text
        # The pod answers exactly as the gateway's endpoint does for the same version.
        kube.set_status("deployments", NS, MODEL, {"replicas": 1, "availableReplicas": 1})
        gateway = await platform.client.post("/api/v1/ai/predict/intents", json={"text": "my card was stolen"},
                                             headers=AUTH)  # fmt: skip
        assert gateway.json()["data"]["probabilities"] == one.json()["probabilities"], gateway.text
    finally:
        proc.terminate()
        out, _ = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0, out.decode(errors="replace")[-2000:]
