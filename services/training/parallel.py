"""Data-parallel gradient workers for `instance_count` > 1 on the local backend: the training matrix in shared
memory, each worker process computing the summed gradient of its shard of every batch; the parent adds the
shards' gradients (gradient averaging over the whole batch) and takes the optimizer step.

Summing per-shard gradients equals the one-process gradient of the batch up to float rounding, so N workers train
the same model as one (the issue's "same validation accuracy ± 1 point"); what they buy is the batch's matrix work
spread over cores.
"""

from __future__ import annotations

import contextlib
import multiprocessing
from multiprocessing.connection import Connection
from multiprocessing.shared_memory import SharedMemory

import numpy as np

from services.training.head import SoftmaxHead, gradient, one_blas_thread

Gradient = tuple[np.ndarray, np.ndarray, float]


def _worker(conn: Connection, shm_name: str, shape: tuple[int, ...], dtype: str, y: np.ndarray) -> None:
    """Worker process: attach the shared matrix, answer (weights, bias, rows) with that shard's gradient."""
    shm = SharedMemory(name=shm_name)
    try:
        x = np.ndarray(shape, dtype=dtype, buffer=shm.buf)
        while (message := conn.recv()) is not None:
            weights, bias, rows = message
            with one_blas_thread():  # a shard of a batch is smaller still (see head.one_blas_thread)
                conn.send(gradient(SoftmaxHead([], weights, bias), x[rows], y[rows]))
    finally:
        shm.close()


class GradientWorkers:
    """`count` worker processes over one training matrix; `close()` stops them and frees the shared memory."""

    def __init__(self, x: np.ndarray, y: np.ndarray, count: int) -> None:
        # spawn, not fork: the parent runs an event loop and ONNX Runtime threads that a fork would copy mid-flight.
        context = multiprocessing.get_context("spawn")
        x = np.ascontiguousarray(x, dtype=np.float32)
        self._shm = SharedMemory(create=True, size=max(x.nbytes, 1))
        np.ndarray(x.shape, dtype=x.dtype, buffer=self._shm.buf)[:] = x
        self._pipes: list[Connection] = []
        self._processes: list[multiprocessing.process.BaseProcess] = []
        for _ in range(count):
            parent, child = context.Pipe()
            process = context.Process(
                target=_worker, args=(child, self._shm.name, x.shape, str(x.dtype), y), daemon=True
            )
            process.start()
            child.close()
            self._pipes.append(parent)
            self._processes.append(process)

    @property
    def count(self) -> int:
        return len(self._pipes)

    def gradient(self, head: SoftmaxHead, rows: np.ndarray) -> Gradient:
        """The batch's summed gradient and loss, each worker taking an equal share of its rows."""
        shards = np.array_split(rows, len(self._pipes))
        for pipe, shard in zip(self._pipes, shards, strict=True):
            pipe.send((head.weights, head.bias, shard))
        parts: list[Gradient] = [pipe.recv() for pipe in self._pipes]
        grad_w = np.sum([p[0] for p in parts], axis=0)
        grad_b = np.sum([p[1] for p in parts], axis=0)
        return grad_w, grad_b, float(sum(p[2] for p in parts))

    def close(self) -> None:
        for pipe in self._pipes:
            with contextlib.suppress(BrokenPipeError, OSError):  # that worker is already gone
                pipe.send(None)
        for process in self._processes:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
        self._shm.close()
        self._shm.unlink()
