"""Training service on BANKING77: the train split uploaded as a dataset (a stratified tenth held out and uploaded
as the validation dataset), one job through the gateway API to COMPLETED, beside scikit-learn's
LogisticRegression on the same cached embeddings in the same run; then the model deployed and its predict
endpoint timed.

Gateway and training service run in this process on the in-memory bus (the gateway through its ASGI app), so
the endpoint figure is the gateway + bus + encoder + head path without a broker hop.

Targets (issue 16): job ≤ 120 s on 2 cores with validation accuracy ≥ 0.90; endpoint p50 ≤ 10 ms.
Run: python -m tests.bench.bench_training [EPOCHS]   (the job's CPU seconds are this process's over the job)
"""

from __future__ import annotations

import asyncio
import csv
import io
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from sklearn.linear_model import LogisticRegression

from libs.bus import MemoryBus
from libs.runtime import PlatformSettings
from libs.store import open_store
from services.training.bootstrap import bootstrap as bootstrap_training
from services.training.head import stratified_split
from services.training.settings import TrainingSettings
from tests.support.platform import API_KEY, gateway_for_tests, serving

# ../shared/data next to the repository; SWITCHBOARD_SHARED_DATA overrides it (a git worktree lives elsewhere).
DATA = Path(os.environ.get("SWITCHBOARD_SHARED_DATA", Path(__file__).resolve().parents[2] / ".." / "shared" / "data"))
DATA = DATA / "banking77" / "train.csv"
AUTH = {"Authorization": f"Bearer {API_KEY}"}
HYPERPARAMETERS = {"learning_rate": 0.02, "epochs": 10, "batch_size": 32}
PREDICT_CALLS = 300


def split_rows() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    with DATA.open(encoding="utf-8") as f:
        rows = [(r["text"], r["category"]) for r in csv.DictReader(f)]
    train, held = stratified_split([label for _, label in rows], 0.1, seed=77)
    return [rows[i] for i in train], [rows[i] for i in held]


def as_csv(rows: list[tuple[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["text", "label"])
    writer.writerows(rows)
    return out.getvalue().encode()


async def upload(client: httpx.AsyncClient, name: str, rows: list[tuple[str, str]]) -> dict[str, Any]:
    resp = await client.post("/api/v1/ai/datasets", files={"file": (name, as_csv(rows))}, headers=AUTH, timeout=120)
    assert resp.status_code == 200, resp.text
    data: dict[str, Any] = resp.json()["data"]
    return data


def cpu_s() -> float:
    """CPU seconds of this process, all threads (encoder lanes, training thread, event loop): on a shared machine
    the job's wall time says more about the neighbours than about the job."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def train(client: httpx.AsyncClient, train_uri: str, val_uri: str) -> tuple[dict[str, Any], float, float]:
    body = {"base_model": "customerai-classifier", "training_data_uri": train_uri, "validation_data_uri": val_uri,
            "hyperparameters": HYPERPARAMETERS, "instance_count": 1}  # fmt: skip
    started, cpu_started = time.perf_counter(), cpu_s()
    resp = await client.post("/api/v1/ai/distributed-training", json=body, headers=AUTH)
    assert resp.status_code == 200, resp.text
    job_id = resp.json()["data"]["job_id"]
    while True:
        job: dict[str, Any] = (await client.get(f"/api/v1/ai/training-job/{job_id}", headers=AUTH)).json()["data"]
        if job["status"] in ("COMPLETED", "FAILED", "CANCELLED"):
            return job, time.perf_counter() - started, cpu_s() - cpu_started
        await asyncio.sleep(0.2)


def logistic_regression(root: Path, train_info: dict[str, Any], val_info: dict[str, Any]) -> tuple[float, float]:
    """Accuracy and fit seconds of scikit-learn on the embeddings the job cached (same vectors, same split)."""
    train_rows, val_rows = split_rows()
    x_train = np.load(next((root / "embeddings").glob(f"*-{train_info['sha256']}.npy")))
    x_val = np.load(next((root / "embeddings").glob(f"*-{val_info['sha256']}.npy")))
    started = time.perf_counter()
    model = LogisticRegression(max_iter=2000, C=10).fit(x_train, [label for _, label in train_rows])
    fit_s = time.perf_counter() - started
    return float((model.predict(x_val) == np.array([label for _, label in val_rows])).mean()), fit_s


async def endpoint_latency(client: httpx.AsyncClient, model_uri: str) -> list[float]:
    resp = await client.post("/api/v1/ai/deploy", json={"model_uri": model_uri, "deployment_name": "banking77"},
                             headers=AUTH)  # fmt: skip
    deployment_id = resp.json()["data"]["deployment_id"]
    for _ in range(600):
        state = await client.get(f"/api/v1/ai/deployments/{deployment_id}", headers=AUTH)
        if state.json()["data"]["status"] != "CREATING":
            break
        await asyncio.sleep(0.05)
    train_rows, _ = split_rows()
    timings: list[float] = []
    for i in range(PREDICT_CALLS):
        started = time.perf_counter()
        r = await client.post("/api/v1/ai/predict/banking77", json={"text": train_rows[i * 7][0]}, headers=AUTH)
        timings.append((time.perf_counter() - started) * 1000)
        assert r.status_code == 200, r.text
    return timings


async def main(epochs: int) -> None:
    if not DATA.exists():
        print(f"bench_training: skipped, {DATA} absent (needs ../shared/data)")
        return
    HYPERPARAMETERS["epochs"] = epochs
    train_rows, val_rows = split_rows()
    with tempfile.TemporaryDirectory() as tmp:
        common = PlatformSettings(bus="memory", data_dir=Path(tmp))
        bus = MemoryBus(service_name="bench")
        gateway = gateway_for_tests(common, bus, request_timeout_s=30, batch_timeout_s=120)
        settings = TrainingSettings(platform=common)
        training = bootstrap_training(settings, bus=bus, store=open_store(database="training"))
        async with serving(bus, [training, gateway]) as client:
            train_info = await upload(client, "banking77-train.csv", train_rows)
            val_info = await upload(client, "banking77-validation.csv", val_rows)
            job, job_s, job_cpu_s = await train(client, train_info["uri"], val_info["uri"])
            assert job["status"] == "COMPLETED", job
            sk_accuracy, sk_fit_s = logistic_regression(settings.root(), train_info, val_info)
            timings = await endpoint_latency(client, job["model_output_uri"])
    metrics = job["progress"]["metrics"]
    print(f"BANKING77: {len(train_rows)} train rows, {len(val_rows)} validation rows, 77 labels; {HYPERPARAMETERS}")
    print(f"{'':38}{'validation accuracy':>20}{'macro-F1':>10}{'seconds':>10}{'CPU s':>8}")
    print(f"{'training job (embed + train, via API)':38}{metrics['validation_accuracy']:>20.4f}"
          f"{metrics['validation_macro_f1']:>10.4f}{job_s:>10.1f}{job_cpu_s:>8.1f}")  # fmt: skip
    print(f"{'sklearn LogisticRegression (C=10)':38}{sk_accuracy:>20.4f}{'':>10}{sk_fit_s:>10.1f}  (fit only)")
    q = statistics.quantiles(timings, n=100)
    print(f"deployed endpoint, {PREDICT_CALLS} single-text calls: p50 {q[49]:.2f} ms, p95 {q[94]:.2f} ms")
    print("targets: job <= 120 s, accuracy >= 0.90, endpoint p50 <= 10 ms")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else HYPERPARAMETERS["epochs"]))
