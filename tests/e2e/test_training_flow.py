"""Issue 16's "how it will be checked", against `switchboard up` on Kafka (every service its own process): upload a
labelled dataset, train, watch progress to COMPLETED, deploy, call the endpoint, explain with the deployment's name,
deploy a second version while a client calls the endpoint (no failed request), roll back; an agent of the tenant may
call the endpoint (it does so during the swap) but not train or deploy. Prints the figures (run with -s to see them)."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from typing import Any

import httpx
import pytest
from aiokafka import TopicPartition

from libs.contracts.registry import default_registry
from tests.e2e.conftest import Stack
from tests.e2e.seed_examples import client, insights_error, insights_ok, tenant_key
from tests.support.topic_reader import read_to_end

pytestmark = pytest.mark.e2e

INTENTS = {
    "card_lost": ["I lost my card {}", "my card was stolen {}", "cannot find my bank card {}", "card missing {}"],
    "refund": ["I want my money back {}", "please refund my order {}", "how do I get a refund {}", "return money {}"],
    "password": ["I forgot my password {}", "reset my login password {}", "cannot sign in, password {}",
                 "change my password {}"],
}  # fmt: skip
SUFFIXES = ["", "please", "today", "now", "asap", "urgently", "again", "thanks", "help", "quickly"]


def dataset_csv() -> bytes:
    rows = [(t.format(s).strip(), label) for label, ts in INTENTS.items() for t in ts for s in SUFFIXES]
    return ("text,label\n" + "".join(f'"{text}",{label}\n' for text, label in rows)).encode()


def train(api: httpx.Client, uri: str, epochs: int) -> dict[str, Any]:
    """Start a job and poll it to COMPLETED; returns the last status and the statuses/steps seen on the way."""
    body = {"base_model": "customerai-classifier", "training_data_uri": uri,
            "hyperparameters": {"learning_rate": 0.02, "epochs": epochs, "batch_size": 4}}  # fmt: skip
    started = insights_ok(api.post("/api/v1/ai/distributed-training", json=body))
    assert started["status"] == "STARTING"
    seen: list[tuple[str, int]] = []
    t0 = time.monotonic()
    while time.monotonic() - t0 < 180:
        job = insights_ok(api.get(f"/api/v1/ai/training-job/{started['job_id']}"))
        seen.append((job["status"], job["progress"]["current_step"]))
        if job["status"] in ("COMPLETED", "FAILED", "CANCELLED"):
            return {**job, "seen": seen, "seconds": time.monotonic() - t0}
        time.sleep(0.2)
    raise AssertionError(f"job did not finish: {seen[-3:]}")


async def progress_events(bootstrap: str, job_id: str) -> list[tuple[str, int, int]]:
    """(status, current_step, total_steps) of every training.events record of the job, in order: the progress a
    dashboard or WebSocket client sees, whatever a poller happened to catch."""
    topic = "training.events"
    partitions = [TopicPartition(topic, p) for p in range(default_registry().partitions(topic))]
    found: list[tuple[str, int, int]] = []
    for record in await read_to_end(bootstrap, partitions):
        data = json.loads(record.value)["data"]
        if data["job_id"] == job_id:
            found.append((data["status"], data["progress"]["current_step"], data["progress"]["total_steps"]))
    return found


def wait_active(api: httpx.Client, deployment_id: str, version: int) -> dict[str, Any]:
    for _ in range(300):
        data: dict[str, Any] = insights_ok(api.get(f"/api/v1/ai/deployments/{deployment_id}"))
        if data["status"] == "ACTIVE" and data["version"] == version:
            return data
        time.sleep(0.1)
    raise AssertionError(f"deployment never served version {version}")


def key_for(stack: Stack, tenant: str, roles: tuple[str, ...]) -> dict[str, str]:
    """Another API key of the same tenant, with other roles (created by the stack's admin key)."""
    body = {"name": f"e2e {tenant} {roles}", "tenant_id": tenant, "rate_tier": "enterprise", "roles": list(roles)}
    key = insights_ok(httpx.post(f"{stack.url}/api/v1/api-keys", json=body, headers=stack.auth(), timeout=30), 201)
    return {"Authorization": f"Bearer {key['api_key']}"}


class Caller(threading.Thread):
    """Calls the endpoint back to back until stopped; counts answers, failures and the versions that answered."""

    def __init__(self, stack: Stack, headers: dict[str, str], endpoint: str) -> None:
        super().__init__(daemon=True)
        self.api = client(stack, headers)
        self.endpoint = endpoint
        self.stop = threading.Event()
        self.ok, self.failed, self.versions, self.latencies = 0, [], set(), []  # type: ignore[var-annotated]

    def run(self) -> None:
        while not self.stop.is_set():
            t0 = time.perf_counter()
            resp = self.api.post(self.endpoint, json={"text": "someone stole my card"})
            self.latencies.append(time.perf_counter() - t0)
            if resp.status_code == 200:
                self.ok += 1
                self.versions.add(resp.json()["data"]["version"])
            else:
                self.failed.append((resp.status_code, resp.text[:200]))


def test_train_deploy_swap_and_roll_back_on_kafka(stack: Stack) -> None:
    tenant, headers = tenant_key(stack, roles=("analyst",))
    api = client(stack, headers)
    uri = insights_ok(api.post("/api/v1/ai/datasets", files={"file": ("intents.csv", dataset_csv())}))["uri"]
    first = train(api, uri, epochs=30)
    assert first["status"] == "COMPLETED", first
    # A poller may miss the middle of a fast job (a quiet machine trained these 810 steps between two polls);
    # the progress events on the bus carry every stage.
    events = asyncio.run(progress_events(stack.kafka, first["job_id"]))
    assert any(status == "IN_PROGRESS" and 0 < step < total for status, step, total in events), events
    accuracy = first["progress"]["metrics"]["validation_accuracy"]
    print(f"\njob 1: {first['seconds']:.1f} s, {len(first['seen'])} polls, validation_accuracy {accuracy}")
    body = {"model_uri": first["model_output_uri"], "deployment_name": "e2e-intents", "replicas": 2}
    deployed = insights_ok(api.post("/api/v1/ai/deploy", json=body))
    assert deployed["status"] == "CREATING"
    wait_active(api, deployed["deployment_id"], 1)
    assert deployed["endpoint"] == f"{stack.url}/api/v1/ai/predict/e2e-intents"
    answer = insights_ok(api.post(deployed["endpoint"], json={"texts": ["I forgot my password", "refund please"]}))
    assert [p["label"] for p in answer["predictions"]] == ["password", "refund"]
    request = {"model_name": "e2e-intents", "data": {"text": "my card was stolen"}, "explanation_method": "shap"}
    explained = insights_ok(api.post("/api/v1/ai/explain", json=request))
    assert explained["explanation"]["feature_importance"], explained
    print(f"explain by name: {explained['prediction']} top {explained['explanation']['feature_importance'][:2]}")

    # A second version while a client calls the endpoint: no request fails, both versions answer.
    second = train(api, uri, epochs=5)
    caller = Caller(stack, key_for(stack, tenant, ("agent",)), "/api/v1/ai/predict/e2e-intents")
    caller.start()
    time.sleep(1.0)
    insights_ok(api.post("/api/v1/ai/deploy", json={**body, "model_uri": second["model_output_uri"]}))
    wait_active(api, deployed["deployment_id"], 2)
    time.sleep(1.0)
    rolled = insights_ok(api.post(f"/api/v1/ai/deployments/{deployed['deployment_id']}/rollback"))
    time.sleep(1.0)
    caller.stop.set()
    caller.join(30)
    assert rolled["model_uri"] == first["model_output_uri"] and rolled["version"] == 3
    assert caller.failed == [] and caller.versions == {1, 2, 3}, (caller.failed[:3], caller.versions)
    p50 = sorted(caller.latencies)[len(caller.latencies) // 2] * 1000
    print(f"hot swap + rollback under load: {caller.ok} calls, 0 failed, versions {sorted(caller.versions)}, "
          f"p50 {p50:.1f} ms over HTTP + Kafka")  # fmt: skip


def test_an_agent_cannot_train_or_deploy(stack: Stack) -> None:
    tenant, analyst = tenant_key(stack, roles=("analyst",))
    uri = insights_ok(client(stack, analyst).post("/api/v1/ai/datasets", files={"file": ("i.csv", dataset_csv())}))
    agent = client(stack, key_for(stack, tenant, ("agent",)))
    body = {"base_model": "customerai-classifier", "training_data_uri": uri["uri"]}
    insights_error(agent.post("/api/v1/ai/distributed-training", json=body), 403)
    insights_error(agent.post("/api/v1/ai/deploy", json={"model_uri": "model://x", "deployment_name": "x"}), 403)
