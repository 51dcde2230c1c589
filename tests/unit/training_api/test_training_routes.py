"""POST /api/v1/ai/distributed-training and GET/DELETE /api/v1/ai/training-job/{id}: a real job on the MiniLM
encoder runs to COMPLETED with progress, events and a model card; cancel; bad input."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.training_api.conftest import AUTH, Platform, PlatformFactory


async def test_job_runs_to_completed_with_progress_and_metrics(platform: Platform) -> None:
    uri = await platform.dataset_uri()
    started = await platform.train(uri)
    assert started.status_code == 200, started.text
    data = started.json()["data"]
    assert data["status"] == "STARTING" and data["job_id"].startswith("train-")
    assert data["model_output_uri"] == f"model://{data['job_id']}"
    assert data["estimated_time"].endswith(("seconds", "minutes")) and data["logs_uri"]
    job = await platform.wait_job(data["job_id"], {"COMPLETED", "FAILED"})
    assert job["status"] == "COMPLETED", job
    progress = job["progress"]
    # 84 rows, a stratified tenth held out (3 per label) -> 75 train rows, batch 8 -> 10 steps per epoch.
    assert progress["current_epoch"] == progress["total_epochs"] == 5
    assert progress["current_step"] == progress["total_steps"] == 50
    assert progress["metrics"]["validation_accuracy"] == 1.0
    assert 0 < progress["metrics"]["train_loss"] < 1.1  # below ln(3): it learned
    assert job["validation_split"] == "stratified_holdout"
    assert job["estimated_completion"] is None  # finished
    card = job["model_card"]
    assert card["labels"] == ["card_lost", "password", "refund"] and card["uri"] == data["model_output_uri"]
    assert card["metrics"]["accuracy"] == 1.0 and card["metrics"]["macro_f1"] == 1.0
    assert card["confusion_matrix"] == [[3, 0, 0], [0, 3, 0], [0, 0, 3]]
    assert card["hyperparameters"] == {"learning_rate": 0.05, "epochs": 5, "batch_size": 8}
    assert len(card["dataset_sha256"]) == 64 and card["code_version"] and card["encoder"]
    assert data["logs_uri"] == f"http://gateway/api/v1/ai/training-job/{data['job_id']}/logs"
    log = (await platform.client.get(data["logs_uri"], headers=AUTH)).json()["data"]["lines"]
    assert "STARTING" in log[0] and "COMPLETED" in log[-1] and len(log) == 1 + 1 + 5 + 1  # start, run, epochs, end
    assert "validation_accuracy=1.0000" in log[-1]


async def test_progress_events_go_to_training_events(platform: Platform) -> None:
    started = (await platform.train(await platform.dataset_uri())).json()["data"]
    await platform.wait_job(started["job_id"], {"COMPLETED"})
    events = [e for e in platform.events() if e["job_id"] == started["job_id"]]
    statuses = [e["status"] for e in events]
    assert statuses[0] == "IN_PROGRESS" and statuses[-1] == "COMPLETED"
    epochs = [e["progress"]["current_epoch"] for e in events if e["status"] == "IN_PROGRESS"]
    assert epochs == [0, 1, 2, 3, 4, 5]
    assert events[-1]["model_output_uri"] == started["model_output_uri"]


async def test_hyperparameters_are_honoured(platform: Platform) -> None:
    uri = await platform.dataset_uri()
    started = await platform.train(uri, hyperparameters={"learning_rate": 0.01, "epochs": 2, "batch_size": 25})
    job = await platform.wait_job(started.json()["data"]["job_id"], {"COMPLETED"})
    assert job["progress"]["total_epochs"] == 2 and job["progress"]["total_steps"] == 2 * 3  # ceil(75 / 25)


async def test_given_validation_set_is_used(platform: Platform) -> None:
    train_uri = await platform.dataset_uri()
    val_uri = await platform.dataset_uri([("my card is gone", "card_lost"), ("refund me", "refund")])
    started = await platform.train(train_uri, validation_data_uri=val_uri)
    job = await platform.wait_job(started.json()["data"]["job_id"], {"COMPLETED", "FAILED"})
    assert job["status"] == "COMPLETED" and job["validation_split"] == "given"
    assert job["progress"]["total_steps"] == 5 * 11  # all 84 training rows, batch 8


async def test_delete_cancels_a_running_job(platform: Platform) -> None:
    job_id = await platform.long_job()
    await platform.wait_job(job_id, {"IN_PROGRESS"})
    resp = await platform.client.delete(f"/api/v1/ai/training-job/{job_id}", headers=AUTH)
    assert resp.status_code == 200
    job = await platform.wait_job(job_id, {"CANCELLED", "COMPLETED"})
    assert job["status"] == "CANCELLED"
    assert job["progress"]["current_step"] < job["progress"]["total_steps"]


async def test_in_progress_job_reports_an_estimated_completion(platform: Platform) -> None:
    job_id = await platform.long_job()
    for _ in range(200):
        job = await platform.wait_job(job_id, {"IN_PROGRESS"})
        if job["progress"]["current_step"] > 0:
            break
    assert job["estimated_completion"] and job["estimated_completion"].endswith("Z")
    await platform.client.delete(f"/api/v1/ai/training-job/{job_id}", headers=AUTH)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"base_model": "gpt-17"}, "base_model"),
        ({"training_data_uri": "s3://bucket/data.csv"}, "training_data_uri"),
        ({"training_data_uri": "dataset://ds_doesnotexist"}, "training_data_uri"),
        ({"training_data_uri": "/etc/passwd"}, "training_data_uri"),
        ({"hyperparameters": {"learning_rate": 0.1, "epochs": 101, "batch_size": 8}}, "epochs"),
        ({"hyperparameters": {"learning_rate": 0.1, "epochs": 3, "batch_size": 0}}, "batch_size"),
        ({"hyperparameters": {"learning_rate": -1, "epochs": 3, "batch_size": 8}}, "learning_rate"),
    ],
)
async def test_bad_requests_are_400(platform: Platform, overrides: dict[str, Any], field: str) -> None:
    uri = await platform.dataset_uri()
    resp = await platform.train(uri, **overrides)
    assert resp.status_code == 400, resp.text
    body = resp.json()
    assert body["error"] is True and field in str(body["details"]) + body["message"]


async def test_another_tenants_dataset_is_400(platform: Platform) -> None:
    uri = await platform.dataset_uri()
    other = await platform.api_key_for("acme")
    resp = await platform.train(uri, headers=other)
    assert resp.status_code == 400 and "training_data_uri" in resp.json()["message"]


async def test_unknown_job_is_404(platform: Platform) -> None:
    for method in ("GET", "DELETE"):
        resp = await platform.client.request(method, "/api/v1/ai/training-job/train-nope", headers=AUTH)
        assert resp.status_code == 404 and resp.json()["error"] is True


async def test_a_previous_job_is_a_base_model(platform: Platform) -> None:
    base = await platform.trained_model()
    started = await platform.train(await platform.dataset_uri(), base_model=base)
    job = await platform.wait_job(started.json()["data"]["job_id"], {"COMPLETED", "FAILED"})
    assert job["status"] == "COMPLETED" and job["base_model"] == base


async def test_two_workers_reach_the_same_validation_accuracy_as_one(platform: Platform) -> None:
    uri = await platform.dataset_uri()
    accuracies = []
    for count in (1, 2):
        started = await platform.train(uri, instance_count=count)
        job = await platform.wait_job(started.json()["data"]["job_id"], {"COMPLETED", "FAILED"})
        assert job["status"] == "COMPLETED", job
        accuracies.append(job["progress"]["metrics"]["validation_accuracy"])
    assert abs(accuracies[0] - accuracies[1]) <= 0.01


async def test_kubernetes_backend_without_a_cluster_is_400(make_platform: PlatformFactory) -> None:
    platform = await make_platform(backend="kubernetes")
    resp = await platform.train(await platform.dataset_uri(), instance_count=2)
    assert resp.status_code == 400 and "kubernetes" in resp.json()["message"]
    assert "none is configured" in resp.json()["message"]
