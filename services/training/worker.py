"""python -m services.training.worker --job-id ID --workers N: one pod of a data-parallel training Job (the indexed
Kubernetes Job of kubernetes.training_job_manifest; JOB_COMPLETION_INDEX, set by the Job controller, says which).

Worker i embeds its shard of the staged training rows (every N-th row of a seeded permutation), then trains the
softmax head one epoch at a time on that shard and writes its head after each epoch to the job exchange; every
worker then averages the N heads of that epoch (weights and Adam moments: model averaging, the synchronisation
point) and goes on from the average, so all workers hold the same head at each epoch boundary. Worker 0 measures
the averaged head on the validation rows after each epoch and, at the end, writes the trained head and its figures,
which the training service registers once the Job is Complete.

Exits 0 when its part is done, 1 when the job cannot go on (the reason goes to errors/<i>.txt for the service),
2 on a malformed invocation. A restarted pod (backoffLimitPerIndex) resumes after the last epoch all workers wrote.
"""

from __future__ import annotations

import argparse
import io
import math
import os
import sys
import time
from collections.abc import Sequence

import numpy as np

from libs.embeddings import get_encoder
from services.training.exchange import Exchange
from services.training.head import SoftmaxHead, evaluate, train_epoch
from services.training.settings import TrainingSettings
from services.training.staging import TrainedModel, WorkerProgress, WorkerSpec, key, parse_rows, read_progress
from services.training.vectors import EMBED_CHUNK, Encoder

POLL_S = 0.2


class WorkerFailed(Exception):
    """Why this worker cannot finish its part: exit 1 with the message."""


def shard_of(rows: int, index: int, workers: int, seed: int) -> np.ndarray:
    """Row indices of worker `index`: every `workers`-th row of a permutation seeded by the job (disjoint, covering)."""
    return np.sort(np.random.default_rng([seed, 1]).permutation(rows)[index::workers])


def average(heads: Sequence[SoftmaxHead]) -> SoftmaxHead:
    """The mean head (and mean Adam moments, so the optimizer's state is averaged with the weights)."""
    first = heads[0]
    mean = lambda arrays: np.mean(np.stack(arrays), axis=0).astype(np.float32)  # noqa: E731
    return SoftmaxHead(
        first.labels, mean([h.weights for h in heads]), mean([h.bias for h in heads]),
        mean([h.m for h in heads]), mean([h.v for h in heads]), max(h.t for h in heads),
    )  # fmt: skip


