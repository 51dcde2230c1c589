"""The softmax head: exact gradients, learning, resumable epochs, stratified split and validation metrics."""

from __future__ import annotations

import numpy as np

from services.training.head import SoftmaxHead, evaluate, gradient, stratified_split, train_epoch


def blobs(rows_per_class: int = 30, dims: int = 16, classes: int = 3, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centers = rng.normal(size=(classes, dims)) * 3
    y = np.repeat(np.arange(classes), rows_per_class)
    x = centers[y] + rng.normal(size=(len(y), dims))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32), y


def test_gradient_matches_finite_differences() -> None:
    x, y = blobs(5, 4, 3)
    head = SoftmaxHead(["a", "b", "c"], np.random.default_rng(1).normal(size=(4, 3)), np.zeros(3))
    grad_w, _, loss = gradient(head, x.astype(np.float64), y)
    eps = 1e-6
    head.weights[2, 1] += eps
    _, _, loss_up = gradient(head, x.astype(np.float64), y)
    assert abs((loss_up - loss) / eps - grad_w[2, 1]) < 1e-3


def test_training_separates_blobs() -> None:
    x, y = blobs()
    head = SoftmaxHead.fresh(["a", "b", "c"], x.shape[1])
    losses = [train_epoch(head, x, y, lr=0.05, batch_size=8, epoch=e, seed=0) for e in range(1, 11)]
    assert losses[-1] < losses[0] < np.log(3) + 1e-6
    assert evaluate(head, x, y).accuracy == 1.0


def test_a_resumed_epoch_continues_the_same_run() -> None:
    """Epoch order is seeded by (seed, epoch) and Adam state travels with the checkpoint: resume == uninterrupted."""
    x, y = blobs()
    straight = SoftmaxHead.fresh(["a", "b", "c"], x.shape[1])
    for epoch in (1, 2):
        train_epoch(straight, x, y, lr=0.05, batch_size=8, epoch=epoch, seed=3)
    interrupted = SoftmaxHead.fresh(["a", "b", "c"], x.shape[1])
    train_epoch(interrupted, x, y, lr=0.05, batch_size=8, epoch=1, seed=3)
    resumed = SoftmaxHead.from_bytes(interrupted.to_bytes())
    train_epoch(resumed, x, y, lr=0.05, batch_size=8, epoch=2, seed=3)
    np.testing.assert_array_equal(resumed.weights, straight.weights)


def test_on_step_false_stops_the_epoch() -> None:
    x, y = blobs()
    head = SoftmaxHead.fresh(["a", "b", "c"], x.shape[1])
    seen: list[int] = []
    train_epoch(head, x, y, lr=0.05, batch_size=8, epoch=1, seed=0, on_step=lambda s: seen.append(s) or s < 3)
    assert seen == [1, 2, 3] and head.t == 3


def test_stratified_split_holds_out_a_tenth_of_each_label() -> None:
    labels = ["a"] * 50 + ["b"] * 20 + ["c"] * 1
    train, held = stratified_split(labels, 0.1, seed=0)
    held_labels = sorted(labels[i] for i in held)
    assert held_labels == ["a"] * 5 + ["b"] * 2  # a one-row label stays in training
    assert sorted([*train, *held]) == list(range(len(labels)))


def test_metrics_from_a_known_confusion() -> None:
    head = SoftmaxHead(["a", "b"], np.eye(2, dtype=np.float32) * 10, np.zeros(2, np.float32))
    x = np.array([[1, 0], [1, 0], [0, 1], [1, 0]], np.float32)  # predicted a, a, b, a
    y = np.array([0, 0, 1, 1])  # true a, a, b, b
    result = evaluate(head, x, y)
    assert result.accuracy == 0.75
    assert result.confusion == [[2, 0], [1, 1]]
    # F1(a) = 2·(2/3·1)/(2/3+1) = 0.8, F1(b) = 2·(1·0.5)/1.5 = 2/3
    assert abs(result.macro_f1 - (0.8 + 2 / 3) / 2) < 1e-9


def test_warm_start_copies_shared_labels() -> None:
    base = SoftmaxHead(["a", "b"], np.array([[1.0, 2.0]], np.float32), np.array([0.5, 0.25], np.float32))
    head = SoftmaxHead.fresh(["b", "c"], 1)
    assert head.warm_start(base) == 1
    assert head.weights[0, 0] == 2.0 and head.bias[0] == 0.25 and head.weights[0, 1] == 0.0
