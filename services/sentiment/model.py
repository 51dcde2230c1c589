"""The local sentiment/intent model: texts in, 3-class probabilities, BANKING77 intent probabilities and analyses out.

Primary path: MiniLM fine-tuned with two heads (int8 ONNX, one forward pass for both tasks), its sentiment logits
fused with VADER by a small stacker. Fallback path (no fine-tuned file): the packaged MiniLM embeddings + VADER
through a small MLP. Both run on onnxruntime + numpy only; artifacts and provenance live in ./artifacts.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from libs.embeddings import SentenceEncoder, get_encoder
from libs.embeddings.encoder import _packaged_tokenizer
from services.sentiment.domain import IrateRule, SentimentAnalysis, build_analysis, sanitize

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
FINETUNED_ONNX = ARTIFACTS / "sentiment_intent_minilm.int8.onnx"
FINETUNED_META = ARTIFACTS / "finetune_meta.json"
HEADS_NPZ = ARTIFACTS / "heads.npz"
MAX_TOKENS = 256
FINETUNED_ID = "switchboard-minilm-ft-int8+vader"
FALLBACK_ID = "switchboard-minilm-mlp+vader"


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=-1, keepdims=True)


def vader_features(vader: SentimentIntensityAnalyzer, texts: Sequence[str]) -> np.ndarray:
    """(n, 4): VADER's neg, neu, pos and compound per text."""
    rows = [vader.polarity_scores(t) for t in texts]
    return np.array([[r["neg"], r["neu"], r["pos"], r["compound"]] for r in rows], dtype=np.float32)


class TwoHeadOnnx:
    """Runs the fine-tuned two-head MiniLM: token ids in, (sentiment logits (n,3), intent logits (n,77)) out."""

    def __init__(self, path: Path = FINETUNED_ONNX, threads: int | None = None) -> None:
        options = ort.SessionOptions()
        options.intra_op_num_threads = (
            threads or int(os.environ.get("SWITCHBOARD_ONNX_THREADS", "0")) or min(4, os.cpu_count() or 1)
        )
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self._session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self._tokenizer = Tokenizer.from_file(str(_packaged_tokenizer()))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.no_padding()  # tokenizer.json asks for padding; see `logits` for why there is none

    def logits(self, texts: Sequence[str], batch_size: int = 64) -> tuple[np.ndarray, np.ndarray]:
        sentiment = np.zeros((len(texts), 3), dtype=np.float32)
        intent: np.ndarray | None = None
        ids = [e.ids for e in self._tokenizer.encode_batch(list(texts))]
        # Batches hold texts of one token length only: no padding at all. The exported graph's attention does not
        # honour the padding mask (the tracer saw an all-ones mask), and int8 activations are quantized per batch,
        # so padding would change a text's result depending on its neighbours.
        by_length: dict[int, list[int]] = {}
        for i, row in enumerate(ids):
            by_length.setdefault(len(row), []).append(i)
        for group in by_length.values():
            for start in range(0, len(group), batch_size):
                idx = group[start : start + batch_size]
                batch = np.array([ids[i] for i in idx], dtype=np.int64)
                feeds = {"input_ids": batch, "attention_mask": np.ones_like(batch)}
                s, i = self._session.run(["sentiment_logits", "intent_logits"], feeds)
                if intent is None:
                    intent = np.zeros((len(texts), i.shape[1]), dtype=np.float32)
                sentiment[idx], intent[idx] = s, i
        return sentiment, intent if intent is not None else np.zeros((0, 0), dtype=np.float32)


