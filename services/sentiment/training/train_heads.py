"""Trains the small numpy heads on CPU (scikit-learn): shared data + packaged and fine-tuned MiniLM in, heads.npz out.

Run: python -m services.sentiment.training.train_heads [--data DIR]   (about 2 minutes on 2 cores)
heads.npz holds: the VADER fusion stacker over the fine-tuned sentiment logits (fit on the TweetEval dev split the
fine-tuning never saw), the fallback MLP over frozen embeddings + VADER, the frozen-embedding BANKING77 head and the
blend weight with the fine-tuned intent head. Every choice is made on dev splits carved from train.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_predict
from sklearn.neural_network import MLPClassifier
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from libs.embeddings import get_encoder
from services.sentiment.model import FINETUNED_ONNX, HEADS_NPZ, TwoHeadOnnx, softmax, vader_features
from services.sentiment.training import data

CACHE = Path(".devdata/cache")


def cached(name: str, n: int, compute: Callable[[], np.ndarray]) -> np.ndarray:
    """Features are deterministic functions of the artifacts; caching them makes reruns take seconds."""
    path = CACHE / f"{name}.{n}.npy"
    if path.exists():
        return np.load(path)
    value = compute()
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(path, value)
    return value


def standardizer(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return x.mean(axis=0), x.std(axis=0) + 1e-6


def fit_fusion(logits: np.ndarray, vader: np.ndarray, y: np.ndarray) -> tuple[dict[str, np.ndarray], dict]:
    """Logistic stacker on (fine-tuned logits, VADER); C by 5-fold CV macro-recall on the dev split."""
    x = np.hstack([logits, vader])
    mean, scale = standardizer(x)
    xs = (x - mean) / scale
    cv = {}
    for c in (0.01, 0.1, 1.0, 10.0):
        clf = LogisticRegression(C=c, class_weight="balanced", max_iter=2000)
        cv[c] = data.macro_recall(y, cross_val_predict(clf, xs, y, cv=5))
    best_c = max(cv, key=lambda c: cv[c])
    clf = LogisticRegression(C=best_c, class_weight="balanced", max_iter=2000).fit(xs, y)
    weights = {"fuse_mean": mean, "fuse_scale": scale, "fuse_W": clf.coef_.T, "fuse_b": clf.intercept_}
    report = {
        "dev_cv_macro_recall_by_C": cv,
        "C": best_c,
        "dev_macro_recall_logits_only": data.macro_recall(y, logits.argmax(1)),
    }
    return weights, report


def fit_fallback(x_train: np.ndarray, y_train: np.ndarray, x_dev: np.ndarray, y_dev: np.ndarray):
    """MLP over (frozen embedding, VADER); a log-prior correction (strength chosen on dev) lifts macro-recall."""
    mean, scale = standardizer(x_train)
    clf = MLPClassifier((256,), alpha=1e-2, early_stopping=True, random_state=data.SEED, max_iter=200)
    clf.fit((x_train - mean) / scale, y_train)
    hidden = np.maximum(0.0, ((x_dev - mean) / scale) @ clf.coefs_[0] + clf.intercepts_[0])
    logits = hidden @ clf.coefs_[1] + clf.intercepts_[1]
    log_prior = np.log(np.bincount(y_train) / len(y_train))
    by_alpha = {a: data.macro_recall(y_dev, (logits - a * log_prior).argmax(1)) for a in (0.0, 0.25, 0.5, 0.75, 1.0)}
    alpha = max(by_alpha, key=lambda a: by_alpha[a])
    weights = {
        "mlp_mean": mean, "mlp_scale": scale, "mlp_W1": clf.coefs_[0], "mlp_b1": clf.intercepts_[0],
        "mlp_W2": clf.coefs_[1], "mlp_b2": clf.intercepts_[1] - alpha * log_prior,
    }  # fmt: skip
    return weights, {"dev_macro_recall_by_prior_alpha": by_alpha, "alpha": alpha}


def fit_intent(emb_train, y_train, emb_dev, y_dev, ft_dev_logits):
    """Logistic head on frozen embeddings (C on dev), then its blend weight with the fine-tuned head (on dev)."""
    fits = {c: LogisticRegression(C=c, max_iter=3000).fit(emb_train, y_train) for c in (10.0, 30.0, 100.0)}
    acc = {c: float(np.mean(f.predict(emb_dev) == y_dev)) for c, f in fits.items()}
    best = fits[max(acc, key=lambda c: acc[c])]
    frozen = softmax(emb_dev @ best.coef_.T + best.intercept_)
    ft = softmax(ft_dev_logits)
    blend = {w: float(np.mean((w * ft + (1 - w) * frozen).argmax(1) == y_dev)) for w in np.linspace(0, 1, 11)}
    weight = max(blend, key=lambda w: (blend[w], -abs(w - 0.5)))  # ties → the more even blend
    weights = {"intent_W": best.coef_.T, "intent_b": best.intercept_, "intent_ft_weight": np.array(weight)}
    return weights, {"dev_accuracy_by_C": acc, "dev_accuracy_by_ft_weight": blend, "ft_weight": weight}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=HEADS_NPZ)
    args = parser.parse_args(argv)
    ds = data.load(args.data)
    encoder, vader, ft = get_encoder(), SentimentIntensityAnalyzer(), TwoHeadOnnx(FINETUNED_ONNX)

    def emb(name: str, split: data.Split) -> np.ndarray:
        return cached(f"emb_{name}", len(split.texts), lambda: encoder.encode(split.texts))

    def vad(name: str, split: data.Split) -> np.ndarray:
        return cached(f"vader_{name}", len(split.texts), lambda: vader_features(vader, split.texts))

    s_dev_logits = cached("ft_s_dev", len(ds.sentiment_dev.texts), lambda: ft.logits(ds.sentiment_dev.texts)[0])
    i_dev_logits = cached("ft_i_dev", len(ds.intent_dev.texts), lambda: ft.logits(ds.intent_dev.texts)[1])
    fusion, fusion_report = fit_fusion(s_dev_logits, vad("s_dev", ds.sentiment_dev), ds.sentiment_dev.labels)
    fallback, fallback_report = fit_fallback(
        np.hstack([emb("s_train", ds.sentiment_train), vad("s_train", ds.sentiment_train)]),
        ds.sentiment_train.labels,
        np.hstack([emb("s_dev", ds.sentiment_dev), vad("s_dev", ds.sentiment_dev)]),
        ds.sentiment_dev.labels,
    )
    intent, intent_report = fit_intent(
        emb("i_train", ds.intent_train), ds.intent_train.labels,
        emb("i_dev", ds.intent_dev), ds.intent_dev.labels, i_dev_logits,
    )  # fmt: skip
    arrays = {k: np.asarray(v, dtype=np.float32) for k, v in {**fusion, **fallback, **intent}.items()}
    arrays_all: dict[str, np.ndarray] = {"intent_labels": np.array(ds.intent_labels), **arrays}
    np.savez_compressed(args.out, **arrays_all)  # type: ignore[arg-type]
    report = {"fusion": fusion_report, "fallback": fallback_report, "intent": intent_report}
    args.out.with_name("heads_report.json").write_text(json.dumps(report, indent=1, default=str))
    print(json.dumps(report, indent=1, default=str))


if __name__ == "__main__":
    main()
