"""Sentence embeddings + labels in, a softmax classifier head (mini-batch Adam, real epochs and steps) and its
validation metrics out. Pure numpy, no I/O: the job runner calls it one epoch at a time in a worker thread."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
from threadpoolctl import ThreadpoolController

from services.training.domain import VALIDATION_FRACTION

L2 = 1e-5  # a little weight decay (BANKING77: 1e-4 cost 1.5 points of accuracy, 1e-5 matches logistic regression)
BETA1, BETA2, EPS = 0.9, 0.999, 1e-8
_BLAS = ThreadpoolController()


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """Run the head's matrix products on one BLAS thread. Why: a batch is (32 x 384) @ (384 x classes), far too
    small to split, and OpenBLAS's threads busy-wait between calls; on 2 shared cores they fought the encoder and
    every other service for the CPU. BANKING77, 10 epochs of 282 steps: 16.5 CPU s / 43.9 s wall with the default
    2 threads, 0.63 CPU s / 1.35 s wall with one (load average ~11). The limit is process-wide while it lasts
    (8 us to set and undo), so it is held only around the head's own work."""
    with _BLAS.limit(limits=1, user_api="blas"):
        yield


@dataclass
class SoftmaxHead:
    labels: list[str]
    weights: np.ndarray  # (dims, classes)
    bias: np.ndarray  # (classes,)
    # Adam moments and step count travel with the head, so an epoch resumed after a restart continues the same run.
    m: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    v: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    t: int = 0

    @classmethod
    def fresh(cls, labels: Sequence[str], dims: int) -> SoftmaxHead:
        classes = len(labels)
        return cls(list(labels), np.zeros((dims, classes), np.float32), np.zeros(classes, np.float32))

    def warm_start(self, base: SoftmaxHead) -> int:
        """Copy the base head's weights for the labels both share (fine-tuning a previous job); returns how many."""
        shared = [label for label in self.labels if label in base.labels]
        for label in shared:
            self.weights[:, self.labels.index(label)] = base.weights[:, base.labels.index(label)]
            self.bias[self.labels.index(label)] = base.bias[base.labels.index(label)]
        return len(shared)

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        return softmax(x @ self.weights + self.bias)

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        np.savez(buffer, labels=np.array(self.labels), weights=self.weights, bias=self.bias, m=self.m, v=self.v,
                 t=np.array(self.t))  # fmt: skip
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> SoftmaxHead:
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            return cls([str(x) for x in z["labels"]], z["weights"], z["bias"], z["m"], z["v"], int(z["t"]))


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    out: np.ndarray = exp / exp.sum(axis=-1, keepdims=True)
    return out


