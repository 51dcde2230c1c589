"""Passage text in, sentences and their cached MiniLM vectors out (each passage embedded once per process)."""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Protocol

import numpy as np

_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])|\n\s*\n|\n(?=\s*(?:[-*•]|\d+[.)])\s)")
_TOKEN = re.compile(r"\w+|[^\w\s]")
_MIN_CHARS = 12
EMBEDDING_DIM = 384
_MAX_CHARS = 400


class Encoder(Protocol):
    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


def count_tokens(text: str) -> int:
    """Word pieces and punctuation; close to BPE counts for English and needs no tokenizer download."""
    return len(_TOKEN.findall(text))


def split_sentences(text: str) -> list[str]:
    """Sentences worth quoting: fragments too short to stand alone are dropped, run-ons are cut at a word."""
    out = []
    for raw in _SPLIT.split(text):
        sentence = " ".join(raw.split())
        if len(sentence) < _MIN_CHARS:
            continue
        if len(sentence) > _MAX_CHARS:
            sentence = sentence[:_MAX_CHARS].rsplit(" ", 1)[0] + "…"
        out.append(sentence)
    return out


class SentenceCache:
    """LRU map passage content → (sentences, unit vectors); misses of one call are embedded in one batch."""

    def __init__(self, encoder: Encoder, max_passages: int = 20_000) -> None:
        self._encoder = encoder
        self._max = max_passages
        self._items: OrderedDict[bytes, tuple[list[str], np.ndarray]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _key(content: str) -> bytes:
        return hashlib.blake2b(content.encode("utf-8"), digest_size=16).digest()

    def get_many(
        self, contents: Sequence[str], also: Sequence[str] = ()
    ) -> tuple[list[tuple[list[str], np.ndarray]], np.ndarray]:
        """(sentences and vectors per passage, vectors of `also`): every miss and `also` in ONE encoder call.

        Why one call: the caller's query (`also`) and the sentences of uncached passages then share a single
        model run instead of paying the per-call overhead twice.
        """
        keys = [self._key(c) for c in contents]
        with self._lock:
            found = {k: self._items[k] for k in keys if k in self._items}
            for k in found:
                self._items.move_to_end(k)
        missing = {k: c for k, c in zip(keys, contents, strict=True) if k not in found}
        split = {k: split_sentences(c) for k, c in missing.items()}
        flat = [s for sentences in split.values() for s in sentences]
        texts = [*flat, *also]
        vectors = self._encoder.encode(texts) if texts else np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
        if split:
            found.update(self._store(split, vectors[: len(flat)]))
        return [found[k] for k in keys], vectors[len(flat) :]

    def warm(self, contents: Sequence[str]) -> None:
        """Precompute (e.g. at indexing time) so a customer question pays only for its own embedding."""
        self.get_many(contents)

    def clear(self) -> None:
        """Forget every passage (a cold start; benchmarks use it to measure the uncached path)."""
        with self._lock:
            self._items.clear()

    def _store(self, split: dict[bytes, list[str]], vectors: np.ndarray) -> dict[bytes, tuple[list[str], np.ndarray]]:
        entries: dict[bytes, tuple[list[str], np.ndarray]] = {}
        start = 0
        for k, sentences in split.items():
            entries[k] = (sentences, vectors[start : start + len(sentences)])
            start += len(sentences)
        with self._lock:
            self._items.update(entries)
            while len(self._items) > self._max:
                self._items.popitem(last=False)
        return entries
