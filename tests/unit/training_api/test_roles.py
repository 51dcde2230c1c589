"""Who may train and deploy: seed 000's documented role (analyst) or admin; agents and reviewers of the same tenant
get a 403 in the seed 000 envelope on every write, and may still read jobs and call a deployed model's endpoint."""

from __future__ import annotations

import pytest

from tests.support.platform import user_headers
from tests.unit.training_api.conftest import AUTH, Platform, csv_bytes, labelled_rows


def forbidden(resp_json: dict[str, object], status: int) -> None:
    assert status == 403, resp_json
    assert resp_json["error"] is True and resp_json["status_code"] == 403
    assert set(resp_json) >= {"message", "details", "timestamp"}


@pytest.mark.parametrize("role", ["agent", "reviewer"])
async def test_only_analysts_and_admins_train_deploy_and_roll_back(platform: Platform, role: str) -> None:
    model_uri = await platform.trained_model()  # by the admin key
    deployed = await platform.client.post(
        "/api/v1/ai/deploy", json={"model_uri": model_uri, "deployment_name": "intents"}, headers=AUTH
    )
    deployment_id = deployed.json()["data"]["deployment_id"]
    uri = await platform.dataset_uri()
    job_id = (await platform.train(uri)).json()["data"]["job_id"]
    user = await user_headers(platform.client, role)
    writes = [
        await platform.upload("intents.csv", csv_bytes(labelled_rows()), headers=user),
        await platform.client.delete(f"/api/v1/ai/datasets/{uri.removeprefix('dataset://')}", headers=user),
        await platform.train(uri, headers=user),
        await platform.client.delete(f"/api/v1/ai/training-job/{job_id}", headers=user),
        await platform.client.post("/api/v1/ai/deploy", json={"model_uri": model_uri, "deployment_name": "x"},
                                   headers=user),
        await platform.client.post(f"/api/v1/ai/deployments/{deployment_id}/rollback", headers=user),
    ]  # fmt: skip
    for resp in writes:
        forbidden(resp.json(), resp.status_code)
    assert writes[0].json()["details"] == {"required_roles": ["analyst"]}
    assert (await platform.client.get(f"/api/v1/ai/training-job/{job_id}", headers=user)).status_code == 200
    await platform.wait_job(job_id, {"COMPLETED"})  # the agent's DELETE cancelled nothing
    for _ in range(100):
        answer = await platform.client.post("/api/v1/ai/predict/intents", json={"text": "refund"}, headers=user)
        if answer.status_code == 200:
            break
    assert answer.status_code == 200, answer.text


async def test_an_analyst_trains_and_deploys(platform: Platform) -> None:
    analyst = await user_headers(platform.client, "analyst")
    upload = await platform.upload("intents.csv", csv_bytes(labelled_rows()), headers=analyst)
    assert upload.status_code == 200, upload.text
    started = await platform.train(upload.json()["data"]["uri"], headers=analyst)
    assert started.status_code == 200, started.text
    job = await platform.wait_job(started.json()["data"]["job_id"], {"COMPLETED", "FAILED"})
    body = {"model_uri": job["model_output_uri"], "deployment_name": "intents"}
    deployed = await platform.client.post("/api/v1/ai/deploy", json=body, headers=analyst)
    assert deployed.status_code == 200, deployed.text
