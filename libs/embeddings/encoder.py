"""MiniLM sentence encoder: texts (or their word-piece ids) in, mean-pooled unit vectors out, on int8 ONNX."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

from libs.embeddings.model_file import encoder_model, packaged_model_dir

EMBEDDING_DIM = 384
MODEL_ID = "all-MiniLM-L6-v2-onnx-int8"
# Graph optimizations every session running a MiniLM graph switches off: ONNX Runtime's fused SkipLayerNormalization
# CPU kernel (1.32) is slower than the Add, Add and LayerNormalization it replaces (5-8 % of a forward pass here;
# 7 % of a 64-text batch of the sentiment model).
UNFUSED = ["SkipLayerNormFusion"]
MAX_TOKENS = 256  # the model was trained on 256-token windows; longer input is truncated


def tokenizer_path() -> Path:
    """The model's own tokenizer.json (also used to count chunk sizes in model tokens)."""
    return packaged_model_dir() / "tokenizer.json"


def default_threads() -> int:
    """SWITCHBOARD_ONNX_THREADS, else one intra-op thread per core this process may use, at most 4."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return int(os.environ.get("SWITCHBOARD_ONNX_THREADS", "0")) or min(4, cores)


def spin_wanted() -> bool:
    """SWITCHBOARD_ONNX_SPIN=1: idle intra-op threads busy-wait for the next operator (see `minilm_session`)."""
    return os.environ.get("SWITCHBOARD_ONNX_SPIN", "0") == "1"


def minilm_session(path: Path, threads: int | None = None, spin: bool | None = None) -> ort.InferenceSession:
    """A session for a MiniLM graph (this encoder's or the sentiment model's): full graph optimisation except
    `UNFUSED`, `threads` intra-op threads (default `default_threads()`), spin-waiting only if `spin` (default
    `spin_wanted()`).

    Why no spinning by default: every service of the platform shares the same few cores, and under that contention
    spinning threads steal the CPU the running op needs (measured on 2 shared cores: a 13-token query took 14.5 ms
    with spinning vs 7.1 ms without). Spinning pays only where a process has its cores to itself.
    """
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads or default_threads()
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    flag = "1" if (spin_wanted() if spin is None else spin) else "0"
    options.add_session_config_entry("session.intra_op.allow_spinning", flag)
    options.add_session_config_entry("session.inter_op.allow_spinning", flag)
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"], disabled_optimizers=UNFUSED)


class SentenceEncoder:
    """Thread-safe encoder; one instance per process (see `get_encoder`).

    Every text runs through the model on its own, never padded into a batch: the int8 graph quantizes each
    activation tensor with one range, so a text batched with others would get a vector that depends on its batch
    mates (cosine ≈ 0.99 to its own). Alone, a text always gets the same vector, and no time goes on padding.
    """

    def __init__(self, model_path: Path | None = None, tokenizer_file: Path | None = None, threads: int | None = None):
        model_path = model_path or encoder_model()
        self._session = minilm_session(model_path, threads)
        lanes = threads or default_threads()
        self._lanes = ThreadPoolExecutor(lanes, thread_name_prefix="encoder") if lanes > 1 else None  # start on use
        self.model_file = model_path.stem  # names the weights and graph recipe: keys caches of computed vectors
        self._tokenizer = Tokenizer.from_file(str(tokenizer_file or tokenizer_path()))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.no_padding()
        cls, sep = self._tokenizer.token_to_id("[CLS]"), self._tokenizer.token_to_id("[SEP]")
        if cls is None or sep is None:
            raise RuntimeError("the tokenizer has no [CLS]/[SEP] tokens: not a BERT-style tokenizer")
        self._cls, self._sep = cls, sep
        self.dim = EMBEDDING_DIM
        self.model_id = MODEL_ID

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length float32 embeddings, shape (len(texts), 384); similar meaning → high dot product."""
        if len(texts) == 1:  # a query: skip the batch tokenizer
            return self._pooled([self._tokenizer.encode(texts[0]).ids])
        return self._pooled([e.ids for e in self._tokenizer.encode_batch(list(texts))])

    def encode_ids(self, word_pieces: Sequence[Sequence[int]]) -> np.ndarray:
        """Like `encode`, for texts already split into this model's word-piece ids (no [CLS]/[SEP]).

        Lets a caller that has tokenized anyway (the rag chunker counts chunk sizes in these tokens) skip a
        second tokenization; longer input is truncated exactly as `encode` truncates text.
        """
        keep = MAX_TOKENS - 2
        return self._pooled([[self._cls, *ids[:keep], self._sep] for ids in word_pieces])

    def _hidden(self, ids: Sequence[int]) -> np.ndarray:
        row = np.asarray([ids], dtype=np.int64)
        feeds = {"input_ids": row, "attention_mask": np.ones_like(row)}
        (hidden,) = self._session.run(["last_hidden_state"], feeds)
        return np.asarray(hidden)[0]

    def _pooled(self, sequences: Sequence[Sequence[int]]) -> np.ndarray:
        """Mean-pooled unit vectors of full id sequences; several texts run on `lanes` concurrent calls.

        Why lanes: a lone short text keeps ONNX Runtime's thread pool busy for only a fraction of each operator, so
        texts run side by side instead (2 cores, BANKING77 queries: 322-387 texts/s one after another, 451-472 on
        two lanes). Each text still runs alone, so its vector is unchanged.
        """
        if not sequences:
            return np.empty((0, EMBEDDING_DIM), np.float32)
        lanes = self._lanes if len(sequences) > 1 else None
        return np.stack(list(lanes.map(self._vector, sequences) if lanes else map(self._vector, sequences)))

    def _vector(self, ids: Sequence[int]) -> np.ndarray:
        pooled = self._hidden(ids).mean(axis=0)
        return (pooled / max(float(np.linalg.norm(pooled)), 1e-12)).astype(np.float32)


_lock = threading.Lock()
_shared: SentenceEncoder | None = None


def get_encoder() -> SentenceEncoder:
    """The process-wide encoder, loaded lazily on first use (never at import, never per request)."""
    global _shared
    if _shared is None:
        with _lock:
            if _shared is None:
                _shared = SentenceEncoder()
    return _shared
