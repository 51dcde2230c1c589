"""Data-parallel gradient workers (real worker processes): the summed shard gradients equal the one-process
gradient, so 2 workers train the same head as 1."""

from __future__ import annotations

import numpy as np

from services.training.head import SoftmaxHead, evaluate, gradient, train_epoch
from services.training.parallel import GradientWorkers
from tests.unit.training.test_head import blobs


def test_two_workers_train_the_same_head_as_one() -> None:
    x, y = blobs(rows_per_class=40)
    alone = SoftmaxHead.fresh(["a", "b", "c"], x.shape[1])
    shared = SoftmaxHead.fresh(["a", "b", "c"], x.shape[1])
    workers = GradientWorkers(x, y, 2)
    try:
        rows = np.arange(len(y))
        expected = gradient(alone, x, y)
        got = workers.gradient(alone, rows)
        np.testing.assert_allclose(got[0], expected[0], rtol=1e-5, atol=1e-6)
        assert abs(got[2] - expected[2]) < 1e-6 * len(y)
        for epoch in (1, 2, 3):
            train_epoch(alone, x, y, lr=0.05, batch_size=16, epoch=epoch, seed=1, total_steps=24)
            train_epoch(shared, x, y, lr=0.05, batch_size=16, epoch=epoch, seed=1, total_steps=24,
                        gradient_of=workers.gradient)  # fmt: skip
    finally:
        workers.close()
    np.testing.assert_allclose(shared.weights, alone.weights, atol=1e-4)
    assert evaluate(shared, x, y).accuracy == evaluate(alone, x, y).accuracy


def test_a_shard_may_be_empty() -> None:
    x, y = blobs(rows_per_class=2)
    workers = GradientWorkers(x, y, 3)
    try:
        head = SoftmaxHead.fresh(["a", "b", "c"], x.shape[1])
        grad_w, grad_b, loss = workers.gradient(head, np.array([0, 1]))  # third worker gets no rows
        expected = gradient(head, x[[0, 1]], y[[0, 1]])
        np.testing.assert_allclose(grad_w, expected[0], atol=1e-6)
        np.testing.assert_allclose(grad_b, expected[1], atol=1e-6)
        assert abs(loss - expected[2]) < 1e-6
    finally:
        workers.close()
