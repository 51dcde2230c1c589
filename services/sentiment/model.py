"""The local sentiment/intent model: texts in, 3-class probabilities, BANKING77 intent probabilities and analyses out.

Primary path: MiniLM fine-tuned with two heads (int8 ONNX, one forward pass for both tasks), its sentiment logits
fused with VADER by a small stacker. Fallback path (no fine-tuned file): the packaged MiniLM embeddings + VADER
through a small MLP. Both run on onnxruntime + numpy only; artifacts and provenance live in ./artifacts.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from libs.embeddings import SentenceEncoder, get_encoder
from libs.embeddings.encoder import default_threads, minilm_session, tokenizer_path
from services.sentiment.domain import IrateRule, SentimentAnalysis, build_analysis, key_phrases, sanitize
from services.sentiment.lexical import CharTfidf

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


# The padding self-check: a short positive probe followed by masked, strongly negative filler. A graph that honours
# the mask gives the probe its unpadded result up to int8 noise (≈0.01); one that ignores it flips the sentiment.
PAD_PROBE = "great, thanks"
PAD_FILLER = "terrible awful hate " * 30
PAD_PROBE_TOLERANCE = 0.2  # max sentiment-probability change; mask-ignoring graphs measured 0.7-0.9 here
PAD_MERGE_BELOW = 16  # padded batches gather lengths rarer than this (16: the best padded batch size on 2 cores)
RunFn = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def pad_rows(rows: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Right-pads token id rows with 0 ([PAD]); returns (input_ids, attention_mask), both int64."""
    ids = np.zeros((len(rows), max(len(r) for r in rows)), dtype=np.int64)
    mask = np.zeros_like(ids)
    for i, row in enumerate(rows):
        ids[i, : len(row)], mask[i, : len(row)] = row, 1
    return ids, mask


def honours_padding(run: RunFn, tokenizer: Tokenizer) -> bool:
    """Whether `run` gives the probe the same sentiment with masked filler after it as alone (see PAD_PROBE)."""
    probe = tokenizer.encode(PAD_PROBE).ids
    filler = tokenizer.encode(PAD_FILLER, add_special_tokens=False).ids
    alone, _ = run(*pad_rows([probe]))
    ids, mask = pad_rows([probe + filler])
    mask[0, len(probe) :] = 0
    padded, _ = run(ids, mask)
    return float(np.abs(softmax(alone) - softmax(padded)).max()) <= PAD_PROBE_TOLERANCE


