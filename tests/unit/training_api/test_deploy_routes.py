"""POST /api/v1/ai/deploy -> CREATING -> ACTIVE, the real predict endpoint, hot-swap without a failed request,
rollback in one call, and the documented errors (404 unknown, 409 unfinished, 400 kubernetes without a cluster)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from tests.unit.training_api.conftest import AUTH, Platform


async def deploy(platform: Platform, model_uri: str, name: str = "intents", **extra: Any) -> httpx.Response:
    body = {"model_uri": model_uri, "deployment_name": name, **extra}
    return await platform.client.post("/api/v1/ai/deploy", json=body, headers=AUTH)


async def wait_active(platform: Platform, deployment_id: str) -> dict[str, Any]:
    for _ in range(400):
        resp = await platform.client.get(f"/api/v1/ai/deployments/{deployment_id}", headers=AUTH)
        assert resp.status_code == 200, resp.text
        data: dict[str, Any] = resp.json()["data"]
        if data["status"] != "CREATING":
            return data
        await asyncio.sleep(0.05)
    raise AssertionError("deployment never left CREATING")


async def test_deploy_serves_the_model_at_its_endpoint(platform: Platform) -> None:
    model_uri = await platform.trained_model()
    resp = await deploy(platform, model_uri, replicas=3, auto_scaling={"min_replicas": 2, "max_replicas": 10})
    assert resp.status_code == 200, resp.text
    data = resp.json()["data"]
    assert data["status"] == "CREATING"
    assert data["endpoint"] == "http://gateway/api/v1/ai/predict/intents"
    assert data["metrics_endpoint"].endswith(f"/api/v1/ai/deployments/{data['deployment_id']}")
    state = await wait_active(platform, data["deployment_id"])
    assert state["status"] == "ACTIVE" and state["replicas"] == 3 and state["model_uri"] == model_uri
    one = await platform.client.post(data["endpoint"], json={"text": "someone stole my card"}, headers=AUTH)
    assert one.status_code == 200, one.text
    assert one.json()["data"]["label"] == "card_lost"
    assert abs(sum(one.json()["data"]["probabilities"].values()) - 1) < 1e-3
    many = await platform.client.post(
        data["endpoint"], json={"texts": ["give me a refund", "forgot password"]}, headers=AUTH
    )
    assert [p["label"] for p in many.json()["data"]["predictions"]] == ["refund", "password"]


async def test_predict_needs_the_owning_tenant(platform: Platform) -> None:
    model_uri = await platform.trained_model()
    await wait_active(platform, (await deploy(platform, model_uri)).json()["data"]["deployment_id"])
    other = await platform.api_key_for("acme")
    resp = await platform.client.post("/api/v1/ai/predict/intents", json={"text": "refund"}, headers=other)
    assert resp.status_code == 404
    assert (await platform.client.post("/api/v1/ai/predict/intents", json={"text": "refund"})).status_code == 401


async def test_hot_swap_without_a_failed_request_then_rollback(platform: Platform) -> None:
    first = await platform.trained_model()
    created = (await deploy(platform, first)).json()["data"]
    await wait_active(platform, created["deployment_id"])
    second = await platform.trained_model(hyperparameters={"learning_rate": 0.05, "epochs": 3, "batch_size": 8})
    statuses: list[int] = []

    async def keep_calling() -> None:
        for _ in range(40):
            r = await platform.client.post("/api/v1/ai/predict/intents", json={"text": "refund"}, headers=AUTH)
            statuses.append(r.status_code)

    caller = asyncio.create_task(keep_calling())
    swapped = await deploy(platform, second)
    await caller
    assert set(statuses) == {200}
    assert swapped.json()["data"]["deployment_id"] == created["deployment_id"]
    state = await wait_active(platform, created["deployment_id"])
    assert state["model_uri"] == second and state["previous_model_uris"] == [first] and state["version"] == 2
    served = await platform.client.post("/api/v1/ai/predict/intents", json={"text": "refund"}, headers=AUTH)
    assert served.json()["data"]["model_uri"] == second
    rolled = await platform.client.post(f"/api/v1/ai/deployments/{created['deployment_id']}/rollback", headers=AUTH)
    assert rolled.status_code == 200 and rolled.json()["data"]["model_uri"] == first
    served = await platform.client.post("/api/v1/ai/predict/intents", json={"text": "refund"}, headers=AUTH)
    assert served.json()["data"]["model_uri"] == first


async def test_deploy_errors(platform: Platform) -> None:
    assert (await deploy(platform, "model://train-unknown")).status_code == 404
    assert (await platform.client.get("/api/v1/ai/deployments/deploy-unknown", headers=AUTH)).status_code == 404
    job_id = await platform.long_job()
    unfinished = await deploy(platform, f"model://{job_id}")
    assert unfinished.status_code == 409, unfinished.text
    await platform.client.delete(f"/api/v1/ai/training-job/{job_id}", headers=AUTH)
    model_uri = await platform.trained_model()
    k8s = await deploy(platform, model_uri, deployment_strategy="kubernetes")
    assert k8s.status_code == 400 and "kubernetes" in k8s.json()["message"]
    bad_name = await deploy(platform, model_uri, name="Not A DNS Name")
    assert bad_name.status_code == 400
    no_previous = (await deploy(platform, model_uri)).json()["data"]["deployment_id"]
    resp = await platform.client.post(f"/api/v1/ai/deployments/{no_previous}/rollback", headers=AUTH)
    assert resp.status_code == 409


async def test_explain_and_classify_use_a_deployed_model_by_name(platform: Platform) -> None:
    model_uri = await platform.trained_model()
    await wait_active(platform, (await deploy(platform, model_uri)).json()["data"]["deployment_id"])
    body = {"model_name": "intents", "data": {"text": "please refund my order"}, "explanation_method": "shap"}
    explained = await platform.client.post("/api/v1/ai/explain", json=body, headers=AUTH)
    assert explained.status_code == 200, explained.text
    data = explained.json()["data"]
    assert data["prediction"]["label"] == "refund" and data["model_uri"] == model_uri
    features = data["explanation"]["feature_importance"]
    assert {f["feature"] for f in features} == {"please", "refund", "my", "order"}
    assert max(features, key=lambda f: f["importance"])["feature"] in {"refund", "order"}
    # Shapley efficiency: importances sum to confidence minus the empty-text baseline.
    total = sum(f["importance"] for f in features)
    assert abs(total - (data["prediction"]["confidence"] - data["explanation"]["base_value"])) < 1e-4
    classify = {"text": "I forgot my password", "categories": ["password", "refund"], "model": "intents"}
    classified = await platform.client.post("/api/v1/ai/classify", json=classify, headers=AUTH)
    assert classified.status_code == 200, classified.text
    result = classified.json()["data"]
    assert result["top_category"] == "password" and result["source"] == f"deployed:{model_uri}"
    assert abs(sum(result["classifications"].values()) - 1) < 1e-3
    unknown = await platform.client.post("/api/v1/ai/classify", json={**classify, "categories": ["password", "x"]},
                                         headers=AUTH)  # fmt: skip
    assert unknown.status_code == 400 and "x" in unknown.json()["message"]


async def test_explain_refuses_what_the_training_contract_cannot_carry(platform: Platform) -> None:
    # Issue 20: schemathesis on the Kafka stack found these as 500s (a name or text past training.Explain.v1).
    too_long_name = {"model_name": "0" * 200, "data": {"text": "hi"}, "explanation_method": "shap"}
    resp = await platform.client.post("/api/v1/ai/explain", json=too_long_name, headers=AUTH)
    assert resp.status_code == 404, resp.text  # never a deployment: the built-in model's 404
    model_uri = await platform.trained_model()
    await wait_active(platform, (await deploy(platform, model_uri)).json()["data"]["deployment_id"])
    long_text = {"model_name": "intents", "data": {"text": "refund " * 4000}, "explanation_method": "shap"}
    resp = await platform.client.post("/api/v1/ai/explain", json=long_text, headers=AUTH)
    assert resp.status_code == 400 and "data.text" in resp.json()["details"], resp.text