def gradient(head: SoftmaxHead, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Summed (not averaged) cross-entropy gradient and loss of one batch shard: workers' shards add up exactly."""
    probs = head.probabilities(x)
    loss = float(-np.log(np.clip(probs[np.arange(len(y)), y], 1e-12, None)).sum())
    probs[np.arange(len(y)), y] -= 1.0
    return x.T @ probs, probs.sum(axis=0), loss


def adam_step(head: SoftmaxHead, grad_w: np.ndarray, grad_b: np.ndarray, count: int, lr: float) -> None:
    """One Adam update from a batch's summed gradient over `count` rows (plus L2 on the weights)."""
    grads = np.concatenate([(grad_w / count + L2 * head.weights).ravel(), grad_b / count])
    if head.m.size != grads.size:
        head.m, head.v = np.zeros_like(grads), np.zeros_like(grads)
    head.t += 1
    head.m = BETA1 * head.m + (1 - BETA1) * grads
    head.v = BETA2 * head.v + (1 - BETA2) * grads * grads
    step = lr * (head.m / (1 - BETA1**head.t)) / (np.sqrt(head.v / (1 - BETA2**head.t)) + EPS)
    split = head.weights.size
    head.weights = (head.weights - step[:split].reshape(head.weights.shape)).astype(np.float32)
    head.bias = (head.bias - step[split:]).astype(np.float32)


def batches(rows: int, batch_size: int, epoch: int, seed: int) -> list[np.ndarray]:
    """This epoch's shuffled mini-batches: seeded by (seed, epoch), so a resumed epoch sees the same order."""
    order = np.random.default_rng([seed, epoch]).permutation(rows)
    return [order[i : i + batch_size] for i in range(0, rows, batch_size)]


def train_epoch(
    head: SoftmaxHead,
    x: np.ndarray,
    y: np.ndarray,
    *,
    lr: float,
    batch_size: int,
    epoch: int,
    seed: int,
    total_steps: int | None = None,
    on_step: Callable[[int], bool] | None = None,
    gradient_of: Callable[[SoftmaxHead, np.ndarray], tuple[np.ndarray, np.ndarray, float]] | None = None,
) -> float:
    """Run one epoch; `on_step(step)` after each batch may return False to stop (cancel). Mean train loss.

    With `total_steps` the learning rate decays linearly from `lr` to 0 over the whole job (the step count lives in
    the head, so a resumed job continues the same schedule): +1 point on BANKING77 over a constant rate.
    `gradient_of(head, rows)` replaces the in-process gradient (data-parallel workers, services.training.parallel).
    """
    total = 0.0
    with one_blas_thread():
        for step, index in enumerate(batches(len(y), batch_size, epoch, seed), start=1):
            grad_w, grad_b, loss = gradient_of(head, index) if gradient_of else gradient(head, x[index], y[index])
            rate = lr * max(0.0, 1.0 - head.t / total_steps) if total_steps else lr
            adam_step(head, grad_w, grad_b, len(index), rate)
            total += loss
            if on_step is not None and not on_step(step):
                break
    return total / max(len(y), 1)


@dataclass(frozen=True)
class Evaluation:
    accuracy: float
    macro_f1: float
    loss: float
    confusion: list[list[int]]  # rows: true label, columns: predicted label, in head.labels order


def evaluate(head: SoftmaxHead, x: np.ndarray, y: np.ndarray) -> Evaluation:
    with one_blas_thread():
        probs = head.probabilities(x)
    predicted = probs.argmax(axis=1)
    classes = len(head.labels)
    confusion = np.zeros((classes, classes), np.int64)
    np.add.at(confusion, (y, predicted), 1)
    true_pos = np.diag(confusion).astype(np.float64)
    precision = np.divide(true_pos, confusion.sum(axis=0), out=np.zeros(classes), where=confusion.sum(axis=0) > 0)
    recall = np.divide(true_pos, confusion.sum(axis=1), out=np.zeros(classes), where=confusion.sum(axis=1) > 0)
    denom = precision + recall
    f1 = np.divide(2 * precision * recall, denom, out=np.zeros(classes), where=denom > 0)
    present = confusion.sum(axis=1) > 0  # macro over the labels the validation set holds
    loss = float(-np.log(np.clip(probs[np.arange(len(y)), y], 1e-12, None)).mean()) if len(y) else 0.0
    return Evaluation(
        accuracy=float((predicted == y).mean()) if len(y) else 0.0,
        macro_f1=float(f1[present].mean()) if present.any() else 0.0,
        loss=loss,
        confusion=confusion.tolist(),
    )


def stratified_split(labels: Sequence[str], fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(train, validation) row indices: `fraction` of each label held out (at least one where a label has two rows)."""
    rng = np.random.default_rng(seed)
    by_label: dict[str, list[int]] = {}
    for index, label in enumerate(labels):
        by_label.setdefault(label, []).append(index)
    train: list[int] = []
    held: list[int] = []
    for label in sorted(by_label):
        rows = rng.permutation(by_label[label])
        take = 0 if len(rows) < 2 else max(1, round(len(rows) * fraction))
        held.extend(rows[:take].tolist())
        train.extend(rows[take:].tolist())
    return np.array(sorted(train), np.int64), np.array(sorted(held), np.int64)


@dataclass(frozen=True)
class LabelledSplit:
    """Which rows train and which validate, as indices, with the head's classes (the training labels, sorted)."""

    labels: list[str]
    train: np.ndarray  # indices into the training rows
    y_train: np.ndarray
    val: np.ndarray  # indices into the validation rows, or into the training rows when held out
    y_val: np.ndarray


def split_labelled(labels: Sequence[str], seed: int, validation: Sequence[str] | None = None) -> LabelledSplit:
    """A given validation set (every label of it must be a training label: ValueError naming the others), else a
    stratified VALIDATION_FRACTION held out of the training rows, minus labels no training row keeps."""
    if validation is not None:
        known = sorted(set(labels))
        unknown = sorted(set(validation) - set(known))
        if unknown:
            raise ValueError(f"validation labels not in the training data: {', '.join(unknown[:10])}")
        index = {label: i for i, label in enumerate(known)}
        every, val_rows = np.arange(len(labels)), np.arange(len(validation))
        return LabelledSplit(known, every, np.array([index[lb] for lb in labels], np.int64), val_rows,
                             np.array([index[lb] for lb in validation], np.int64))  # fmt: skip
    train, held = stratified_split(labels, VALIDATION_FRACTION, seed)
    known = sorted(set(labels[i] for i in train))
    index = {label: i for i, label in enumerate(known)}
    y = np.array([index.get(lb, -1) for lb in labels], np.int64)
    held = held[y[held] >= 0]
    return LabelledSplit(known, train, y[train], held, y[held])
