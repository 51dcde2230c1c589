"""The indexed Job's worker (services.training.worker.Worker) in-process, its peers as threads, on a file://
exchange: shards cover the rows once, N workers reach the accuracy of one (± 1 point) through per-epoch model
averaging, and a restarted worker resumes after the last epoch all workers wrote. The vectors come from a text →
vector table (overlapping blobs, hard enough that the accuracy is not 1.0): the worker, not the encoder, is under test.
The subprocess runs with the Job's own args and env are in tests/unit/training_api/test_kubernetes_pods.py."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from services.training.domain import Hyperparameters
from services.training.exchange import DirExchange
from services.training.head import SoftmaxHead
from services.training.staging import TrainedModel, WorkerSpec, key, read_model, stage
from services.training.worker import Worker, WorkerFailed, shard_of
from tests.unit.training.test_head import blobs

LABELS = [f"label_{i}" for i in range(6)]


class TableEncoder:
    dim, model_id = 16, "table"

    def __init__(self, table: dict[str, np.ndarray]) -> None:
        self.table = table

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return np.stack([self.table[t] for t in texts])


def staged(root: Path, workers: int) -> tuple[DirExchange, TableEncoder]:
    x, y = blobs(rows_per_class=120, dims=16, classes=len(LABELS), seed=3)
    x = x + np.random.default_rng(4).normal(scale=0.35, size=x.shape).astype(np.float32)  # classes overlap
    texts = [f"row {i}" for i in range(len(y))]
    held = np.arange(len(y)) % 5 == 0
    exchange = DirExchange(root)
    hp = Hyperparameters(learning_rate=0.05, epochs=6, batch_size=16)
    spec = WorkerSpec(job_id="job", workers=workers, seed=7, labels=LABELS, dataset_sha256="sha",
                      validation_split="given", hyperparameters=hp)  # fmt: skip
    train = ([t for t, h in zip(texts, held, strict=True) if not h], y[~held])
    validation = ([t for t, h in zip(texts, held, strict=True) if h], y[held])
    stage(exchange, spec, train, validation, SoftmaxHead.fresh(LABELS, 16).to_bytes())
    return exchange, TableEncoder(dict(zip(texts, x, strict=True)))


def run_all(exchange: DirExchange, encoder: TableEncoder, workers: int) -> TrainedModel:
    failures: list[BaseException] = []

    def one(index: int) -> None:
        try:
            Worker(exchange, "job", index, workers, encoder, peer_timeout_s=60).run()
        except BaseException as exc:  # a thread's failure must fail the test
            failures.append(exc)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not failures, failures
    found = read_model(exchange, "job")
    assert found is not None
    return found[1]


def test_shards_cover_every_row_once() -> None:
    shards = [shard_of(101, i, 4, seed=7) for i in range(4)]
    assert sorted(np.concatenate(shards).tolist()) == list(range(101))
    assert {len(s) for s in shards} == {25, 26}


@pytest.mark.parametrize("workers", [2, 4])
def test_n_workers_reach_the_accuracy_of_one(tmp_path: Path, workers: int) -> None:
    alone = run_all(*staged(tmp_path / "one", 1), 1)
    together = run_all(*staged(tmp_path / "many", workers), workers)
    assert 0.6 < alone.metrics["accuracy"] < 1.0  # a task where a worse head would show
    assert abs(together.metrics["accuracy"] - alone.metrics["accuracy"]) <= 0.01, (alone.metrics, together.metrics)
    assert together.workers == workers and sum(map(sum, together.confusion_matrix)) == 144


def test_a_restarted_worker_resumes_after_the_last_shared_epoch(tmp_path: Path) -> None:
    exchange, encoder = staged(tmp_path, 2)
    first = run_all(exchange, encoder, 2)
    head = exchange.get(key("job", "model", "head.npz"))
    (tmp_path / key("job", "model", "head.npz")).unlink()
    for epoch in (5, 6):  # worker 1's last two epochs are lost; worker 0 restarts and must wait for them again
        (tmp_path / key("job", "epochs", str(epoch), "1.npz")).unlink()
    again = run_all(exchange, encoder, 2)  # both pods restarted: they resume after epoch 4, the last complete one
    assert again.metrics == first.metrics and exchange.get(key("job", "model", "head.npz")) == head


def test_a_worker_outside_the_jobs_indexes_or_count_refuses(tmp_path: Path) -> None:
    exchange, encoder = staged(tmp_path, 2)
    with pytest.raises(WorkerFailed, match=r"outside 0\.\.1"):
        Worker(exchange, "job", 2, 2, encoder, peer_timeout_s=1)
    with pytest.raises(WorkerFailed, match="staged for 2"):
        Worker(exchange, "job", 0, 3, encoder, peer_timeout_s=1)
    with pytest.raises(WorkerFailed, match="did not appear within 0 s"):
        Worker(DirExchange(tmp_path / "empty"), "job", 0, 2, encoder, peer_timeout_s=0.3)
