"""Sentiment/intent quality on ../shared/data: TweetEval val and a BANKING77 hold-out in, a printed table out.

Run: python -m tests.eval.eval_sentiment. The splits are the fixed ones of services/training/offline/data.py;
nothing reported here was used for training or tuning.
"""

from __future__ import annotations

import sys
import time
from typing import Any

import numpy as np
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from libs.embeddings import get_encoder
from services.sentiment.intent import describe
from services.sentiment.model import TwoHeadOnnx, load_sentiment_model, softmax
from services.training.offline import data
from services.training.offline.transfer import load_sst5, load_uci
from services.training.offline.transfer import macro_recall as transfer_recall


def vader_labels(texts: list[str]) -> np.ndarray:
    """VADER's own convention: compound ≥ 0.05 positive, ≤ −0.05 negative, else neutral."""
    analyzer = SentimentIntensityAnalyzer()
    compound = np.array([analyzer.polarity_scores(t)["compound"] for t in texts])
    return np.where(compound >= 0.05, 2, np.where(compound <= -0.05, 0, 1))


def zero_shot_banking(texts: list[str], labels: tuple[str, ...]) -> np.ndarray:
    encoder = get_encoder()
    label_vecs = encoder.encode([describe(name) for name in labels])
    return (encoder.encode(texts) @ label_vecs.T).argmax(axis=1)


def main() -> int:
    if not data.default_data_dir().exists():
        print("eval_sentiment: ../shared/data absent, nothing to evaluate")
        return 0
    ds = data.load()
    val, hold = ds.sentiment_val, ds.intent_holdout
    rows: list[tuple[str, str, str, str]] = []

    def sentiment_cells(pred: np.ndarray) -> tuple[str, str]:
        return f"{np.mean(pred == val.labels):.3f}", f"{data.macro_recall(val.labels, pred):.3f}"

    started = time.perf_counter()
    local, fallback = load_sentiment_model(), load_sentiment_model(prefer_finetuned=False)
    s_pred = local.sentiment_probabilities(val.texts).argmax(1)
    i_pred = local.intent_probabilities(hold.texts).argmax(1)
    rows.append((f"local: {local.model_id} (intents: + frozen-embedding, char n-gram heads)",
                 *sentiment_cells(s_pred), f"{np.mean(i_pred == hold.labels):.3f}"))  # fmt: skip
    ft = TwoHeadOnnx()
    s_logits, _ = ft.logits(val.texts)
    _, i_logits = ft.logits(hold.texts)
    rows.append(("fine-tuned int8 MiniLM alone (no VADER, no blend)", *sentiment_cells(s_logits.argmax(1)),
                 f"{np.mean(softmax(i_logits).argmax(1) == hold.labels):.3f}"))  # fmt: skip
    f_pred = fallback.sentiment_probabilities(val.texts).argmax(1)
    fi_pred = fallback.intent_probabilities(hold.texts).argmax(1)
    rows.append((f"fallback: {fallback.model_id} (frozen embeddings; intents + char n-grams)",
                 *sentiment_cells(f_pred), f"{np.mean(fi_pred == hold.labels):.3f}"))  # fmt: skip
    zs = zero_shot_banking(hold.texts, ds.intent_labels)
    rows.append(("zero-shot MiniLM (label-name similarity)", "-", "-", f"{np.mean(zs == hold.labels):.3f}"))
    rows.append(("baseline: VADER alone", *sentiment_cells(vader_labels(val.texts)), "-"))
    header = ("model", "TweetEval val acc", "TweetEval val macro-recall", "BANKING77 hold-out acc")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
    print(f"TweetEval val: {len(val.texts)} tweets; BANKING77 hold-out: {len(hold.texts)} (20 %, stratified, seed "
          f"{data.SEED}); targets: macro-recall >= 0.72, BANKING77 >= 0.937")  # fmt: skip
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print(" | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))
    transfer_table(local, fallback)
    print(f"({time.perf_counter() - started:.0f} s)")
    return 0


def transfer_table(local: Any, fallback: Any, per_source: int = 2000) -> None:
    """Macro-recall on review sources no model or blend was fit on: the transfer validation of the choices
    (services/training/offline/transfer.py chose the stacker by the same held-out sources)."""
    data_dir = data.default_data_dir()
    sources = {
        "SST-5 (3 classes)": load_sst5(data_dir, per_source),
        "UCI reviews (neg/pos)": load_uci(data_dir, per_source),
    }
    systems = {
        f"local: {local.model_id}": lambda t: local.sentiment_probabilities(t).argmax(1),
        "fine-tuned int8 MiniLM alone": lambda t: TwoHeadOnnx().logits(t)[0].argmax(1),
        f"fallback: {fallback.model_id}": lambda t: fallback.sentiment_probabilities(t).argmax(1),
        "baseline: VADER alone": vader_labels,
    }
    print(f"\nTransfer (macro-recall over the classes a source has; {per_source} sampled sentences each):")
    print(f"{'model':<48}" + "".join(f"{name:>24}" for name in sources))
    for name, predict in systems.items():
        cells = "".join(f"{transfer_recall(y, predict(texts)):>24.3f}" for texts, y in sources.values())
        print(f"{name:<48}{cells}")


if __name__ == "__main__":
    sys.exit(main())