class Heads:
    """The small numpy heads trained by training/train_heads.py (weights in heads.npz)."""

    def __init__(self, path: Path = HEADS_NPZ) -> None:
        with np.load(path, allow_pickle=False) as npz:
            self.w = {k: npz[k] for k in npz.files}
        self.intent_labels: tuple[str, ...] = tuple(str(x) for x in self.w["intent_labels"])
        self.intent_weight = float(self.w["intent_ft_weight"])

    def fused_sentiment(self, ft_logits: np.ndarray, vader: np.ndarray) -> np.ndarray:
        """Stacker over (fine-tuned logits, VADER) → probabilities (negative, neutral, positive)."""
        x = (np.hstack([ft_logits, vader]) - self.w["fuse_mean"]) / self.w["fuse_scale"]
        return softmax(x @ self.w["fuse_W"] + self.w["fuse_b"])

    def fallback_sentiment(self, embeddings: np.ndarray, vader: np.ndarray) -> np.ndarray:
        x = (np.hstack([embeddings, vader]) - self.w["mlp_mean"]) / self.w["mlp_scale"]
        hidden = np.maximum(0.0, x @ self.w["mlp_W1"] + self.w["mlp_b1"])
        return softmax(hidden @ self.w["mlp_W2"] + self.w["mlp_b2"])

    def frozen_intent(self, embeddings: np.ndarray) -> np.ndarray:
        return softmax(embeddings @ self.w["intent_W"] + self.w["intent_b"])


class SentimentModel:
    """One analysis for every scale; thread-safe (onnxruntime sessions and VADER are read-only after load)."""

    def __init__(
        self, heads: Heads, finetuned: TwoHeadOnnx | None = None, encoder: SentenceEncoder | None = None
    ) -> None:
        self._heads = heads
        self._finetuned = finetuned
        self._encoder = encoder
        self._vader = SentimentIntensityAnalyzer()
        self.model_id = FINETUNED_ID if finetuned is not None else FALLBACK_ID
        self.intent_labels = heads.intent_labels

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        if self._encoder is None:
            self._encoder = get_encoder()
        return self._encoder.encode(texts)

    def sentiment_probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """(n, 3) probabilities in (negative, neutral, positive) order, rows summing to 1."""
        clean = [sanitize(t) for t in texts]
        if not clean:
            return np.zeros((0, 3), dtype=np.float32)
        vader = vader_features(self._vader, clean)
        if self._finetuned is not None:
            logits, _ = self._finetuned.logits(clean)
            return self._heads.fused_sentiment(logits, vader)
        return self._heads.fallback_sentiment(self._embed(clean), vader)

    def intent_probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """(n, len(intent_labels)) BANKING77 probabilities: fine-tuned head blended with a frozen-embedding head."""
        clean = [sanitize(t) for t in texts]
        frozen = self._heads.frozen_intent(self._embed(clean))
        if self._finetuned is None:
            return frozen
        _, logits = self._finetuned.logits(clean)
        weight = self._heads.intent_weight
        return weight * softmax(logits) + (1.0 - weight) * frozen

    def analyze(self, texts: Sequence[str], rule: IrateRule | None = None) -> list[SentimentAnalysis]:
        rule = rule or IrateRule()
        probabilities = self.sentiment_probabilities(texts)
        return [build_analysis(p, sanitize(t), rule, self._vader) for p, t in zip(probabilities, texts, strict=True)]


def load_sentiment_model(prefer_finetuned: bool = True, threads: int | None = None) -> SentimentModel:
    """Builds the model from ./artifacts; without the fine-tuned file (or when told not to) the fallback path."""
    heads = Heads()
    finetuned = TwoHeadOnnx(threads=threads) if prefer_finetuned and FINETUNED_ONNX.exists() else None
    if finetuned is not None and FINETUNED_META.exists():
        labels = json.loads(FINETUNED_META.read_text())["intent_labels"]
        if tuple(labels) != heads.intent_labels:
            raise RuntimeError("artifacts disagree on the BANKING77 label order: retrain the heads")
    return SentimentModel(heads, finetuned)


_lock = threading.Lock()
_shared: SentimentModel | None = None


def shared_sentiment_model(prefer_finetuned: bool = True) -> SentimentModel:
    """The process-wide model, loaded on first use (never at import); the first caller's preference wins."""
    global _shared
    if _shared is None:
        with _lock:
            if _shared is None:
                _shared = load_sentiment_model(prefer_finetuned=prefer_finetuned)
    return _shared
