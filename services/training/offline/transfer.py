"""Chooses the sentiment fusion stacker by a validation that predicts transfer, and (with --write) refits it.

The stacker (fine-tuned logits + VADER → 3 classes, in heads.npz as fuse_*) was fit on the TweetEval dev split
carved from train only. TweetEval's test tweets are later and differently distributed, and support traffic is
reviews and complaints, so a choice made on one split of one source is not a choice that transfers. Here every
candidate is judged on sources it was not fit on:

- fold "hold SST-5": fit on TweetEval dev + UCI sentences, score on SST-5 (5 classes mapped to 3);
- fold "hold UCI": fit on TweetEval dev + SST-5, score on UCI sentences (Amazon, Yelp, IMDb; negative/positive);
- TweetEval val (2,000 tweets) is scored by every candidate and fit by none (it stays the reported dev figure).

Candidates: the current stacker, the stacker refit on TweetEval dev alone, and the stacker fit on the pooled
sources with domain-balanced sample weights (each source weighs the same; classes balanced within a source),
at several regularisation strengths. The one with the best mean over the held-out sources and TweetEval val is
written (--write) after a final fit on TweetEval dev + SST-5 + UCI. No TweetEval or BANKING77 test split is read.

Run: python -m services.training.offline.transfer [--write] [--per-source 3000]   (a few minutes on 2 cores)
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import re
from functools import partial
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from libs.embeddings.encoder import UNFUSED
from services.sentiment.model import FINETUNED_ONNX, HEADS_NPZ, TwoHeadOnnx, softmax, vader_features
from services.training.offline import data
from services.training.offline.train_heads import cached, standardizer

Source = tuple[list[str], np.ndarray]
SST5_TO_3 = np.array([0, 0, 1, 2, 2])  # very negative, negative → 0; neutral → 1; positive, very positive → 2
_PTB = {"-LRB-": "(", "-RRB-": ")", "\\/": "/", "``": '"', "''": '"'}


def _sample(texts: list[str], labels: np.ndarray, n: int) -> Source:
    idx = np.random.default_rng(data.SEED).permutation(len(texts))[:n]
    return [texts[i] for i in idx], labels[idx]


def _detokenize(sentence: str) -> str:
    """PTB tokens back to plain text ("It 's awful -LRB- truly -RRB- ." → "It's awful (truly).")."""
    text = " ".join(_PTB.get(w, w) for w in sentence.split())
    return re.sub(r"(?<=\() | (?=[.,!?;:)]|'s\b|n't\b)", "", text)


def load_sst5(data_dir: Path, n: int) -> Source:
    with (data_dir / "sst5" / "train.tsv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    texts = [_detokenize(r["sentence"]) for r in rows]
    return _sample(texts, SST5_TO_3[np.array([int(r["label"]) for r in rows])], n)


def load_uci(data_dir: Path, n: int) -> Source:
    texts, labels = [], []
    for name in ("amazon_cells_labelled.txt", "yelp_labelled.txt", "imdb_labelled.txt"):
        for line in (data_dir / "uci_sentences" / name).read_text(encoding="utf-8").splitlines():
            text, _, label = line.rpartition("\t")
            if text.strip() and label.strip() in ("0", "1"):
                texts.append(text.strip())
                labels.append(0 if label.strip() == "0" else 2)
    return _sample(texts, np.array(labels, dtype=np.int64), n)


def macro_recall(y: np.ndarray, pred: np.ndarray) -> float:
    """Mean recall over the classes the source has (UCI has no neutral: a neutral answer counts as a miss)."""
    return float(np.mean([np.mean(pred[y == c] == c) for c in np.unique(y)]))


def balanced_weights(sources: list[np.ndarray]) -> np.ndarray:
    """Each source weighs 1 in total, split equally among its classes, then equally among their rows."""
    parts = []
    for y in sources:
        classes, counts = np.unique(y, return_counts=True)
        per_row = {c: 1.0 / (len(classes) * k) for c, k in zip(classes, counts, strict=True)}
        parts.append(np.array([per_row[c] for c in y]))
    w = np.concatenate(parts)
    return w * len(w) / w.sum()


def fit(xs: list[np.ndarray], ys: list[np.ndarray], c: float) -> dict[str, np.ndarray]:
    x, y = np.vstack(xs), np.concatenate(ys)
    mean, scale = standardizer(x)
    clf = LogisticRegression(C=c, max_iter=3000).fit((x - mean) / scale, y, sample_weight=balanced_weights(ys))
    return {"fuse_mean": mean, "fuse_scale": scale, "fuse_W": clf.coef_.T, "fuse_b": clf.intercept_}


def predict(w: dict[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    return softmax(((x - w["fuse_mean"]) / w["fuse_scale"]) @ w["fuse_W"] + w["fuse_b"]).argmax(1)


def features(sets: dict[str, Source]) -> dict[str, np.ndarray]:
    """(fine-tuned sentiment logits, VADER) per source, cached by model file and text count."""
    ft, vader = TwoHeadOnnx(FINETUNED_ONNX), SentimentIntensityAnalyzer()
    tag = f"{hashlib.sha256(FINETUNED_ONNX.read_bytes()).hexdigest()[:12]}_{'-'.join(UNFUSED)}"
    out = {}
    for name, (texts, _) in sets.items():
        logits = cached(f"ft_{tag}_tr_{name}", len(texts), partial(lambda t: ft.logits(t)[0], texts))
        vad = cached(f"vader_tr_{name}", len(texts), partial(vader_features, vader, texts))
        out[name] = np.hstack([logits, vad])
    return out


def candidates(x: dict[str, np.ndarray], y: dict[str, np.ndarray], fit_on: list[str]) -> dict[str, dict]:
    """Stackers fit on `fit_on` (the current one is fixed): name → weights."""
    with np.load(HEADS_NPZ, allow_pickle=False) as npz:
        current = {k: npz[k].astype(np.float64) for k in ("fuse_mean", "fuse_scale", "fuse_W", "fuse_b")}
    out: dict[str, dict] = {"current (TweetEval dev, class-balanced)": current}
    out["refit on TweetEval dev, C=1"] = fit([x["tweet_dev"]], [y["tweet_dev"]], 1.0)
    for c in (0.01, 0.1, 1.0):
        out[f"pooled, domain-balanced, C={c}"] = fit([x[s] for s in fit_on], [y[s] for s in fit_on], c)
    return out


def evaluate(x: dict[str, np.ndarray], y: dict[str, np.ndarray]) -> dict[str, dict[str, float]]:
    """name → {held-out source: macro-recall}; each held-out source is left out of the pooled fit."""
    table: dict[str, dict[str, float]] = {}
    for held, others in (("sst5", ["tweet_dev", "uci"]), ("uci", ["tweet_dev", "sst5"])):
        for name, w in candidates(x, y, others).items():
            table.setdefault(name, {})[held] = macro_recall(y[held], predict(w, x[held]))
    for name, w in candidates(x, y, ["tweet_dev", "sst5", "uci"]).items():
        table[name]["tweet_val"] = macro_recall(y["tweet_val"], predict(w, x["tweet_val"]))
    for scores in table.values():
        scores["mean"] = float(np.mean([scores["sst5"], scores["uci"], scores["tweet_val"]]))
    return table


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--per-source", type=int, default=3000)
    parser.add_argument("--write", action="store_true", help="refit the best candidate and update heads.npz")
    args = parser.parse_args(argv)
    data_dir = args.data or data.default_data_dir()
    ds = data.load(data_dir)
    sets: dict[str, Source] = {
        "tweet_dev": (ds.sentiment_dev.texts, ds.sentiment_dev.labels),
        "tweet_val": (ds.sentiment_val.texts, ds.sentiment_val.labels),
        "sst5": load_sst5(data_dir, args.per_source),
        "uci": load_uci(data_dir, args.per_source),
    }
    x, y = features(sets), {k: v[1] for k, v in sets.items()}
    table = evaluate(x, y)
    print(f"{'stacker':<44}{'SST-5 held':>11}{'UCI held':>10}{'TE val':>8}{'mean':>7}")
    for name, s in table.items():
        print(f"{name:<44}{s['sst5']:>11.3f}{s['uci']:>10.3f}{s['tweet_val']:>8.3f}{s['mean']:>7.3f}")
    best = max(table, key=lambda n: table[n]["mean"])
    print(f"best by mean: {best}")
    report_path = HEADS_NPZ.with_name("transfer_report.json")
    report_path.write_text(json.dumps({"per_source": args.per_source, "table": table, "best": best}, indent=1))
    if args.write and not best.startswith("current"):
        final = candidates(x, y, ["tweet_dev", "sst5", "uci"])[best]
        with np.load(HEADS_NPZ, allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
        arrays.update({k: v.astype(np.float32) for k, v in final.items()})
        np.savez_compressed(HEADS_NPZ, **arrays)
        print(f"heads.npz: fuse_* replaced by {best}")


if __name__ == "__main__":
    main()