class Worker:
    def __init__(
        self, exchange: Exchange, job_id: str, index: int, workers: int, encoder: Encoder, peer_timeout_s: float
    ) -> None:  # fmt: skip
        if not 0 <= index < workers:
            raise WorkerFailed(f"JOB_COMPLETION_INDEX {index} is outside 0..{workers - 1}")
        self.exchange, self.job_id, self.index, self.workers = exchange, job_id, index, workers
        self.encoder = encoder
        self.peer_timeout_s = peer_timeout_s
        spec = self._wait(key(job_id, "spec.json"), "the staged job")
        self.spec = WorkerSpec.model_validate_json(spec)
        if self.spec.workers != workers:
            raise WorkerFailed(f"--workers {workers} but the job was staged for {self.spec.workers}")

    def _wait(self, name: str, what: str) -> bytes:
        """A file another party writes; WorkerFailed when it does not come within peer_timeout_s."""
        deadline = time.monotonic() + self.peer_timeout_s
        while (data := self.exchange.get(name)) is None:
            if time.monotonic() > deadline:
                raise WorkerFailed(f"{what} ({name}) did not appear within {self.peer_timeout_s:.0f} s")
            time.sleep(POLL_S)
        return data

    def _embed(self, name: str, texts: list[str]) -> np.ndarray:
        """Vectors of `texts`, cached in the exchange under `name` (a restarted pod skips the encoder)."""
        cached = self.exchange.get(name)
        if cached is not None:
            return np.load(io.BytesIO(cached), allow_pickle=False)
        chunks = [self.encoder.encode(texts[i : i + EMBED_CHUNK]) for i in range(0, len(texts), EMBED_CHUNK)]
        vectors = np.concatenate(chunks).astype(np.float32) if chunks else np.zeros((0, self.encoder.dim), np.float32)
        buffer = io.BytesIO()
        np.save(buffer, vectors, allow_pickle=False)
        self.exchange.put(name, buffer.getvalue())
        return vectors

    def _epoch_heads(self, epoch: int) -> list[bytes] | None:
        found = [self.exchange.get(key(self.job_id, "epochs", str(epoch), f"{i}.npz")) for i in range(self.workers)]
        return None if any(f is None for f in found) else [f for f in found if f is not None]

    def _resume(self) -> tuple[SoftmaxHead, int]:
        """The averaged head after the last epoch every worker wrote (a restarted pod), else the staged head."""
        for epoch in range(self.spec.hyperparameters.epochs, 0, -1):
            heads = self._epoch_heads(epoch)
            if heads is not None:
                return average([SoftmaxHead.from_bytes(h) for h in heads]), epoch + 1
        return SoftmaxHead.from_bytes(self._wait(key(self.job_id, "init.npz"), "the initial head")), 1

    def _averaged(self, epoch: int) -> SoftmaxHead:
        names = [key(self.job_id, "epochs", str(epoch), f"{i}.npz") for i in range(self.workers)]
        return average([SoftmaxHead.from_bytes(self._wait(n, f"epoch {epoch} of a peer worker")) for n in names])

    def run(self) -> None:
        texts, y = parse_rows(self._wait(key(self.job_id, "train.jsonl"), "the training rows"))
        mine = shard_of(len(y), self.index, self.workers, self.spec.seed)
        x = self._embed(key(self.job_id, "shards", f"{self.index}.npy"), [texts[i] for i in mine])
        y = y[mine]
        validation = self._validation() if self.index == 0 else None
        hp = self.spec.hyperparameters
        # The same schedule length on every worker (shards differ by at most a row), so averaged heads decay alike.
        per_epoch = math.ceil(math.ceil(len(texts) / self.workers) / hp.batch_size)
        head, first = self._resume()
        # Averaging N heads that each took an epoch's Adam steps on 1/N of the rows moves about as far as one of
        # them: the step grows with sqrt(N) (the square-root scaling rule for Adam). BANKING77, 10 epochs, lr 0.02,
        # validation accuracy with 1/2/4 workers: 0.9133/0.9103/0.8953 unscaled, 0.9133/0.9133/0.9103 with sqrt(N)
        # (and 0.9202/0.9192 with N: further from the one-worker run the issue compares against).
        lr = hp.learning_rate * math.sqrt(self.workers)
        for epoch in range(first, hp.epochs + 1):
            loss = train_epoch(head, x, y, lr=lr, batch_size=hp.batch_size, epoch=epoch,
                               seed=self.spec.seed * 1000 + self.index, total_steps=hp.epochs * per_epoch)  # fmt: skip
            self._progress(WorkerProgress(index=self.index, epoch=epoch, steps=head.t, train_loss=loss))
            self.exchange.put(key(self.job_id, "epochs", str(epoch), f"{self.index}.npz"), head.to_bytes())
            if self.index != 0 and epoch == hp.epochs:
                return  # worker 0 averages the last epoch and writes the model
            head = self._averaged(epoch)
            if validation is not None:
                found = evaluate(head, *validation)
                self._progress(
                    WorkerProgress(
                        index=0,
                        epoch=epoch,
                        steps=head.t,
                        train_loss=loss,
                        validation_accuracy=found.accuracy,
                        validation_macro_f1=found.macro_f1,
                    )
                )
        if validation is not None:
            self._write_model(head, validation, len(texts))

    def _validation(self) -> tuple[np.ndarray, np.ndarray]:
        texts, y = parse_rows(self._wait(key(self.job_id, "validation.jsonl"), "the validation rows"))
        return self._embed(key(self.job_id, "shards", "validation.npy"), texts), y

    def _progress(self, progress: WorkerProgress) -> None:
        self.exchange.put(key(self.job_id, "progress", f"{self.index}.json"), progress.model_dump_json().encode())

    def _write_model(self, head: SoftmaxHead, validation: tuple[np.ndarray, np.ndarray], train_rows: int) -> None:
        """The final head and its card; the train loss is the mean over the workers' last epochs."""
        result = evaluate(head, *validation)
        losses = [p.train_loss for p in read_progress(self.exchange, self.job_id, self.workers)]
        metrics = {"accuracy": result.accuracy, "macro_f1": result.macro_f1, "validation_loss": result.loss,
                   "train_loss": float(np.mean(losses)), "validation_rows": float(len(validation[1])),
                   "train_rows": float(train_rows)}  # fmt: skip
        card = TrainedModel(metrics=metrics, confusion_matrix=result.confusion, encoder=self.encoder.model_id,
                            workers=self.workers)  # fmt: skip
        self.exchange.put(key(self.job_id, "model", "head.npz"), head.to_bytes())
        self.exchange.put(key(self.job_id, "model", "model.json"), card.model_dump_json().encode())


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m services.training.worker")
    parser.add_argument("--job-id", required=True)
    parser.add_argument("--workers", type=int, required=True, help="the Job's completions")
    parser.add_argument("--peer-timeout-s", type=float, default=1800.0,
                        help="how long to wait for the staged job and for each peer's epoch")  # fmt: skip
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)  # argparse exits 2 on a malformed invocation
    index_env = os.environ.get("JOB_COMPLETION_INDEX", "")
    if not index_env.isdigit():
        print("JOB_COMPLETION_INDEX is not set: run as a pod of an Indexed Job", file=sys.stderr)
        return 2
    index = int(index_env)
    exchange = TrainingSettings().exchange()
    if exchange is None:
        print("SWITCHBOARD_TRAINING_EXCHANGE_URI is not set: the worker has nowhere to read its job", file=sys.stderr)
        return 2
    try:
        Worker(exchange, args.job_id, index, args.workers, get_encoder(), args.peer_timeout_s).run()
    except WorkerFailed as exc:
        exchange.put(key(args.job_id, "errors", f"{index}.txt"), str(exc).encode())
        print(f"worker {index} failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