class TwoHeadOnnx:
    """Runs the fine-tuned two-head MiniLM: token ids in, (sentiment logits (n,3), intent logits (n,77)) out."""

    def __init__(self, path: Path = FINETUNED_ONNX, threads: int | None = None, padded: bool = False) -> None:
        """`padded` asks for padded batches; granted only if the graph passes the padding check at load time.

        Off by default: on 2 quiet cores padded batches measured no faster than equal-length ones (about 455 texts/s
        either way), and they make a text's int8 result depend on more neighbours (see `batches`).
        Requests of one batch run on a session using `threads` cores (latency); longer requests spread their batches
        over `threads` lanes of one single-threaded session each (throughput, see `start`).
        """
        self.threads = threads or default_threads()
        self._session = minilm_session(path, self.threads)
        # Lanes never spin: spinning lowers a lone run's latency (single text p50 3.9 vs 5.7 ms on 2 cores), but across
        # a long request it burned ~60 % more CPU per text (9.1 vs 5.5 CPU s per 1000 tweets).
        self._lane_session = minilm_session(path, 1, spin=False) if self.threads > 1 else self._session
        self._lanes = ThreadPoolExecutor(self.threads, thread_name_prefix="sentiment-onnx")  # threads start on use
        self.tokenizer = Tokenizer.from_file(str(tokenizer_path()))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()  # tokenizer.json pads to the longest; `batches` decides
        self.padded = padded and honours_padding(self.run, self.tokenizer)

    def run(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """One forward pass on a prepared batch: (sentiment logits, intent logits)."""
        return self._forward(self._session, input_ids, attention_mask)

    @staticmethod
    def _forward(
        session: ort.InferenceSession, input_ids: np.ndarray, attention_mask: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        feeds = {"input_ids": input_ids, "attention_mask": attention_mask}
        sentiment, intent = session.run(["sentiment_logits", "intent_logits"], feeds)
        return sentiment, intent

    def batches(self, ids: Sequence[Sequence[int]], batch_size: int) -> list[list[int]]:
        """Index batches of at most `batch_size` (more only where small groups merge) over length-sorted texts.

        Texts of one token length stay together (no padding); when the graph honours the mask, lengths with fewer than
        PAD_MERGE_BELOW texts are merged into padded batches, so short runs no longer cost one small batch each.
        int8 activations are quantized per batch, so neighbours move a text's result; without padding a text of a unique
        length runs alone, exactly as one-by-one (the explainer's full and empty coalitions rely on this).
        """
        by_length: dict[int, list[int]] = {}
        for i in sorted(range(len(ids)), key=lambda i: len(ids[i])):
            by_length.setdefault(len(ids[i]), []).append(i)
        out: list[list[int]] = []
        pending: list[int] = []
        for group in by_length.values():
            if not self.padded or len(group) >= PAD_MERGE_BELOW:
                out += [group[s : s + batch_size] for s in range(0, len(group), batch_size)]
                continue
            pending += group
            if len(pending) >= PAD_MERGE_BELOW:
                out.append(pending)
                pending = []
        return [*out, pending] if pending else out

    def start(self, texts: Sequence[str], batch_size: int = 64) -> Callable[[], tuple[np.ndarray, np.ndarray]]:
        """Tokenizes now and starts the forward passes; the returned function waits for (sentiment, intent) logits.

        One batch runs at once on the multi-threaded session. More batches run in parallel, one per lane, each lane
        single-threaded: for batches this small ORT's intra-op threads cost more CPU per text than whole batches on
        separate cores (measured 5.5-5.7 vs 5.2-5.4 CPU s per 1000 tweets), and onnxruntime releases the GIL, so the
        caller's Python work (VADER, key phrases) overlaps them. The batches themselves are the same either way, so
        results are too.
        """
        ids = [e.ids for e in self.tokenizer.encode_batch(list(texts))]
        groups = self.batches(ids, batch_size)
        if len(groups) < 2 or self.threads < 2:
            done = gather(len(ids), [(g, self.run(*pad_rows([ids[k] for k in g]))) for g in groups])
            return lambda: done
        groups.sort(key=lambda g: -len(g) * max(len(ids[k]) for k in g))  # biggest first: the lanes finish together
        pending = [
            (g, self._lanes.submit(self._forward, self._lane_session, *pad_rows([ids[k] for k in g]))) for g in groups
        ]
        return lambda: gather(len(ids), [(g, future.result()) for g, future in pending])

    def logits(self, texts: Sequence[str], batch_size: int = 64) -> tuple[np.ndarray, np.ndarray]:
        return self.start(texts, batch_size)()


def gather(n: int, parts: Sequence[tuple[list[int], tuple[np.ndarray, np.ndarray]]]) -> tuple[np.ndarray, np.ndarray]:
    """Scatters per-batch (sentiment, intent) logits back into the callers' text order."""
    sentiment = np.zeros((n, 3), dtype=np.float32)
    intent = np.zeros((n, parts[0][1][1].shape[1] if parts else 0), dtype=np.float32)
    for idx, (s, i) in parts:
        sentiment[idx], intent[idx] = s, i
    return sentiment, intent


class Heads:
    """The small numpy heads trained by training/train_heads.py (weights in heads.npz)."""

    def __init__(self, path: Path = HEADS_NPZ) -> None:
        with np.load(path, allow_pickle=False) as npz:
            self.w = {k: npz[k].astype(np.float32) if npz[k].dtype == np.float16 else npz[k] for k in npz.files}
        self.intent_labels: tuple[str, ...] = tuple(str(x) for x in self.w["intent_labels"])
        self.intent_blend = tuple(float(x) for x in self.w["intent_blend"])  # (fine-tuned, frozen, lexical)
        self.intent_fallback_blend = tuple(float(x) for x in self.w["intent_fallback_blend"])  # (frozen, lexical)
        ngram_range = (int(self.w["lex_ngram"][0]), int(self.w["lex_ngram"][1]))
        self.lexical = CharTfidf([str(g) for g in self.w["lex_vocab"]], self.w["lex_idf"], ngram_range)
        # The char n-gram sentiment head (slex_*), when sentiment_transfer chose a blend that stacks it.
        self.sentiment_lexical: CharTfidf | None = None
        if "slex_vocab" in self.w:
            low, high = (int(x) for x in self.w["slex_ngram"])
            self.sentiment_lexical = CharTfidf([str(g) for g in self.w["slex_vocab"]], self.w["slex_idf"], (low, high))

    def fused_sentiment(self, ft_logits: np.ndarray, vader: np.ndarray, texts: Sequence[str]) -> np.ndarray:
        """Stacker over (fine-tuned logits, VADER[, char n-gram head log-probabilities]) → probabilities
        (negative, neutral, positive)."""
        parts = [ft_logits, vader]
        if self.sentiment_lexical is not None:
            scores = np.asarray(self.sentiment_lexical.transform(texts) @ self.w["slex_W"]) + self.w["slex_b"]
            parts.append(np.log(softmax(scores) + 1e-12))
        x = (np.hstack(parts) - self.w["fuse_mean"]) / self.w["fuse_scale"]
        return softmax(x @ self.w["fuse_W"] + self.w["fuse_b"])

    def fallback_sentiment(self, embeddings: np.ndarray, vader: np.ndarray) -> np.ndarray:
        x = (np.hstack([embeddings, vader]) - self.w["mlp_mean"]) / self.w["mlp_scale"]
        hidden = np.maximum(0.0, x @ self.w["mlp_W1"] + self.w["mlp_b1"])
        return softmax(hidden @ self.w["mlp_W2"] + self.w["mlp_b2"])

    def frozen_intent(self, embeddings: np.ndarray) -> np.ndarray:
        return softmax(embeddings @ self.w["intent_W"] + self.w["intent_b"])

    def lexical_intent(self, texts: Sequence[str]) -> np.ndarray:
        """Logistic head over char n-gram TF-IDF (see lexical.py)."""
        return softmax(np.asarray(self.lexical.transform(texts) @ self.w["lex_W"]) + self.w["lex_b"])


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
        pending = self._finetuned.start(clean) if self._finetuned is not None and clean else None
        return self._probabilities(clean, vader_features(self._vader, clean), pending)

    def _probabilities(
        self, clean: list[str], vader: np.ndarray, pending: Callable[[], tuple[np.ndarray, np.ndarray]] | None
    ) -> np.ndarray:
        if not clean:
            return np.zeros((0, 3), dtype=np.float32)
        if pending is not None:
            return self._heads.fused_sentiment(pending()[0], vader, clean)
        return self._heads.fallback_sentiment(self._embed(clean), vader)

    def intent_probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """(n, len(intent_labels)) BANKING77 probabilities: the fine-tuned head, a frozen-embedding head and a char
        n-gram head, blended with the weights train_heads chose on dev (without the fine-tuned file: the last two)."""
        clean = [sanitize(t) for t in texts]
        pending = self._finetuned.start(clean) if self._finetuned is not None and clean else None
        frozen = self._heads.frozen_intent(self._embed(clean))  # while the fine-tuned lanes run
        lexical = self._heads.lexical_intent(clean)
        if pending is None:
            w_frozen, w_lexical = self._heads.intent_fallback_blend
            return w_frozen * frozen + w_lexical * lexical
        w_ft, w_frozen, w_lexical = self._heads.intent_blend
        return w_ft * softmax(pending()[1]) + w_frozen * frozen + w_lexical * lexical

    def analyze(self, texts: Sequence[str], rule: IrateRule | None = None) -> list[SentimentAnalysis]:
        return self.analyze_each(texts, [rule or IrateRule()] * len(texts))

    def analyze_each(self, texts: Sequence[str], rules: Sequence[IrateRule]) -> list[SentimentAnalysis]:
        """`analyze` with one irate rule per text: texts of several commands run as one batch."""
        clean = [sanitize(t) for t in texts]
        pending = self._finetuned.start(clean) if self._finetuned is not None and clean else None
        # VADER and the key phrases are GIL-bound Python: done while onnxruntime's lanes run the batches.
        vader = vader_features(self._vader, clean)
        phrases = [key_phrases(t, self._vader) for t in clean]
        probabilities = self._probabilities(clean, vader, pending)
        return [
            build_analysis(p, t, rule, self._vader, phrases=ph)
            for p, t, rule, ph in zip(probabilities, clean, rules, phrases, strict=True)
        ]


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
