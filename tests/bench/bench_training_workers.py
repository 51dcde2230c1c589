"""The kubernetes backend's data-parallel workers on BANKING77: the real worker code (services.training.worker.Worker,
per-epoch model averaging through a file:// exchange) with 1, 2 and 4 workers as threads instead of pods, against
the issue's "N workers give the validation accuracy of 1, ± 1 point". The MiniLM vectors are computed once (about
26 CPU s on 2 cores) and served to the workers by text, so the figure is the training's, not the encoder's.

Run: python -m tests.bench.bench_training_workers [WORKERS ...]   (default 1 2 4)
"""

from __future__ import annotations

import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from libs.embeddings import get_encoder
from services.training.domain import Hyperparameters
from services.training.exchange import DirExchange
from services.training.head import SoftmaxHead
from services.training.staging import WorkerSpec, read_model, stage
from services.training.worker import Worker
from tests.bench.bench_training import DATA, HYPERPARAMETERS, split_rows


class Table:
    """The encoder's vectors, looked up by text (computed once for every run)."""

    def __init__(self, texts: list[str]) -> None:
        encoder = get_encoder()
        self.dim, self.model_id = encoder.dim, encoder.model_id
        vectors = np.concatenate([encoder.encode(texts[i : i + 128]) for i in range(0, len(texts), 128)])
        self.vectors = dict(zip(texts, vectors, strict=True))

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return np.stack([self.vectors[t] for t in texts])


def run(workers: int, table: Table) -> tuple[float, float, float]:
    train, held = split_rows()
    labels = sorted({label for _, label in train})
    index = {label: i for i, label in enumerate(labels)}
    with tempfile.TemporaryDirectory() as tmp:
        exchange = DirExchange(Path(tmp))
        spec = WorkerSpec(job_id="bench", workers=workers, seed=0, labels=labels, dataset_sha256="banking77",
                          validation_split="given", hyperparameters=Hyperparameters(**HYPERPARAMETERS))  # fmt: skip
        rows = [([t for t, _ in part], np.array([index[lb] for _, lb in part])) for part in (train, held)]
        stage(exchange, spec, rows[0], rows[1], SoftmaxHead.fresh(labels, table.dim).to_bytes())
        started = time.perf_counter()
        threads = [threading.Thread(target=Worker(exchange, "bench", i, workers, table, 600).run) for i in
                   range(workers)]  # fmt: skip
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        found = read_model(exchange, "bench")
        assert found is not None, "worker 0 wrote no model"
        return found[1].metrics["accuracy"], found[1].metrics["macro_f1"], time.perf_counter() - started


def main(counts: list[int]) -> None:
    if not DATA.exists():
        print(f"bench_training_workers: skipped, {DATA} absent (needs ../shared/data)")
        return
    train, held = split_rows()
    table = Table([t for t, _ in train + held])
    print(f"BANKING77: {len(train)} train / {len(held)} validation rows; {HYPERPARAMETERS}")
    for workers in counts:
        accuracy, macro_f1, seconds = run(workers, table)
        print(f"{workers} worker(s): validation accuracy {accuracy:.4f}, macro-F1 {macro_f1:.4f}, {seconds:.1f} s")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1, 2, 4])
