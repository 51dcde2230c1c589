"""Micro-batched anonymization: (text, keep_mapping) requests in; one worker-thread call per batch out, each
request answered with its own AnonymizeResult.

Why: under load many Anonymize commands are in flight at once (the consumer runs different keys concurrently).
spaCy tags texts passed together (`nlp.pipe`) for 25-45 % less CPU each than one call per text, and one thread
hop per batch replaces one per message. Nothing waits to fill a batch: a request arriving while no batch runs
starts one at once (an idle service answers as fast as before); those arriving while one runs form the next."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from presidio_analyzer import AnalyzerEngine

from services.privacy.domain import AnonymizeResult, anonymize_detections
from services.privacy.pii import detect_many

AnalyzerProvider = Callable[[], AnalyzerEngine]


@dataclass(frozen=True, slots=True)
class _Request:
    text: str
    keep_mapping: bool
    answer: asyncio.Future[AnonymizeResult]


def anonymize_many(items: list[tuple[str, bool]], analyzer: AnalyzerProvider) -> list[AnonymizeResult]:
    """Detect and replace for every (text, keep_mapping), texts already validated: the CPU-bound part."""
    found = detect_many([text for text, _ in items], analyzer())
    return [
        anonymize_detections(text, detections, keep_mapping=keep)
        for (text, keep), detections in zip(items, found, strict=True)
    ]


class AnonymizeBatcher:
    """One batch in a worker thread at a time; at most `max_batch` texts and (beyond the first) `max_chars`
    characters per batch, so a long text does not hold many short ones back."""

    def __init__(self, analyzer: AnalyzerProvider, *, max_batch: int = 32, max_chars: int = 20_000) -> None:
        self._analyzer = analyzer
        self._max_batch = max_batch
        self._max_chars = max_chars
        self._queue: deque[_Request] = deque()
        self._worker: asyncio.Task[None] | None = None
        self.batches = 0  # batches run so far (for tests and figures)

    async def anonymize(self, text: str, keep_mapping: bool) -> AnonymizeResult:
        answer: asyncio.Future[AnonymizeResult] = asyncio.get_running_loop().create_future()
        self._queue.append(_Request(text, keep_mapping, answer))
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._drain())
        return await answer

    async def _drain(self) -> None:
        while self._queue:
            batch = self._take()
            if not batch:
                continue
            self.batches += 1
            try:
                results = await asyncio.to_thread(
                    anonymize_many, [(r.text, r.keep_mapping) for r in batch], self._analyzer
                )
            except Exception as exc:  # handed to every waiting handler, which raises it in its consumer loop
                for request in batch:
                    if not request.answer.done():
                        request.answer.set_exception(exc)
                continue
            for request, result in zip(batch, results, strict=True):
                if not request.answer.done():  # its handler may have been cancelled meanwhile
                    request.answer.set_result(result)

    def _take(self) -> list[_Request]:
        batch: list[_Request] = []
        chars = 0
        while self._queue and len(batch) < self._max_batch:
            request = self._queue[0]
            if batch and chars + len(request.text) > self._max_chars:
                break
            self._queue.popleft()
            if not request.answer.done():  # a cancelled request is not worth tagging
                batch.append(request)
                chars += len(request.text)
        return batch
