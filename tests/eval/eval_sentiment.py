"""Sentiment and intent quality on ../shared/data: per task the dev figure and the transfer figure, beside a baseline.

Run: python -m tests.eval.eval_sentiment   (several minutes on 2 cores: the transfer folds refit the cheap heads)

- Sentiment dev figure: TweetEval val (2,000 tweets, fit by nothing). Transfer figure: the folds of
  services/training/offline/sentiment_transfer.py for the shipped blend (refit per fold without what it scores):
  the latest SemEval source held out, SST-5 held out, UCI held out, and their mean. Baseline: VADER.
- Intent dev figure: data.py's fixed 20 % BANKING77 hold-out, the cheap heads refit on the other 80 %; transfer
  figure: 5-fold cross-validation with folds grouped by near duplicates (services/training/offline/intent_transfer.py),
  scored on the texts with no near duplicate among the fine-tuned encoder's training rows. Baselines: a logistic
  head on frozen MiniLM embeddings, zero-shot MiniLM.
No TweetEval or BANKING77 test split is read anywhere.
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from libs.embeddings import get_encoder
from services.sentiment.intent import describe
from services.sentiment.model import HEADS_NPZ, Heads, TwoHeadOnnx, load_sentiment_model
from services.training.offline import data, intent_transfer, sentiment_transfer


def vader_labels(texts: list[str]) -> np.ndarray:
    """VADER's own convention: compound ≥ 0.05 positive, ≤ −0.05 negative, else neutral."""
    analyzer = SentimentIntensityAnalyzer()
    return sentiment_transfer.vader_labels(np.array([analyzer.polarity_scores(t)["compound"] for t in texts]))


def sentiment(ds: data.Datasets) -> None:
    val = ds.sentiment_val
    local, fallback = load_sentiment_model(), load_sentiment_model(prefer_finetuned=False)
    dev = {
        f"served: {local.model_id}": local.sentiment_probabilities(val.texts).argmax(1),
        "fine-tuned int8 MiniLM alone": TwoHeadOnnx().logits(val.texts)[0].argmax(1),
        f"fallback: {fallback.model_id}": fallback.sentiment_probabilities(val.texts).argmax(1),
        "baseline: VADER alone": vader_labels(val.texts),
    }
    print("Sentiment, dev figure: TweetEval val macro-recall (accuracy)")
    for name, pred in dev.items():
        print(f"  {name:<52}{data.macro_recall(val.labels, pred):.3f} ({np.mean(pred == val.labels):.3f})")
    report = json.loads(HEADS_NPZ.with_name("sentiment_transfer_report.json").read_text())
    shipped = report["best"]
    table, _ = sentiment_transfer.transfer_table(only={shipped})
    print(f"Sentiment, transfer figure: macro-recall per held-out fold (served blend = '{shipped}', refit per fold)")
    folds = [*sentiment_transfer.FOLDS, "transfer mean"]
    print(f"  {'':<34}" + "".join(f"{f:>15}" for f in folds))
    for name in (shipped, "fine-tuned MiniLM alone", "char n-gram head alone", "VADER alone (baseline)"):
        print(f"  {name:<34}" + "".join(f"{table[name][f]:>15.3f}" for f in folds))


def intent() -> None:
    d = intent_transfer.load()
    report = json.loads(HEADS_NPZ.with_name("intent_transfer_report.json").read_text())
    choice = report["table"][report["best"]]
    heads, y = Heads(), d.y[d.clean]
    blend, fallback_blend = heads.intent_blend, heads.intent_fallback_blend
    twin_free = d.twin_free()
    print(f"Intent: BANKING77 accuracy on texts the fine-tuned encoder never saw: the 20 % hold-out ({len(d.hold)}), "
          f"the twin-free texts of the grouped folds ({twin_free.sum()})")  # fmt: skip
    print(f"  {'':<52}{'dev (20 % hold-out)':>20}{'transfer (grouped)':>20}")
    cells: dict[str, list[float]] = {}
    for splits, only in ((intent_transfer.holdout_split(d), True), (intent_transfer.grouped_splits(d), twin_free)):
        (ft, frozen, lexical), filled = intent_transfer.views(d, choice["frozen_C"], tuple(choice["lexical"]), splits)
        scored = filled & only
        rows = {
            "served: fine-tuned + frozen + char n-gram blend": blend[0] * ft + blend[1] * frozen + blend[2] * lexical,
            "fallback: frozen + char n-gram blend": fallback_blend[0] * frozen + fallback_blend[1] * lexical,
            "fine-tuned int8 MiniLM alone": ft,
            "char n-gram head alone": lexical,
            "baseline: frozen MiniLM logistic head": frozen,
        }  # fmt: skip
        for name, probs in rows.items():
            cells.setdefault(name, []).append(float(np.mean(probs[scored].argmax(1) == y[scored])))
    labels = get_encoder().encode([describe(n) for n in data.load_banking77(data.default_data_dir())[0]])
    zero_shot = (d.emb[d.clean] @ labels.T).argmax(1) == y
    hold = np.isin(d.clean, d.hold)
    cells["baseline: zero-shot MiniLM (label names)"] = [
        float(np.mean(zero_shot[hold])),
        float(np.mean(zero_shot[twin_free])),
    ]
    for name, (dev, transfer) in cells.items():
        print(f"  {name:<52}{dev:>20.3f}{transfer:>20.3f}")


def main() -> int:
    if not data.default_data_dir().exists():
        print("eval_sentiment: ../shared/data absent, nothing to evaluate")
        return 0
    started = time.perf_counter()
    sentiment(data.load())
    intent()
    print(f"({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
